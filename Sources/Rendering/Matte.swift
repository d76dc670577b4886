// The person's matte in a render crop and compositing with it: the body's silhouette (where the
// frame's fitted body covers a crop pixel) grown by `dilation` pixels (a square neighbourhood) and
// softened by a `feather`-pixel box blur, as alpha in [0, 1]. The trainer (Tools/train) builds the
// same matte for its held-out composite; the plate background and `bench fidelity` use it here.
import Imaging

public struct Matte: Equatable, Sendable {
    public let width: Int
    public let height: Int
    /// [H·W] alpha in [0, 1], row-major.
    public var alpha: [Float]

    /// Pixels the silhouette grows by, and the feathering box width (the trainer's values).
    public static let dilation = 2
    public static let feather = 5

    public init(width: Int, height: Int, alpha: [Float]) {
        precondition(alpha.count == width * height, "Matte: \(alpha.count) values for \(width)x\(height)")
        self.width = width
        self.height = height
        self.alpha = alpha
    }

    /// The matte of a silhouette (`covered[p]` true where the body covers pixel p).
    public init(silhouette covered: [Bool], width: Int, height: Int, dilation: Int = Matte.dilation, feather: Int = Matte.feather) {
        let grown = Self.dilate(covered, width: width, height: height, radius: dilation)
        self.init(width: width, height: height, alpha: Self.boxBlur(grown.map { $0 ? 1 : 0 }, width: width, height: height, size: feather))
    }

    /// Pixels set where any pixel within `radius` (Chebyshev distance) is set.
    public static func dilate(_ mask: [Bool], width: Int, height: Int, radius: Int) -> [Bool] {
        guard radius > 0 else { return mask }
        // Separable: rows, then columns, each a running count over the window.
        func pass(_ input: [Bool], along length: Int, lines: Int, index: (Int, Int) -> Int) -> [Bool] {
            var out = [Bool](repeating: false, count: input.count)
            for line in 0..<lines {
                var count = 0
                for i in 0..<min(radius, length) where input[index(line, i)] { count += 1 }
                for i in 0..<length {
                    if i + radius < length, input[index(line, i + radius)] { count += 1 }
                    if i - radius - 1 >= 0, input[index(line, i - radius - 1)] { count -= 1 }
                    out[index(line, i)] = count > 0
                }
            }
            return out
        }
        let rows = pass(mask, along: width, lines: height) { y, x in y * width + x }
        return pass(rows, along: height, lines: width) { x, y in y * width + x }
    }

    /// Mean over a `size` × `size` box centred on each pixel (size odd), edges clamped to the
    /// image (the box shrinks to what lies inside).
    public static func boxBlur(_ values: [Float], width: Int, height: Int, size: Int) -> [Float] {
        guard size > 1 else { return values }
        let r = size / 2
        func pass(_ input: [Float], along length: Int, lines: Int, index: (Int, Int) -> Int) -> [Float] {
            var out = [Float](repeating: 0, count: input.count)
            for line in 0..<lines {
                for i in 0..<length {
                    let (a, b) = (max(0, i - r), min(length - 1, i + r))
                    var sum: Float = 0
                    for j in a...b { sum += input[index(line, j)] }
                    out[index(line, i)] = sum / Float(b - a + 1)
                }
            }
            return out
        }
        let rows = pass(values, along: width, lines: height) { y, x in y * width + x }
        return pass(rows, along: height, lines: width) { x, y in y * width + x }
    }

    /// alpha · `person` + (1 − alpha) · `background`, rounded; both the matte's size.
    public func composite(_ person: RGBImage, over background: RGBImage) -> RGBImage {
        precondition(person.size == background.size && person.width == width && person.height == height,
                     "Matte.composite: \(person.size) over \(background.size) with a \(width)x\(height) matte")
        var pixels = background.pixels
        for p in 0..<width * height {
            let a = alpha[p]
            guard a > 0 else { continue }
            for c in 0..<3 {
                let v = a * Float(person.pixels[3 * p + c]) + (1 - a) * Float(background.pixels[3 * p + c])
                pixels[3 * p + c] = UInt8(min(255, max(0, v.rounded())))
            }
        }
        return RGBImage(width: width, height: height, pixels: pixels)
    }

    /// The matte as a grey picture (alpha 1 = white), for resampling with the image code.
    public var image: RGBImage {
        var pixels = [UInt8](repeating: 0, count: 3 * alpha.count)
        for (p, a) in alpha.enumerated() {
            let v = UInt8(min(255, max(0, (a * 255).rounded())))
            pixels[3 * p] = v
            pixels[3 * p + 1] = v
            pixels[3 * p + 2] = v
        }
        return RGBImage(width: width, height: height, pixels: pixels)
    }

    /// A grey picture's red channel as alpha.
    public init(image: RGBImage) {
        self.init(width: image.width, height: image.height, alpha: stride(from: 0, to: image.pixels.count, by: 3).map { Float(image.pixels[$0]) / 255 })
    }
}

extension RenderCrop {
    /// Puts a crop's person back onto `canvas` (a frame already showing the background): the
    /// render and its matte resampled to the region, blended where the matte is, clipped to the
    /// canvas. Outside the matte the canvas is untouched, so no seam of the crop's edge shows.
    public func place(_ crop: RGBImage, matte: Matte, onto canvas: inout RGBImage) {
        precondition(crop.width == width && crop.height == height && matte.width == width && matte.height == height,
                     "RenderCrop.place: crop \(crop.size), matte \(matte.width)x\(matte.height), expected \(width)x\(height)")
        let person = crop.resized(width: regionWidth, height: regionHeight)
        let alpha = Matte(image: matte.image.resized(width: regionWidth, height: regionHeight))
        let x0 = max(0, x), y0 = max(0, y), x1 = min(canvas.width, x + regionWidth), y1 = min(canvas.height, y + regionHeight)
        guard x1 > x0, y1 > y0 else { return }
        for fy in y0..<y1 {
            for fx in x0..<x1 {
                let p = (fy - y) * regionWidth + (fx - x)
                let a = alpha.alpha[p]
                guard a > 0 else { continue }
                let q = fy * canvas.width + fx
                for c in 0..<3 {
                    let v = a * Float(person.pixels[3 * p + c]) + (1 - a) * Float(canvas.pixels[3 * q + c])
                    canvas.pixels[3 * q + c] = UInt8(min(255, max(0, v.rounded())))
                }
            }
        }
    }
}
