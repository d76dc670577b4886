// A pose timeline: T frames × 25 BODY_25 keypoints (stored flat, frame-major), the frame rate,
// the driving frame size in pixels, and optional SMPL parameters per frame.

public struct FrameSize: Hashable, Sendable, CustomStringConvertible {
    public var width: Int
    public var height: Int
    public init(width: Int, height: Int) {
        self.width = width
        self.height = height
    }
    public var description: String { "\(width)x\(height)" }

    /// The largest width or height a project accepts (sizes read from files are checked against it).
    public static let largestSide = 1 << 16

    /// Parses "WxH" (both positive, at most `largestSide`).
    public init?(parsing text: String) {
        let parts = text.lowercased().split(separator: "x", omittingEmptySubsequences: false)
        guard parts.count == 2, let w = Int(parts[0]), let h = Int(parts[1]), (1...Self.largestSide).contains(w), (1...Self.largestSide).contains(h) else { return nil }
        self.init(width: w, height: h)
    }
}

public struct PoseSequence: Hashable, Sendable {
    public var fps: Double
    public var frameSize: FrameSize
    /// `frameCount * 25` keypoints; frame `t`, joint `j` is at `t * 25 + j`.
    public private(set) var keypoints: [Keypoint]
    /// One entry per frame; nil where the frame has no SMPL fit.
    public private(set) var smpl: [SMPLParameters?]
    /// One entry per frame; non-nil where the frame's SMPL was fitted by posestudio (crop, errors).
    public private(set) var fits: [SMPLFitRecord?]

    public init(fps: Double, frameSize: FrameSize, frames: [[Keypoint]], smpl: [SMPLParameters?]? = nil,
                fits: [SMPLFitRecord?]? = nil) {
        precondition(frames.allSatisfy { $0.count == BODY25.jointCount }, "every frame needs 25 keypoints")
        precondition(smpl == nil || smpl!.count == frames.count, "one SMPL entry per frame")
        precondition(fits == nil || fits!.count == frames.count, "one fit entry per frame")
        self.fps = fps
        self.frameSize = frameSize
        self.keypoints = frames.flatMap { $0 }
        self.smpl = smpl ?? Array(repeating: nil, count: frames.count)
        self.fits = fits ?? Array(repeating: nil, count: frames.count)
    }

    /// Number of frames T.
    public var frameCount: Int { smpl.count }

    public subscript(frame: Int, joint: Joint) -> Keypoint {
        get { keypoints[frame * BODY25.jointCount + joint.rawValue] }
        set { keypoints[frame * BODY25.jointCount + joint.rawValue] = newValue }
    }

    /// The 25 keypoints of one frame.
    public func pose(at frame: Int) -> [Keypoint] {
        Array(keypoints[frame * BODY25.jointCount ..< (frame + 1) * BODY25.jointCount])
    }

    public mutating func setPose(_ pose: [Keypoint], at frame: Int) {
        precondition(pose.count == BODY25.jointCount, "a pose has 25 keypoints, got \(pose.count)")
        keypoints.replaceSubrange(frame * BODY25.jointCount ..< (frame + 1) * BODY25.jointCount, with: pose)
    }

    /// Exchanges two joints' points on one frame, as they are (provenance and flags travel along).
    public mutating func exchange(_ a: Joint, _ b: Joint, at frame: Int) {
        let point = self[frame, a]
        self[frame, a] = self[frame, b]
        self[frame, b] = point
    }

    /// Sets a frame's SMPL and its fit record (nil for SMPL that was not fitted here).
    public mutating func setSMPL(_ parameters: SMPLParameters?, fit: SMPLFitRecord? = nil, at frame: Int) {
        smpl[frame] = parameters
        fits[frame] = fit
    }

    public var frames: Range<Int> { 0..<frameCount }

    /// Share of keypoints that are missing (0 for an empty sequence).
    public var missingFraction: Double {
        keypoints.isEmpty ? 0 : Double(keypoints.count(where: \.isMissing)) / Double(keypoints.count)
    }

    /// Number of present (not missing) keypoints per provenance.
    public var provenanceCounts: [Provenance: Int] {
        var counts = Dictionary(uniqueKeysWithValues: Provenance.allCases.map { ($0, 0) })
        for point in keypoints where !point.isMissing { counts[point.provenance, default: 0] += 1 }
        return counts
    }

    public var smplFrameCount: Int { smpl.count(where: { $0 != nil }) }
    /// Frames whose SMPL posestudio fitted.
    public var fittedFrameCount: Int { fits.count(where: { $0 != nil }) }
}

/// The source (appearance) image's own pose and SMPL fit.
public struct SourcePose: Hashable, Sendable {
    public var keypoints: [Keypoint]
    public var smpl: SMPLParameters?
    /// Set when posestudio fitted `smpl` (see `SMPLFitRecord`).
    public var fit: SMPLFitRecord?
    public init(keypoints: [Keypoint], smpl: SMPLParameters? = nil, fit: SMPLFitRecord? = nil) {
        precondition(keypoints.count == BODY25.jointCount, "a pose has 25 keypoints, got \(keypoints.count)")
        self.keypoints = keypoints
        self.smpl = smpl
        self.fit = fit
    }
}

extension PoseSequence {
    /// The frame rates a project accepts (frames per second).
    public static let fpsRange: ClosedRange<Double> = 0.001...1000
}
