// The RGB image every media target speaks: 8-bit RGB, row-major, rows packed without padding
// (pixel (x, y) starts at byte (y * width + x) * 3). Values only: copying an image copies pixels
// (copy-on-write). Crop, paste and fills here; resampling in Resize.swift, drawing in Draw.swift.

/// An 8-bit RGB colour.
public struct RGB: Hashable, Sendable {
    public var r: UInt8
    public var g: UInt8
    public var b: UInt8
    public init(_ r: UInt8, _ g: UInt8, _ b: UInt8) {
        self.r = r
        self.g = g
        self.b = b
    }
    public static let black = RGB(0, 0, 0)
    public static let white = RGB(255, 255, 255)
    /// The neutral grey posestudio draws skeletons on when there is no driving frame.
    public static let neutral = RGB(48, 48, 52)
}

/// A width × height size in pixels.
public struct PixelSize: Hashable, Sendable, CustomStringConvertible {
    public var width: Int
    public var height: Int
    public init(width: Int, height: Int) {
        self.width = width
        self.height = height
    }
    public var description: String { "\(width)x\(height)" }
}

/// An 8-bit RGB image. Width and height are at least 1.
public struct RGBImage: Hashable, Sendable {
    public let width: Int
    public let height: Int
    /// `width * height * 3` bytes: R, G, B per pixel, rows top to bottom, no padding.
    public var pixels: [UInt8]

    public var size: PixelSize { PixelSize(width: width, height: height) }

    /// An image filled with one colour. Traps on a size below 1×1 (a programmer error).
    public init(width: Int, height: Int, fill: RGB = .black) {
        precondition(width > 0 && height > 0, "RGBImage needs a positive size, got \(width)x\(height)")
        self.width = width
        self.height = height
        var row = [UInt8](repeating: 0, count: width * 3)
        for x in 0..<width {
            row[x * 3] = fill.r
            row[x * 3 + 1] = fill.g
            row[x * 3 + 2] = fill.b
        }
        pixels = [UInt8]()
        pixels.reserveCapacity(width * height * 3)
        for _ in 0..<height { pixels.append(contentsOf: row) }
    }

    /// Wraps packed RGB bytes. Traps unless `pixels.count == width * height * 3`.
    public init(width: Int, height: Int, pixels: [UInt8]) {
        precondition(width > 0 && height > 0, "RGBImage needs a positive size, got \(width)x\(height)")
        precondition(pixels.count == width * height * 3,
                      "RGBImage \(width)x\(height) needs \(width * height * 3) bytes, got \(pixels.count)")
        self.width = width
        self.height = height
        self.pixels = pixels
    }

    /// The pixel at (x, y). Traps outside the image.
    public subscript(x: Int, y: Int) -> RGB {
        get {
            precondition(x >= 0 && x < width && y >= 0 && y < height, "pixel (\(x), \(y)) outside \(width)x\(height)")
            let i = (y * width + x) * 3
            return RGB(pixels[i], pixels[i + 1], pixels[i + 2])
        }
        set {
            precondition(x >= 0 && x < width && y >= 0 && y < height, "pixel (\(x), \(y)) outside \(width)x\(height)")
            let i = (y * width + x) * 3
            pixels[i] = newValue.r
            pixels[i + 1] = newValue.g
            pixels[i + 2] = newValue.b
        }
    }

    /// The part of the image inside `x ..< x + width`, `y ..< y + height`, clipped to the image.
    /// Traps when nothing of the rectangle lies inside the image.
    public func cropped(x: Int, y: Int, width w: Int, height h: Int) -> RGBImage {
        let x0 = max(0, x), y0 = max(0, y)
        let x1 = min(width, x + w), y1 = min(height, y + h)
        precondition(x1 > x0 && y1 > y0, "crop \(w)x\(h) at (\(x), \(y)) lies outside \(width)x\(height)")
        var out = [UInt8](repeating: 0, count: (x1 - x0) * (y1 - y0) * 3)
        let rowBytes = (x1 - x0) * 3
        pixels.withUnsafeBufferPointer { src in
            out.withUnsafeMutableBufferPointer { dst in
                for row in y0..<y1 {
                    let from = src.baseAddress! + (row * width + x0) * 3
                    (dst.baseAddress! + (row - y0) * rowBytes).update(from: from, count: rowBytes)
                }
            }
        }
        return RGBImage(width: x1 - x0, height: y1 - y0, pixels: out)
    }

