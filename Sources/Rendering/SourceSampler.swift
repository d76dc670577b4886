// The draft's warp: bilinear samples of the source crop at the mesh-flow grid, with grid_sample's
// conventions (align_corners = false; outside the crop counts as 0 in the network's [-1, 1] range,
// i.e. 127.5 in 8-bit levels), written over a background where the body does not cover the pixel.
// Works in 8-bit levels as Float; the tests check it against `MeshFlow.warp` (Engine.gridSample).
import Imaging

struct SourceSampler: Sendable {
    let width: Int
    let height: Int
    /// R, G, B interleaved levels 0…255.
    let levels: [Float]
    static let outside: Float = 127.5

    init(_ image: RGBImage) {
        width = image.width
        height = image.height
        levels = image.pixels.map(Float.init)
    }

    /// For each of the width × height pixels: the sample at grid (u, v) where `faceIndex` ≥ 0, else `background`.
    /// - Parameter grid: [H·W·2] (u, v) per pixel.
    func composite(grid: [Float], faceIndex: [Int32], width outWidth: Int, height outHeight: Int, background: RGB) -> RGBImage {
        var out = RGBImage(width: outWidth, height: outHeight, fill: background)
        let (w, h) = (width, height)
        let (fw, fh) = (Float(w), Float(h))
        levels.withUnsafeBufferPointer { src in
            out.pixels.withUnsafeMutableBufferPointer { dst in
                for p in 0..<(outWidth * outHeight) where faceIndex[p] >= 0 {
                    let x = ((grid[2 * p] + 1) * fw - 1) / 2
                    let y = ((grid[2 * p + 1] + 1) * fh - 1) / 2
                    guard x.isFinite, y.isFinite, x > -2, y > -2, x < fw + 1, y < fh + 1 else {
                        for k in 0..<3 { dst[3 * p + k] = Self.level(Self.outside) }
                        continue
                    }
                    let x0f = x.rounded(.down), y0f = y.rounded(.down)
                    let ax = x - x0f, ay = y - y0f
                    let x0 = Int(x0f), y0 = Int(y0f)
                    // The four taps (row, column, weight); a tap outside the crop reads `outside`.
                    let taps = ((y0, x0, (1 - ay) * (1 - ax)), (y0, x0 + 1, (1 - ay) * ax),
                                (y0 + 1, x0, ay * (1 - ax)), (y0 + 1, x0 + 1, ay * ax))
                    var rgb: (Float, Float, Float) = (0, 0, 0)
                    @inline(__always) func add(_ tap: (Int, Int, Float)) {
                        let (yy, xx, weight) = tap
                        if xx >= 0, xx < w, yy >= 0, yy < h {
                            let i = (yy * w + xx) * 3
                            rgb.0 += weight * src[i]; rgb.1 += weight * src[i + 1]; rgb.2 += weight * src[i + 2]
                        } else {
                            rgb.0 += weight * Self.outside; rgb.1 += weight * Self.outside; rgb.2 += weight * Self.outside
                        }
                    }
                    add(taps.0); add(taps.1); add(taps.2); add(taps.3)
                    dst[3 * p] = Self.level(rgb.0)
                    dst[3 * p + 1] = Self.level(rgb.1)
                    dst[3 * p + 2] = Self.level(rgb.2)
                }
            }
        }
        return out
    }

    @inline(__always) static func level(_ v: Float) -> UInt8 { UInt8(max(0, min(255, v.rounded()))) }
}
