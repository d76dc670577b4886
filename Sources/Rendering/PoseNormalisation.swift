// Global pose normalisation (Everybody Dance Now's idea, REMOT's global alignment, reduced to one
// similarity for the whole sequence): scale the driving poses so the person's median body height
// equals the source person's, and translate them so the median ankle position lands where the
// source's ankles are. The source image is placed into the output frame as `RGBImage.fitted`
// would place it (centred, aspect kept). It changes what the renderer sees, never stored keypoints.
import PoseKit

public struct PoseNormalisation: Hashable, Sendable {
    /// Output position = scale · driving position + translation (frame pixels).
    public var scale: Double
    public var translation: SIMD2<Double>

    public init(scale: Double, translation: SIMD2<Double>) {
        precondition(scale > 0 && scale.isFinite, "PoseNormalisation: scale \(scale)")
        self.scale = scale
        self.translation = translation
    }

    public static let identity = PoseNormalisation(scale: 1, translation: .zero)

    public func apply(_ point: SIMD2<Double>) -> SIMD2<Double> { scale * point + translation }

    /// The pose with every present keypoint mapped; missing keypoints stay missing.
    public func apply(_ pose: [Keypoint]) -> [Keypoint] {
        guard self != .identity else { return pose }
        return pose.map { k in
            guard !k.isMissing else { return k }
            var out = k
            let p = apply(SIMD2(k.x, k.y))
            out.x = p.x
            out.y = p.y
            return out
        }
    }

    /// Joints whose highest point is the top of the body, and those standing on the ground.
    static let headJoints: [Joint] = [.nose, .neck, .rEye, .lEye, .rEar, .lEar]
    static let footJoints: [Joint] = [.rAnkle, .lAnkle, .rHeel, .lHeel, .rBigToe, .lBigToe, .rSmallToe, .lSmallToe]
    static let ankleJoints: [Joint] = [.rAnkle, .lAnkle]

    /// Body height (lowest foot point − highest head point, pixels) and mean ankle position of one
    /// pose; nil when the head, the feet or both ankles are missing.
    public static func measure(_ pose: [Keypoint]) -> (height: Double, ankles: SIMD2<Double>)? {
        func present(_ joints: [Joint]) -> [Keypoint] {
            joints.map { pose[$0.rawValue] }.filter { !$0.isMissing && $0.confidence > 0 }
        }
        let head = present(headJoints), feet = present(footJoints), ankles = present(ankleJoints)
        guard !head.isEmpty, !feet.isEmpty, !ankles.isEmpty else { return nil }
        let height = feet.map(\.y).max()! - head.map(\.y).min()!
        guard height > 1 else { return nil }
        let mean = ankles.reduce(SIMD2<Double>.zero) { $0 + SIMD2($1.x, $1.y) } / Double(ankles.count)
        return (height, mean)
    }

    /// The normalisation of a driving sequence towards a source person.
    /// - Parameters:
    ///   - frames: the driving poses (frame pixels of a `frameSize` frame).
    ///   - source: the source pose, in pixels of a `sourceSize` image.
    /// - Returns: identity when either side cannot be measured (no frame, or the source, has a
    ///   head, feet and an ankle).
    public static func between(frames: [[Keypoint]], frameSize: FrameSize, source: [Keypoint], sourceSize: FrameSize) -> PoseNormalisation {
        let measured = frames.compactMap(measure)
        guard !measured.isEmpty, let target = measure(source) else { return .identity }
        let height = median(measured.map(\.height))
        let ankles = SIMD2(median(measured.map(\.ankles.x)), median(measured.map(\.ankles.y)))
        // The source image fitted into the output frame.
        let fit = min(Double(frameSize.width) / Double(sourceSize.width), Double(frameSize.height) / Double(sourceSize.height))
        let offset = SIMD2(Double(frameSize.width) - fit * Double(sourceSize.width),
                           Double(frameSize.height) - fit * Double(sourceSize.height)) / 2
        let scale = fit * target.height / height
        let sourceAnkles = fit * target.ankles + offset
        return PoseNormalisation(scale: scale, translation: sourceAnkles - scale * ankles)
    }

    static func median(_ values: [Double]) -> Double {
        let sorted = values.sorted()
        let n = sorted.count
        return n % 2 == 1 ? sorted[n / 2] : (sorted[n / 2 - 1] + sorted[n / 2]) / 2
    }
}
