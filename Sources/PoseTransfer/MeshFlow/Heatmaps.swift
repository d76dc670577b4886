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
        precondition(height > 0 && width > 0, "Heatmaps: size \(height)×\(width)")
        var maps = Tensor(zeros: [1, channels, height, width])
        draw(points, into: &maps, cleared: true)
        return maps
    }

    /// Heatmaps of one pose written over `maps` (`[1, 25, H, W]`, its size taken from it), so a
    /// caller rendering window after window can reuse its tensors instead of faulting in fresh
    /// memory for each (a window of 6 at 256×256 is 39 MB).
    public static func render(points: [(x: Double, y: Double)], into maps: inout Tensor) {
        draw(points, into: &maps, cleared: false)
    }

    private static func draw(_ points: [(x: Double, y: Double)], into maps: inout Tensor, cleared: Bool) {
        precondition(maps.rank == 4 && maps.shape[0] == 1 && maps.shape[1] == channels, "Heatmaps: output \(maps.shape), expected [1, \(channels), H, W]")
        precondition(points.count == channels, "Heatmaps: \(points.count) points, expected \(channels)")
        let (height, width) = (maps.shape[2], maps.shape[3])
        let plane = height * width
        var rowFactor = [Double](repeating: 0, count: height)
        var columnFactor = [Double](repeating: 0, count: width)
        maps.storage.withUnsafeMutableBufferPointer { output in
            if !cleared { output.update(repeating: 0) }
            for (j, point) in points.enumerated() where !isMissing(point) {
                // Only rows and columns whose factor survives float32 rounding can be non-zero:
                // the product of the two factors is at most the smaller one.
                let rows = support(centre: point.y, count: height, into: &rowFactor)
                let columns = support(centre: point.x, count: width, into: &columnFactor)
                guard !rows.isEmpty, !columns.isEmpty else { continue }
                let base = output.baseAddress! + j * plane
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

    /// Heatmaps of one pose given as keypoints (BODY_25 order, crop pixels). A keypoint marked
    /// missing counts as (0, 0), so its channel is zero; the confidence is ignored (spec §1.3).
    /// - Returns: `[1, 25, H, W]`.
    public static func render(keypoints: [Keypoint], height: Int, width: Int) -> Tensor {
        render(points: points(of: keypoints), height: height, width: width)
    }

    /// Heatmaps of a window of poses, one tensor per frame (what `WindowInput.heatmaps` holds; a
    /// tensor per frame also lets the allocator reuse memory instead of faulting in one big block).
    /// - Returns: T tensors `[1, 25, H, W]`.
    public static func render(frames: [[(x: Double, y: Double)]], height: Int, width: Int) -> [Tensor] {
        frames.map { render(points: $0, height: height, width: width) }
    }

    /// Heatmaps of a window of poses given as keypoints. - Returns: T tensors `[1, 25, H, W]`.
    public static func render(keypointFrames: [[Keypoint]], height: Int, width: Int) -> [Tensor] {
        keypointFrames.map { render(keypoints: $0, height: height, width: width) }
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
