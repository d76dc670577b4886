// The HMR/SPIN weak-perspective camera and the square crop it is expressed in. A model-frame
// point (X, Y, Z) lands at normalised crop coordinates u = s·(X + tx), v = s·(Y + ty) (x right,
// y down, −1…1 edge to edge, pixel centres at (2c + 1)/S − 1); crop pixel = (u + 1)·S/2 − 0.5.
// The crop is BDMM's: a square 1.3× the keypoints' bounding box, centred on it, resized to 256.
import PoseKit

public struct WeakPerspectiveCamera: Hashable, Sendable {
    public var s: Double
    public var tx: Double
    public var ty: Double
    public init(s: Double, tx: Double, ty: Double) {
        self.s = s
        self.tx = tx
        self.ty = ty
    }
    public init?(_ values: [Double]) {
        guard values.count == 3 else { return nil }
        self.init(s: values[0], tx: values[1], ty: values[2])
    }
    public var values: [Double] { [s, tx, ty] }

    /// Normalised crop coordinates (u, v) of a model-frame point.
    public func normalised(_ p: SIMD3<Double>) -> SIMD2<Double> {
        SIMD2(s * (p.x + tx), s * (p.y + ty))
    }

    /// Pixel coordinates in a crop of `resolution` pixels (pixel centres at integers).
    public func cropPixel(_ p: SIMD3<Double>, resolution: Int = CropBox.resolution) -> SIMD2<Double> {
        let half = Double(resolution) / 2
        return (normalised(p) + 1) * half - 0.5
    }
}

/// A square region of the driving frame, in frame pixels, that maps onto the 256 × 256 crop.
public struct CropBox: Hashable, Sendable {
    /// The crop resolution S of the BDMM pipeline.
    public static let resolution = 256
    /// BDMM's margin around the keypoints' bounding box.
    public static let margin = 1.3

    /// Left and top edges and side length, in frame pixels.
    public var x: Double
    public var y: Double
    public var size: Double

    public init(x: Double, y: Double, size: Double) {
        precondition(size > 0 && size.isFinite, "crop size must be positive, got \(size)")
        self.x = x
        self.y = y
        self.size = size
    }

    /// The square `margin`× box around the present keypoints; nil with fewer than two of them
    /// or when they all coincide.
    public static func around(_ pose: [Keypoint], margin: Double = margin) -> CropBox? {
        let present = pose.filter { !$0.isMissing && $0.confidence > 0 }
        guard present.count >= 2 else { return nil }
        let xs = present.map(\.x), ys = present.map(\.y)
        let (x0, x1, y0, y1) = (xs.min()!, xs.max()!, ys.min()!, ys.max()!)
        let side = max(x1 - x0, y1 - y0) * margin
        guard side > 1e-6 else { return nil }
        return CropBox(x: (x0 + x1) / 2 - side / 2, y: (y0 + y1) / 2 - side / 2, size: side)
    }

    /// Crop pixels per frame pixel.
    public var scale: Double { Double(Self.resolution) / size }

    public func toCrop(_ frame: SIMD2<Double>) -> SIMD2<Double> {
        (frame - SIMD2(x, y)) * scale
    }

    public func toFrame(_ crop: SIMD2<Double>) -> SIMD2<Double> {
        crop / scale + SIMD2(x, y)
    }
}
