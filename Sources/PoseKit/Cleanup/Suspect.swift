// A suspect: one entry of the cleanup queue. Scores are comparable across kinds: each detector
// measures how far past its own threshold a point is (ratio r ≥ 1 at the threshold) and the score
// is weight(kind) · r / (1 + r), so 0.5 · weight sits exactly at a threshold and 1 is the limit.

public enum SuspectKind: String, CaseIterable, Sendable {
    case spike, swap, snap, jump
    case boneLength = "bone-length"
    case lowConfidence = "low-confidence"
    case missing
    case missingFrame = "missing-frame"

    /// How much a kind counts in the shared queue: outright errors first, hints last.
    var weight: Double {
        switch self {
        case .spike, .swap, .snap: 1
        case .jump: 0.9
        case .boneLength: 0.8
        case .lowConfidence: 0.75
        case .missing, .missingFrame: 0.7
        }
    }
}

public struct Suspect: Hashable, Sendable {
    /// The first frame concerned (what the queue jumps to).
    public var frame: Int
    /// Every frame its fix covers (`frame..<frame + 1` for a one-frame suspect).
    public var frames: Range<Int>
    public var joints: [Joint]
    public var kind: SuspectKind
    /// 0…1, comparable across kinds (see the file header).
    public var score: Double
    /// One sentence for the inspector: what was measured against what.
    public var reason: String

    init(frames: Range<Int>, joints: [Joint], kind: SuspectKind, ratio: Double, reason: String) {
        self.frame = frames.lowerBound
        self.frames = frames
        self.joints = joints
        self.kind = kind
        let r = ratio.isFinite ? max(ratio, 0) : 1e9
        self.score = kind.weight * r / (1 + r)
        self.reason = reason
    }
}
