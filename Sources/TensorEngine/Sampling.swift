// Bilinear sampling: grid_sample (zeros padding, align_corners = false) for the mesh warp, and
// the modulated deformable convolution (torchvision's deform_conv2d semantics: per-tap offsets,
// row first, a mask per tap, bilinear with zero outside), built as sampled columns + one GEMM.
import Foundation

extension Engine {
    /// out[n, c, i, j] = bilinear(x[n, c], grid[n, i, j]) with grid (x, y) ∈ [−1, 1] in the
    /// align_corners = false convention, zeros outside. x: [N, C, H, W]; grid: [N, Ho, Wo, 2].
    public func gridSample(_ x: Tensor, grid: Tensor) -> Tensor {
        precondition(x.rank == 4 && grid.rank == 4 && grid.shape[3] == 2 && grid.shape[0] == x.shape[0],
                     "gridSample: input \(x.shape), grid \(grid.shape)")
        let (n, c, h, w) = (x.shape[0], x.shape[1], x.shape[2], x.shape[3])
        let (ho, wo) = (grid.shape[1], grid.shape[2])
        var out = Tensor(uninitialized: [n, c, ho, wo])
        x.storage.withUnsafeBufferPointer { input in
            grid.storage.withUnsafeBufferPointer { g in
                out.storage.withUnsafeMutableBufferPointer { output in
                    for image in 0..<n { measure("grid sample") {
                        Parallel.forEachChunk(ho, workers: threads) { rows in
                            for i in rows {
                                for j in 0..<wo {
                                    let cell = ((image * ho + i) * wo + j) * 2
                                    let sx = ((g[cell] + 1) * Float(w) - 1) / 2
                                    let sy = ((g[cell + 1] + 1) * Float(h) - 1) / 2
                                    let sample = BilinearTap(y: sy, x: sx, height: h, width: w)
                                    for channel in 0..<c {
                                        let plane = input.baseAddress! + (image * c + channel) * h * w
                                        output[((image * c + channel) * ho + i) * wo + j] = sample.value(plane)
                                    }
                                }
                            }
                        }
                    } }
                }
            }
        }
        return out
    }

    /// Modulated deformable 3×3-style convolution, stride 1, padding k/2, no bias:
    /// out[o](y, x) = Σ_{c,i,j} w[o, c, i, j] · m[k](y, x) · bilinear(x[c], y − p + i + dy_k, x − p + j + dx_k)
    /// with k = i·kw + j, dy_k = offset[2k], dx_k = offset[2k+1].
    /// x: [N, C, H, W]; offset: [N, 2·kh·kw, H, W]; mask: [N, kh·kw, H, W]; weight: [O, C, kh, kw].
    public func deformableConv2d(_ x: Tensor, offset: Tensor, mask: Tensor, weight: Tensor) -> Tensor {
        let (n, c, h, w) = (x.shape[0], x.shape[1], x.shape[2], x.shape[3])
        let (o, kh, kw) = (weight.shape[0], weight.shape[2], weight.shape[3])
        let taps = kh * kw, pixels = h * w
        precondition(weight.shape[1] == c && offset.shape == [n, 2 * taps, h, w] && mask.shape == [n, taps, h, w],
                     "deformableConv2d: input \(x.shape), offset \(offset.shape), mask \(mask.shape), weight \(weight.shape)")
        let (ph, pw) = (kh / 2, kw / 2)
        var out = Tensor(uninitialized: [n, o, h, w])
        let cols = buffer(Slot.columns, count: c * taps * pixels)
        var plan = [BilinearTap](repeating: .zero, count: taps * pixels)
        x.storage.withUnsafeBufferPointer { input in
            offset.storage.withUnsafeBufferPointer { off in
                mask.storage.withUnsafeBufferPointer { m in
                    weight.storage.withUnsafeBufferPointer { weights in
                        out.storage.withUnsafeMutableBufferPointer { output in
                            for image in 0..<n {
                                let sampling = profile == nil ? 0 : Profile.now()
                                // Where each tap samples, shared by every channel (mask folded in).
                                plan.withUnsafeMutableBufferPointer { taps_ in
                                    Parallel.forEachChunk(taps * h, workers: threads) { range in
                                        for row in range {
                                            let (tap, y) = (row / h, row % h)
                                            let (i, j) = (tap / kw, tap % kw)
                                            for v in 0..<w {
                                                let p = y * w + v
                                                let dy = off[((image * 2 * taps) + 2 * tap) * pixels + p]
                                                let dx = off[((image * 2 * taps) + 2 * tap + 1) * pixels + p]
                                                let py = Float(y - ph + i) + dy, px = Float(v - pw + j) + dx
                                                var sample = BilinearTap(y: py, x: px, height: h, width: w, outsideBelowMinusOne: true)
                                                sample.scale(by: m[(image * taps + tap) * pixels + p])
                                                taps_[tap * pixels + p] = sample
                                            }
                                        }
                                    }
                                }
                                // Columns in blocks of pixels, so a block of the plan stays in cache
                                // while every channel reads it.
                                let block = 512, blocks = (pixels + block - 1) / block
                                plan.withUnsafeBufferPointer { samples in
                                    Parallel.forEachChunk(taps * blocks, workers: threads) { range in
                                        for job in range {
                                            let tap = job / blocks, start = (job % blocks) * block
                                            let end = min(pixels, start + block)
                                            let row = samples.baseAddress! + tap * pixels
                                            let planes = input.baseAddress! + image * c * pixels
                                            var channel = 0
                                            while channel + 4 <= c {   // each tap read once for four channels
                                                let q0 = planes + channel * pixels, q1 = q0 + pixels, q2 = q1 + pixels, q3 = q2 + pixels
                                                let l0 = cols + (channel * taps + tap) * pixels, l1 = l0 + taps * pixels
                                                let l2 = l1 + taps * pixels, l3 = l2 + taps * pixels
                                                for p in start..<end {
                                                    let sample = row[p]
                                                    l0[p] = sample.value(q0); l1[p] = sample.value(q1)
                                                    l2[p] = sample.value(q2); l3[p] = sample.value(q3)
                                                }
                                                channel += 4
                                            }
                                            while channel < c {
                                                let plane = planes + channel * pixels
                                                let line = cols + (channel * taps + tap) * pixels
                                                for p in start..<end { line[p] = row[p].value(plane) }
                                                channel += 1
                                            }
                                        }
                                    }
                                }
                                profile?.add(op: "deformable sampling", seconds: Double(Profile.now() - sampling) / 1e9)
                                multiplyAccumulates += o * pixels * c * taps
                                measure("gemm deformable") {
                                    BLAS.sgemm(m: o, n: pixels, k: c * taps, a: weights.baseAddress!, lda: c * taps,
                                               b: cols, ldb: pixels, c: output.baseAddress! + image * o * pixels,
                                               ldc: pixels, beta: 0, workers: threads)
                                }
                            }
                        }
                    }
                }
            }
        }
        return out
    }
}

