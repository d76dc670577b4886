// The crop the renderer works in: an integer pixel region of a frame (source image or output
// video frame) resampled to width × height (square S × S by default, BDMM's), and back. The region
// has the output's aspect ratio and one pixel scale on both axes. Keypoints and cameras use BDMM's
// convention (BodyKit's `CropBox`: crop pixel p sits at frame position origin + p / scale, centres
// at integers); the region is placed so that the image resampler (centres aligned,
// (i + ½)·in/out − ½) lands every crop pixel exactly there: origin = region origin + ½·(1/scale − 1).
import BodyKit
import Foundation
import Imaging
import PoseKit

public struct RenderCrop: Hashable, Sendable {
    /// The largest region side `around` makes (frame pixels): 4 × the largest frame side.
    public static let largestRegion = 4 * FrameSize.largestSide

    /// Top-left corner of the region, in frame pixels (the region may reach outside the frame).
    public let x: Int
    public let y: Int
    /// Region size in frame pixels.
    public let regionWidth: Int
    public let regionHeight: Int
    /// Output size in pixels.
    public let width: Int
    public let height: Int

    /// A square region of `side` frame pixels resampled to `size` × `size`.
    public init(x: Int, y: Int, side: Int, size: Int) {
        self.init(x: x, y: y, regionWidth: side, regionHeight: side, width: size, height: size)
    }

    /// Traps unless the region and the output have the same aspect ratio (a programmer error).
    public init(x: Int, y: Int, regionWidth: Int, regionHeight: Int, width: Int, height: Int) {
        precondition(regionWidth > 0 && regionHeight > 0 && width > 0 && height > 0 && regionWidth * height == regionHeight * width,
                     "RenderCrop: region \(regionWidth)x\(regionHeight) for output \(width)x\(height)")
        self.x = x
        self.y = y
        self.regionWidth = regionWidth
        self.regionHeight = regionHeight
        self.width = width
        self.height = height
    }

    /// The region around the present keypoints, rounded to whole frame pixels; nil when fewer than
    /// two keypoints are present or they coincide. Square outputs take BDMM's cropper exactly: the
    /// square `CropBox.margin`× box around the keypoints. Other aspects hold the keypoints' own
    /// bounding box grown by the margin on each axis, widened only along the axis that needs it to
    /// reach the output's aspect, so a standing person fills most of a portrait crop's height.
    public static func around(_ pose: [Keypoint], width: Int, height: Int) -> RenderCrop? {
        guard let box = CropBox.around(pose) else { return nil }
        // Region = m·(W/g) × m·(H/g) frame pixels for the smallest m that holds the box (rounded).
        var (a, b) = (width, height)
        while b != 0 { (a, b) = (b, a % b) }
        let (unitX, unitY) = (width / a, height / a)
        let centre = SIMD2(box.x + box.size / 2, box.y + box.size / 2)
        let m: Int
        if width == height {
            let side = (box.size / Double(unitX)).rounded()
            guard side < Double(RenderCrop.largestRegion) else { return nil }
            m = max(1, Int(side))
        } else {
            let present = pose.filter { !$0.isMissing && $0.confidence > 0 }
            let xs = present.map(\.x), ys = present.map(\.y)
            let extent = SIMD2(xs.max()! - xs.min()!, ys.max()! - ys.min()!) * CropBox.margin
            let units = max(extent.x / Double(unitX), extent.y / Double(unitY)).rounded(.up)
            guard units < Double(RenderCrop.largestRegion) else { return nil }
            m = max(1, Int(units))
        }
        // Keypoints far outside any frame (a crafted file) make no crop rather than a huge one.
        guard m <= RenderCrop.largestRegion / max(unitX, unitY), abs(centre.x) < 1e9, abs(centre.y) < 1e9 else { return nil }
        let (rw, rh) = (m * unitX, m * unitY)
        let scale = Double(width) / Double(rw)
        let offset = 0.5 * (1 / scale - 1)
        // Centre the region on the box centre (the keypoints' bounding-box centre).
        return RenderCrop(x: Int((centre.x - Double(rw) / 2 - offset).rounded()), y: Int((centre.y - Double(rh) / 2 - offset).rounded()),
                          regionWidth: rw, regionHeight: rh, width: width, height: height)
    }

    /// The square crop of `size` around the keypoints.
    public static func around(_ pose: [Keypoint], size: Int) -> RenderCrop? { around(pose, width: size, height: size) }

    /// Frame position of crop pixel (0, 0)'s centre.
    public var origin: SIMD2<Double> {
        let offset = 0.5 * (1 / scale - 1)
        return SIMD2(Double(x) + offset, Double(y) + offset)
    }

    /// Crop pixels per frame pixel (both axes).
    public var scale: Double { Double(width) / Double(regionWidth) }

    /// How much wider a model unit is horizontally than vertically in normalised coordinates
    /// (H / W; 1 for square crops): the renderer multiplies vertex x by it (see `camera`).
    public var stretchX: Double { Double(height) / Double(width) }

    /// Crop pixel position (centres at integers) of a frame position.
    public func toCrop(_ frame: SIMD2<Double>) -> SIMD2<Double> { (frame - origin) * scale }

    /// Frame position of a crop pixel position.
    public func toFrame(_ crop: SIMD2<Double>) -> SIMD2<Double> { crop / scale + origin }

    /// The region of `image` resampled to width × height (area averaging when shrinking, bilinear
    /// when growing); parts of the region outside the image are `background`.
    public func extract(from image: RGBImage, background: RGB) -> RGBImage {
        var region = RGBImage(width: regionWidth, height: regionHeight, fill: background)
        let x0 = max(0, x), y0 = max(0, y), x1 = min(image.width, x + regionWidth), y1 = min(image.height, y + regionHeight)
        if x1 > x0, y1 > y0 {
            region.paste(image.cropped(x: x0, y: y0, width: x1 - x0, height: y1 - y0), x: x0 - x, y: y0 - y)
        }
        return region.resized(width: width, height: height)
    }

    /// Puts a width × height crop back onto `canvas` (a frame): resampled to the region's size and
    /// pasted at the region, clipped to the canvas.
    public func place(_ crop: RGBImage, onto canvas: inout RGBImage) {
        precondition(crop.width == width && crop.height == height, "RenderCrop.place: crop \(crop.size), expected \(width)x\(height)")
        canvas.paste(crop.resized(width: regionWidth, height: regionHeight), x: x, y: y)
    }

    /// A camera fitted in `box` (BodyKit's 256 convention) for a body whose frame positions are
    /// then mapped by `normalisation`, re-expressed for this crop: u = s'·(stretchX·X + t'x),
    /// v = s'·(Y + t'y) in the crop's normalised coordinates (u = 2(p + ½)/W − 1, v likewise with
    /// H) land each model point on the same (normalised) frame position.
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
        // This crop: u = 2·(p + ½)/W − 1 with p = (frame − origin)·scale; v with H.
        let s = 2 * scale * alpha / Double(height)
        let o = origin
        func constant(_ betaAxis: Double, _ originAxis: Double, _ extent: Int) -> Double {
            2 * ((betaAxis - originAxis) * scale + 0.5) / Double(extent) - 1
        }
        return BodyKit.WeakPerspectiveCamera(s: s, tx: constant(betaX, o.x, width) / s, ty: constant(betaY, o.y, height) / s)
    }
}
