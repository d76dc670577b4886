// The square crop the renderer works in: an integer pixel region of a frame (source image or
// output video frame) resampled to S × S, and back. Keypoints and cameras use BDMM's convention
// (BodyKit's `CropBox`: crop pixel p sits at frame position origin + p·side/S, centres at
// integers); the region is chosen so that the image resampler (centres aligned, (i + ½)·in/out − ½)
// lands every crop pixel exactly there: origin = region origin + ½·(side/S − 1).
import BodyKit
import Imaging
import PoseKit

public struct RenderCrop: Hashable, Sendable {
    /// Top-left corner and side of the region, in frame pixels (may reach outside the frame).
    public let x: Int
    public let y: Int
    public let side: Int
    /// Crop size S in pixels.
    public let size: Int

    public init(x: Int, y: Int, side: Int, size: Int) {
        precondition(side > 0 && size > 0, "RenderCrop: side \(side), size \(size)")
        self.x = x
        self.y = y
        self.side = side
        self.size = size
    }

    /// The square `CropBox.margin`× box around the present keypoints (BDMM's cropper), rounded to
    /// whole frame pixels; nil when fewer than two keypoints are present or they coincide.
    public static func around(_ pose: [Keypoint], size: Int) -> RenderCrop? {
        guard let box = CropBox.around(pose) else { return nil }
        let side = max(1, Int(box.size.rounded()))
        let offset = 0.5 * (Double(side) / Double(size) - 1)
        return RenderCrop(x: Int((box.x - offset).rounded()), y: Int((box.y - offset).rounded()), side: side, size: size)
    }

    /// Frame position of crop pixel (0, 0)'s centre.
    public var origin: SIMD2<Double> {
        let offset = 0.5 * (Double(side) / Double(size) - 1)
        return SIMD2(Double(x) + offset, Double(y) + offset)
    }

    /// Crop pixels per frame pixel.
    public var scale: Double { Double(size) / Double(side) }

    /// Crop pixel position (centres at integers) of a frame position.
    public func toCrop(_ frame: SIMD2<Double>) -> SIMD2<Double> { (frame - origin) * scale }

    /// Frame position of a crop pixel position.
    public func toFrame(_ crop: SIMD2<Double>) -> SIMD2<Double> { crop / scale + origin }

    /// The region of `image` resampled to S × S (area averaging when shrinking, bilinear when
    /// growing); parts of the region outside the image are `background`.
    public func extract(from image: RGBImage, background: RGB) -> RGBImage {
        var region = RGBImage(width: side, height: side, fill: background)
        let x0 = max(0, x), y0 = max(0, y), x1 = min(image.width, x + side), y1 = min(image.height, y + side)
        if x1 > x0, y1 > y0 {
            region.paste(image.cropped(x: x0, y: y0, width: x1 - x0, height: y1 - y0), x: x0 - x, y: y0 - y)
        }
        return region.resized(width: size, height: size)
    }

    /// Puts an S × S crop back onto `canvas` (a frame): resampled to the region's side and pasted
    /// at the region, clipped to the canvas.
    public func place(_ crop: RGBImage, onto canvas: inout RGBImage) {
        precondition(crop.width == size && crop.height == size, "RenderCrop.place: crop \(crop.size), expected \(size)x\(size)")
        canvas.paste(crop.resized(width: side, height: side), x: x, y: y)
    }

    /// A camera fitted in `box` (BodyKit's 256 convention) for a body whose frame positions are
    /// then mapped by `normalisation`, re-expressed for this crop at resolution S: the weak-
    /// perspective camera whose normalised coordinates u = s'·(X + t') land each model point on
    /// the same (normalised) frame position.
    public func camera(_ fitted: BodyKit.WeakPerspectiveCamera, fittedIn box: CropBox,
                       normalisation: PoseNormalisation = .identity) -> BodyKit.WeakPerspectiveCamera {
        // Fitted crop pixel p = (s(X + t) + 1)·128 − ½; frame = box.origin + p·box.size/256,
        // so frame = α·X + β per axis; normalised frame = a·frame + b.
        let half = Double(CropBox.resolution) / 2
        let perPixel = box.size / Double(CropBox.resolution)
        let alpha = normalisation.scale * fitted.s * half * perPixel
        func beta(_ t: Double, _ origin: Double, _ shift: Double) -> Double {
            normalisation.scale * (origin + ((fitted.s * t + 1) * half - 0.5) * perPixel) + shift
        }
        let betaX = beta(fitted.tx, box.x, normalisation.translation.x)
        let betaY = beta(fitted.ty, box.y, normalisation.translation.y)
        // This crop: u = 2·(p + ½)/S − 1 with p = (frame − origin)·scale.
        let s = 2 * scale * alpha / Double(size)
        let o = origin
        func t(_ betaAxis: Double, _ originAxis: Double) -> Double {
            (2 * ((betaAxis - originAxis) * scale + 0.5) / Double(size) - 1) / s
        }
        return BodyKit.WeakPerspectiveCamera(s: s, tx: t(betaX, o.x), ty: t(betaY, o.y))
    }
}
