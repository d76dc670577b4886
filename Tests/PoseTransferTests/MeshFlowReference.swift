// The slow obvious mesh-flow reference the tests hold the fast path to: every pixel of the
// kernel's y-up buffer tests every face in index order, written literally from the meshflow
// fixture README §3.1–3.9 (float32, the §3.8 operation order), then the vertical flip; and a
// float64 bilinear sampler for the warp (§3.10).
import Foundation
@testable import PoseTransfer

enum MeshFlowReference {
    struct Maps {
        var faceIndex: [Int32]   // [S·S], image orientation
        var weights: [Float]     // [S·S·3]
        var depth: [Float]       // [S·S]
    }

    /// (u, v, d) per vertex: u = s·(X + tx), v = s·(Y + ty), d = Z + 2.7320508.
    static func project(_ vertices: [SIMD3<Float>], _ cam: (s: Float, tx: Float, ty: Float)) -> [SIMD3<Float>] {
        let eye = Float(1.0 / tan(Double.pi / 6.0) + 1.0)
        return vertices.map { SIMD3(cam.s * ($0.x + cam.tx), cam.s * ($0.y + cam.ty), $0.z + eye) }
    }

    static func rasterize(_ projected: [SIMD3<Float>], faces: [SIMD3<Int32>], size s: Int) -> Maps {
        let fs = Float(s)
        var buffer = Maps(faceIndex: .init(repeating: -1, count: s * s), weights: .init(repeating: 0, count: s * s * 3),
                          depth: .init(repeating: 100, count: s * s))
        // Corners in the kernel's y-up frame: (X, Y, Z) = (u, -v, d).
        let corners = faces.map { face in
            (X: (0..<3).map { projected[Int(face[$0])].x }, Y: (0..<3).map { -projected[Int(face[$0])].y },
             Z: (0..<3).map { projected[Int(face[$0])].z })
        }
        for i in 0..<s {
            for c in 0..<s {
                let xc = Float(Double(2 * c + 1 - s) / Double(s))
                let yc = Float(Double(2 * i + 1 - s) / Double(s))
                var best: Float = 100
                for (f, (X, Y, Z)) in corners.enumerated() {
                    if (Y[2] - Y[0]) * (X[1] - X[0]) < (Y[1] - Y[0]) * (X[2] - X[0]) { continue }
                    if (yc - Y[0]) * (X[1] - X[0]) < (xc - X[0]) * (Y[1] - Y[0]) { continue }
                    if (yc - Y[1]) * (X[2] - X[1]) < (xc - X[1]) * (Y[2] - Y[1]) { continue }
                    if (yc - Y[2]) * (X[0] - X[2]) < (xc - X[2]) * (Y[0] - Y[2]) { continue }
                    let a = X.map { (($0 * fs + fs) - 1) * 0.5 }
                    let b = Y.map { (($0 * fs + fs) - 1) * 0.5 }
                    let den = (a[2] * (b[0] - b[1]) + a[0] * (b[1] - b[2])) + a[1] * (b[2] - b[0])
                    let rows: [[Float]] = [
                        [b[1] - b[2], a[2] - a[1], a[1] * b[2] - a[2] * b[1]],
                        [b[2] - b[0], a[0] - a[2], a[2] * b[0] - a[0] * b[2]],
                        [b[0] - b[1], a[1] - a[0], a[0] * b[1] - a[1] * b[0]],
                    ].map { $0.map { $0 / den } }
                    var w = rows.map { ($0[0] * Float(c) + $0[1] * Float(i)) + $0[2] }
                    w = w.map { Float(fmin(fmax(Double($0), 0.0), 1.0)) }   // CUDA: double fmin/fmax, NaN → 0
                    let sum = (w[0] + w[1]) + w[2]
                    w = w.map { $0 / sum }
                    let zp = Float(1.0 / Double((w[0] / Z[0] + w[1] / Z[1]) + w[2] / Z[2]))
                    if zp <= 0.1 || zp >= 100 { continue }
                    if zp < best {
                        best = zp
                        buffer.faceIndex[i * s + c] = Int32(f)
                        for k in 0..<3 { buffer.weights[(i * s + c) * 3 + k] = w[k] }
                        buffer.depth[i * s + c] = zp
                    }
                }
            }
        }
        var out = buffer
        for i in 0..<s {
            for c in 0..<s {
                let (from, to) = (i * s + c, (s - 1 - i) * s + c)
                out.faceIndex[to] = buffer.faceIndex[from]
                out.depth[to] = buffer.depth[from]
                for k in 0..<3 { out.weights[to * 3 + k] = buffer.weights[from * 3 + k] }
            }
        }
        return out
    }

    /// grid[p] = (P[f,0]·w0 + P[f,1]·w1) + P[f,2]·w2 per component; (-2, -2) on background. [S·S·2].
    static func grid(_ maps: Maps, faces: [SIMD3<Int32>], sourceProjected: [SIMD3<Float>]) -> [Float] {
        var grid: [Float] = []
        for p in 0..<maps.faceIndex.count {
            let f = Int(maps.faceIndex[p])
            guard f >= 0 else { grid += [-2, -2]; continue }
            let P = (0..<3).map { sourceProjected[Int(faces[f][$0])] }
            let w = (0..<3).map { maps.weights[p * 3 + $0] }
            grid.append((P[0].x * w[0] + P[1].x * w[1]) + P[2].x * w[2])
            grid.append((P[0].y * w[0] + P[1].y * w[1]) + P[2].y * w[2])
        }
        return grid
    }

    /// Bilinear sampling in float64, zeros outside, align_corners = false. image [C, H, W], grid
    /// [Ho·Wo·2] → [C, Ho, Wo].
    static func warp(_ image: [Float], channels: Int, height h: Int, width w: Int, grid: [Float]) -> [Float] {
        let pixels = grid.count / 2
        var out = [Float](repeating: 0, count: channels * pixels)
        for p in 0..<pixels {
            let x = ((Double(grid[2 * p]) + 1) * Double(w) - 1) / 2
            let y = ((Double(grid[2 * p + 1]) + 1) * Double(h) - 1) / 2
            let (x0, y0) = (Int(floor(x)), Int(floor(y)))
            for ch in 0..<channels {
                var sum = 0.0
                for (yy, wy) in [(y0, Double(y0 + 1) - y), (y0 + 1, y - Double(y0))] {
                    for (xx, wx) in [(x0, Double(x0 + 1) - x), (x0 + 1, x - Double(x0))] where yy >= 0 && yy < h && xx >= 0 && xx < w {
                        sum += wy * wx * Double(image[(ch * h + yy) * w + xx])
                    }
                }
                out[ch * pixels + p] = Float(sum)
            }
        }
        return out
    }
}
