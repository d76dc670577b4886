// Face-index / barycentric rasteriser with neural_renderer's conventions (meshflow fixture README
// §3.2–3.8): back faces culled, one sample at each pixel centre, edges included, weights from the
// kernel's nine per-face coefficients in y-up buffer pixels, clamped and renormalised, harmonic
// depth, strict near/far, smallest depth wins (lowest face index on ties), then the vertical flip
// (applied as the maps are written: buffer row i is stored as image row H - 1 - i).
// Every float32 operation is in the README's §3.8 order (no FMA), so the maps match bit for bit.
// Fast path: each face visits only its bounding box (one pixel of margin), with the row halves of
// the edge functions hoisted out of the column loop; the tests keep the per-pixel-per-face loop.

/// The rasteriser's outputs, in image orientation (row 0 = top).
public struct FaceRaster: Sendable, Equatable {
    public let height: Int
    public let width: Int
    /// [H·W] face index of each pixel, -1 on background.
    public var faceIndex: [Int32]
    /// [H·W·3] barycentric weights w.r.t. the face's corners 0, 1, 2; (0, 0, 0) on background.
    public var weights: [Float]
    /// [H·W] depth kept by the z-test (camera depth); `Rasterizer.far` on background.
    public var depth: [Float]
}

public enum Rasterizer {
    /// Depth bounds of the reference call (library defaults; both strict).
    public static let near: Float = 0.1
    public static let far: Float = 100

    /// Rasterises the faces whose corners are `projected[faces[f][k]]` = (u, v, d) (normalised
    /// image position, y down, and camera depth, as `Projection.project` returns them).
    /// Square images follow the reference exactly; for H ≠ W the same recipe runs with S = W
    /// horizontally and S = H vertically. Faces with a non-finite corner never win (as in the
    /// reference, where their depth is NaN) and are skipped.
    /// - Returns: maps of H×W pixels.
    public static func rasterize(projected: [SIMD3<Float>], faces: [SIMD3<Int32>], height: Int, width: Int) -> FaceRaster {
        precondition(height > 0 && width > 0, "Rasterizer: size \(height)×\(width)")
        let (fh, fw) = (Float(height), Float(width))
        // Pixel centres of the y-up buffer: xc = (2c + 1 - W)/W, yc = (2i + 1 - H)/H, in double, rounded.
        let xs = (0..<width).map { Float(Double(2 * $0 + 1 - width) / Double(width)) }
        let ys = (0..<height).map { Float(Double(2 * $0 + 1 - height) / Double(height)) }
        var best = [Float](repeating: far, count: height * width)
        var index = [Int32](repeating: -1, count: height * width)
        var weights = [Float](repeating: 0, count: height * width * 3)

        for (f, face) in faces.enumerated() {
            let p0 = projected[Int(face[0])], p1 = projected[Int(face[1])], p2 = projected[Int(face[2])]
            // Kernel frame: y up (v' = -v).
            let (x0, y0, z0) = (p0.x, -p0.y, p0.z)
            let (x1, y1, z1) = (p1.x, -p1.y, p1.z)
            let (x2, y2, z2) = (p2.x, -p2.y, p2.z)
            guard x0.isFinite, y0.isFinite, z0.isFinite, x1.isFinite, y1.isFinite, z1.isFinite,
                  x2.isFinite, y2.isFinite, z2.isFinite else { continue }
            // 1. Back-face culling.
            if (y2 - y0) * (x1 - x0) < (y1 - y0) * (x2 - x0) { continue }
            // 2–3. Buffer-pixel corners and the nine barycentric coefficients.
            let a0 = ((x0 * fw + fw) - 1) * 0.5, a1 = ((x1 * fw + fw) - 1) * 0.5, a2 = ((x2 * fw + fw) - 1) * 0.5
            let b0 = ((y0 * fh + fh) - 1) * 0.5, b1 = ((y1 * fh + fh) - 1) * 0.5, b2 = ((y2 * fh + fh) - 1) * 0.5
            let den = (a2 * (b0 - b1) + a0 * (b1 - b2)) + a1 * (b2 - b0)
            let m00 = (b1 - b2) / den, m01 = (a2 - a1) / den, m02 = (a1 * b2 - a2 * b1) / den
            let m10 = (b2 - b0) / den, m11 = (a0 - a2) / den, m12 = (a2 * b0 - a0 * b2) / den
            let m20 = (b0 - b1) / den, m21 = (a1 - a0) / den, m22 = (a0 * b1 - a1 * b0) / den

            // Bounding box in buffer pixels, one pixel of margin against rounding (pixels outside
            // it cannot pass the edge tests).
            guard let columns = span(min(x0, x1, x2), max(x0, x1, x2), count: width),
                  let rows = span(min(y0, y1, y2), max(y0, y1, y2), count: height) else { continue }
            let (dx01, dy01) = (x1 - x0, y1 - y0)
            let (dx12, dy12) = (x2 - x1, y2 - y1)
            let (dx20, dy20) = (x0 - x2, y0 - y2)
            for i in rows {
                let yc = ys[i]
                let e0 = (yc - y0) * dx01, e1 = (yc - y1) * dx12, e2 = (yc - y2) * dx20
                let fi = Float(i)
                let row = (height - 1 - i) * width   // the vertical flip: buffer row i is image row H - 1 - i
                for c in columns {
                    let xc = xs[c]
                    // 4. Coverage, edges included.
                    if e0 < (xc - x0) * dy01 || e1 < (xc - x1) * dy12 || e2 < (xc - x2) * dy20 { continue }
                    // 5. Weights, clamped (NaN → 0) and renormalised.
                    let fc = Float(c)
                    var w0 = (m00 * fc + m01 * fi) + m02
                    var w1 = (m10 * fc + m11 * fi) + m12
                    var w2 = (m20 * fc + m21 * fi) + m22
                    w0 = Float.minimum(Float.maximum(w0, 0), 1)
                    w1 = Float.minimum(Float.maximum(w1, 0), 1)
                    w2 = Float.minimum(Float.maximum(w2, 0), 1)
                    let sum = (w0 + w1) + w2
                    w0 /= sum; w1 /= sum; w2 /= sum
                    // 6–7. Harmonic depth, near/far, nearest wins.
                    let zp = Float(1 / Double((w0 / z0 + w1 / z1) + w2 / z2))
                    let p = row + c
                    if zp <= near || zp >= far || !(zp < best[p]) { continue }
                    best[p] = zp
                    index[p] = Int32(f)
                    weights[p * 3] = w0; weights[p * 3 + 1] = w1; weights[p * 3 + 2] = w2
                }
            }
        }
        return FaceRaster(height: height, width: width, faceIndex: index, weights: weights, depth: best)
    }

    /// Buffer indices k whose centre (2k + 1 - n)/n may lie in [low, high], with a margin of one.
    private static func span(_ low: Float, _ high: Float, count: Int) -> ClosedRange<Int>? {
        let n = Double(count)
        let first = max(0, ((Double(low) * n + n - 1) / 2).rounded(.down) - 1)
        let last = min(n - 1, ((Double(high) * n + n - 1) / 2).rounded(.up) + 1)
        guard first <= last else { return nil }
        return Int(first)...Int(last)
    }
}
