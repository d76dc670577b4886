// One 2-D keypoint: position in pixels of the driving frame (origin top-left, y down), the
// detector's confidence in [0, 1], where the value came from, and whether it is missing or pinned.

/// Where a keypoint's current value came from.
public enum Provenance: UInt8, CaseIterable, Sendable, Codable, CustomStringConvertible {
    case raw = 0, edited, interpolated, filtered, fitted
    public var description: String { name }
    public var name: String {
        switch self {
        case .raw: "raw"
        case .edited: "edited"
        case .interpolated: "interpolated"
        case .filtered: "filtered"
        case .fitted: "fitted"
        }
    }
    public init?(name: String) {
        guard let match = Provenance.allCases.first(where: { $0.name == name }) else { return nil }
        self = match
    }
}

/// A keypoint. A missing keypoint keeps its last coordinates (so marking it present again restores
/// them) but every consumer must treat it as absent. Pinned keypoints are never moved by filters.
public struct Keypoint: Hashable, Sendable {
    public var x: Double
    public var y: Double
    public var confidence: Double
    public var provenance: Provenance
    public var isMissing: Bool
    public var isPinned: Bool

    public init(x: Double, y: Double, confidence: Double, provenance: Provenance = .raw,
                isMissing: Bool = false, isPinned: Bool = false) {
        self.x = x
        self.y = y
        self.confidence = confidence
        self.provenance = provenance
        self.isMissing = isMissing
        self.isPinned = isPinned
    }

    /// An undetected point: OpenPose writes it as (0, 0, 0).
    public static let missing = Keypoint(x: 0, y: 0, confidence: 0, isMissing: true)

    /// True when every number is finite, the confidence is in [0, 1].
    public var isValid: Bool {
        x.isFinite && y.isFinite && confidence.isFinite && confidence >= 0 && confidence <= 1
    }
}
