// Pose heatmaps, the generator's "skeleton" input (spec §1.3): one Gaussian per BODY_25 joint,
// channel j = exp(-((r - y_j)² + (c - x_j)²) / (2·6²)) at integer row r and column c, computed in
// Double and stored as Float; a channel is all zero when x_j == 0 or y_j == 0 (the missing rule).
// Fast path: the Gaussian is a row factor times a column factor, evaluated only where it can be
// non-zero in float32. The direct per-pixel formula lives in the tests as the reference.
import Foundation
import PoseKit
import TensorEngine

public enum Heatmaps {
    /// Joints per map (BODY_25).
    public static let channels = BODY25.jointCount
    /// Gaussian standard deviation, pixels.
    public static let sigma = 6.0

    /// Heatmaps of one pose.
    /// - Parameters:
    ///   - points: 25 (x, y) positions in crop pixels (x to the right, y down, pixel centres at
    ///     integers), BODY_25 order. A point with x == 0 or y == 0, or a non-finite coordinate,
    ///     gives an all-zero channel.
    ///   - height, width: map size in pixels.
    /// - Returns: `[1, 25, H, W]`.
    public static func render(points: [(x: Double, y: Double)], height: Int, width: Int) -> Tensor {
        render(frames: [points], height: height, width: width).reshaped([1, channels, height, width])
    }

    /// Heatmaps of one pose given as keypoints (BODY_25 order, crop pixels). A keypoint marked
    /// missing counts as (0, 0), so its channel is zero; the confidence is ignored (spec §1.3).
    /// - Returns: `[1, 25, H, W]`.
    public static func render(keypoints: [Keypoint], height: Int, width: Int) -> Tensor {
        render(points: points(of: keypoints), height: height, width: width)
    }

    /// Heatmaps of several poses (a window).
    /// - Parameter frames: T poses, each 25 (x, y) positions in crop pixels.
    /// - Returns: `[T, 25, H, W]`.
    public static func render(frames: [[(x: Double, y: Double)]], height: Int, width: Int) -> Tensor {
        precondition(height > 0 && width > 0, "Heatmaps: size \(height)×\(width)")
        for (t, frame) in frames.enumerated() {
            precondition(frame.count == channels, "Heatmaps: frame \(t) has \(frame.count) points, expected \(channels)")
        }
        let plane = height * width
        var out = Tensor(zeros: [frames.count, channels, height, width])
        var rowFactor = [Double](repeating: 0, count: height)
        var columnFactor = [Double](repeating: 0, count: width)
        out.storage.withUnsafeMutableBufferPointer { output in
            for (t, frame) in frames.enumerated() {
                for (j, point) in frame.enumerated() where !isMissing(point) {
                    // Only rows and columns whose factor survives float32 rounding can be non-zero:
                    // the product of the two factors is at most the smaller one.
                    let rows = support(centre: point.y, count: height, into: &rowFactor)
                    let columns = support(centre: point.x, count: width, into: &columnFactor)
                    guard !rows.isEmpty, !columns.isEmpty else { continue }
                    let base = output.baseAddress! + (t * channels + j) * plane
                    columnFactor.withUnsafeBufferPointer { cf in
                        for r in rows {
                            let line = base + r * width
                            let factor = rowFactor[r]
                            for c in columns { line[c] = Float(factor * cf[c]) }
                        }
                    }
                }
            }
        }
        return out
    }

    /// Heatmaps of several poses given as keypoints. - Returns: `[T, 25, H, W]`.
    public static func render(keypointFrames: [[Keypoint]], height: Int, width: Int) -> Tensor {
        render(frames: keypointFrames.map(points(of:)), height: height, width: width)
    }

    /// The missing-point rule of the reference (x == 0 or y == 0), plus non-finite coordinates.
    public static func isMissing(_ point: (x: Double, y: Double)) -> Bool {
        point.x == 0 || point.y == 0 || !point.x.isFinite || !point.y.isFinite
    }

    static func points(of keypoints: [Keypoint]) -> [(x: Double, y: Double)] {
        keypoints.map { $0.isMissing ? (x: 0, y: 0) : (x: $0.x, y: $0.y) }
    }

    /// Fills factor[k] = exp(-(k - centre)² / (2σ²)) for the indices where it is at least the
    /// smallest float32 subnormal's half (below it every product rounds to 0), and returns them.
    private static func support(centre: Double, count: Int, into factor: inout [Double]) -> Range<Int> {
        // exp(-d²/72) < 2^-150 ⇔ d² > 72·150·ln 2; one extra pixel of margin.
        let reach = (2 * sigma * sigma * 150 * log(2.0)).squareRoot() + 1
        let lowBound = max(0, (centre - reach).rounded(.up))
        let highBound = min(Double(count), (centre + reach).rounded(.down) + 1)
        guard lowBound < highBound else { return 0..<0 }
        let (low, high) = (Int(lowBound), Int(highBound))
        let scale = 2 * sigma * sigma
        for k in low..<high {
            let d = Double(k) - centre
            factor[k] = exp(-(d * d) / scale)
        }
        return low..<high
    }
}