/// One bilinear sample: four plane indices and weights, with neighbours outside the map given
/// weight 0 (and index 0), so reading it needs no bounds checks.
struct BilinearTap {
    var index: (Int32, Int32, Int32, Int32)
    var weight: (Float, Float, Float, Float)

    static let zero = BilinearTap(index: (0, 0, 0, 0), weight: (0, 0, 0, 0))

    init(index: (Int32, Int32, Int32, Int32), weight: (Float, Float, Float, Float)) {
        self.index = index; self.weight = weight
    }

    /// Sample at (y, x) in pixel coordinates. With `outsideBelowMinusOne` (torchvision's
    /// deformable rule) the whole sample is 0 when y ≤ −1, y ≥ H, x ≤ −1 or x ≥ W; otherwise
    /// (grid_sample) each neighbour outside simply contributes 0.
    init(y: Float, x: Float, height: Int, width: Int, outsideBelowMinusOne: Bool = false) {
        self = .zero
        guard y.isFinite, x.isFinite else { return }
        if outsideBelowMinusOne && (y <= -1 || y >= Float(height) || x <= -1 || x >= Float(width)) { return }
        let fy = y.rounded(.down), fx = x.rounded(.down)
        guard fy > -2, fx > -2, fy < Float(height), fx < Float(width) else { return }
        let y0 = Int(fy), x0 = Int(fx)
        let ly = y - fy, lx = x - fx, hy = 1 - ly, hx = 1 - lx
        func tap(_ row: Int, _ column: Int, _ w: Float) -> (Int32, Float) {
            row >= 0 && row < height && column >= 0 && column < width ? (Int32(row * width + column), w) : (0, 0)
        }
        let a = tap(y0, x0, hy * hx), b = tap(y0, x0 + 1, hy * lx)
        let c = tap(y0 + 1, x0, ly * hx), d = tap(y0 + 1, x0 + 1, ly * lx)
        index = (a.0, b.0, c.0, d.0); weight = (a.1, b.1, c.1, d.1)
    }

    mutating func scale(by factor: Float) {
        weight = (weight.0 * factor, weight.1 * factor, weight.2 * factor, weight.3 * factor)
    }

    @inline(__always) func value(_ plane: UnsafePointer<Float>) -> Float {
        weight.0 * plane[Int(index.0)] + weight.1 * plane[Int(index.1)]
            + weight.2 * plane[Int(index.2)] + weight.3 * plane[Int(index.3)]
    }
}