    /// Copies `image` onto this one with its top-left corner at (x, y); parts outside are clipped.
    public mutating func paste(_ image: RGBImage, x: Int, y: Int) {
        let x0 = max(0, x), y0 = max(0, y)
        let x1 = min(width, x + image.width), y1 = min(height, y + image.height)
        guard x1 > x0, y1 > y0 else { return }
        let rowBytes = (x1 - x0) * 3
        let width = width
        image.pixels.withUnsafeBufferPointer { src in
            pixels.withUnsafeMutableBufferPointer { dst in
                for row in y0..<y1 {
                    let from = src.baseAddress! + ((row - y) * image.width + (x0 - x)) * 3
                    (dst.baseAddress! + (row * width + x0) * 3).update(from: from, count: rowBytes)
                }
            }
        }
    }

    /// Fills the rectangle (clipped to the image) with `color` blended at `opacity` (0…1).
    public mutating func fill(x: Int, y: Int, width w: Int, height h: Int, color: RGB, opacity: Double = 1) {
        let x0 = max(0, x), y0 = max(0, y)
        let x1 = min(width, x + w), y1 = min(height, y + h)
        guard x1 > x0, y1 > y0 else { return }
        for row in y0..<y1 { blendSpan(y: row, from: x0, to: x1, color: color, opacity: opacity) }
    }

    /// Blends `color` at `opacity` over the pixels x0 ..< x1 of row y (already clipped by the caller
    /// or clipped here). Opacity 1 replaces the pixels.
    mutating func blendSpan(y: Int, from x0: Int, to x1: Int, color: RGB, opacity: Double) {
        guard y >= 0, y < height else { return }
        let a = max(0, min(x0, width)), b = max(0, min(x1, width))
        guard b > a else { return }
        let alpha = Int((max(0, min(1, opacity)) * 256).rounded())
        let width = width
        pixels.withUnsafeMutableBufferPointer { p in
            var i = (y * width + a) * 3
            let end = (y * width + b) * 3
            if alpha >= 256 {
                while i < end {
                    p[i] = color.r; p[i + 1] = color.g; p[i + 2] = color.b
                    i += 3
                }
                return
            }
            // (p·(256 − a) + c·a + 128) / 256, in integers.
            let keep = 256 - alpha
            let cr = Int(color.r) * alpha + 128, cg = Int(color.g) * alpha + 128, cb = Int(color.b) * alpha + 128
            while i < end {
                p[i] = UInt8(truncatingIfNeeded: (Int(p[i]) * keep + cr) >> 8)
                p[i + 1] = UInt8(truncatingIfNeeded: (Int(p[i + 1]) * keep + cg) >> 8)
                p[i + 2] = UInt8(truncatingIfNeeded: (Int(p[i + 2]) * keep + cb) >> 8)
                i += 3
            }
        }
    }

    /// This image placed centred on a `width × height` canvas of `background`, scaled to fit
    /// while keeping its aspect ratio (letterbox). `pixelAspect` > 1 means output pixels are that
    /// much taller than wide (terminal cells drawn as pixels), so the image is squeezed vertically.
    public func fitted(width w: Int, height h: Int, background: RGB = .black, pixelAspect: Double = 1) -> RGBImage {
        precondition(w > 0 && h > 0, "fitted needs a positive size, got \(w)x\(h)")
        let place = Self.letterbox(width: width, height: height, into: PixelSize(width: w, height: h), pixelAspect: pixelAspect)
        let scaled = resized(width: place.width, height: place.height)
        if place.width == w && place.height == h { return scaled }
        var canvas = RGBImage(width: w, height: h, fill: background)
        canvas.paste(scaled, x: place.x, y: place.y)
        return canvas
    }

    /// Where an image of `width × height` goes in `box` when scaled to fit with its aspect ratio
    /// kept, centred: at least 1×1, whole units of the box (pixels, or cells that are
    /// `pixelAspect` times taller than wide).
    public static func letterbox(width: Int, height: Int, into box: PixelSize, pixelAspect: Double = 1)
        -> (x: Int, y: Int, width: Int, height: Int) {
        let imageAspect = Double(width) / (Double(height) / pixelAspect)
        var fw = box.width, fh = Int((Double(box.width) / imageAspect).rounded())
        if fh > box.height {
            fh = box.height
            fw = Int((Double(box.height) * imageAspect).rounded())
        }
        fw = max(1, min(box.width, fw))
        fh = max(1, min(box.height, fh))
        return ((box.width - fw) / 2, (box.height - fh) / 2, fw, fh)
    }
}
