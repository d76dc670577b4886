// Upsampling of the decoder: stride-2 transposed convolution (output 2H+1 × 2W+1, no padding,
// no kernel flip) followed by the 4×4 FIR blur with zero padding 1, giving exactly 2H × 2W.

extension Engine {
    /// t[o](2y+a, 2v+b) += Σ_c w[o, c, a, b] · x[c](y, v). x: [N, C, H, W]; weight: [O, C, k, k].
    /// Output [N, O, (H−1)·2 + k, (W−1)·2 + k].
    public func transposedConvStride2(_ x: Tensor, weight: Tensor) -> Tensor {
        precondition(x.rank == 4 && weight.rank == 4 && weight.shape[1] == x.shape[1],
                     "transposedConvStride2: input \(x.shape), weight \(weight.shape)")
        let (n, c, h, w) = (x.shape[0], x.shape[1], x.shape[2], x.shape[3])
        let (o, kh, kw) = (weight.shape[0], weight.shape[2], weight.shape[3])
        let (th, tw) = ((h - 1) * 2 + kh, (w - 1) * 2 + kw)
        let taps = kh * kw, pixels = h * w
        // A[(o, a, b), c] = w[o, c, a, b], so one GEMM gives every tap's contribution per pixel.
        var arranged = [Float](repeating: 0, count: o * taps * c)
        for output in 0..<o { for channel in 0..<c { for tap in 0..<taps {
            arranged[(output * taps + tap) * c + channel] = weight.storage[(output * c + channel) * taps + tap]
        } } }
        var out = Tensor(zeros: [n, o, th, tw])
        let products = buffer(Slot.gemm, count: o * taps * pixels)
        x.storage.withUnsafeBufferPointer { input in
            arranged.withUnsafeBufferPointer { a in
                out.storage.withUnsafeMutableBufferPointer { output in
                    for image in 0..<n {
                        multiplyAccumulates += o * taps * pixels * c
                        measure("gemm transposed conv") {
                            BLAS.sgemm(m: o * taps, n: pixels, k: c, a: a.baseAddress!, lda: c,
                                       b: input.baseAddress! + image * c * pixels, ldb: pixels,
                                       c: products, ldc: pixels, beta: 0, workers: threads)
                        }
                        measure("transposed conv scatter") { Parallel.forEachChunk(o, workers: threads) { range in
                            for channel in range {
                                let plane = output.baseAddress! + (image * o + channel) * th * tw
                                for tap in 0..<taps {
                                    let (a, b) = (tap / kw, tap % kw)
                                    let row = products + (channel * taps + tap) * pixels
                                    for y in 0..<h {
                                        let dst = plane + (2 * y + a) * tw + b
                                        let src = row + y * w
                                        for v in 0..<w { dst[2 * v] += src[v] }
                                    }
                                }
                            }
                        } }
                    }
                }
            }
        }
        return out
    }

    /// Per-channel correlation with a k×k FIR kernel after zero padding `padding` on every side
    /// (upfirdn2d with up = down = 1). x: [N, C, H, W]; kernel: [k, k]. Output
    /// [N, C, H + 2p − k + 1, W + 2p − k + 1]. With `activationBias` ([C]), each row also gets
    /// Tensor.fusedLeakyReLU's bias + lrelu(0.2)·√2 while it is in cache (same arithmetic).
    public func blur(_ x: Tensor, kernel: Tensor, padding: Int, activationBias: Tensor? = nil) -> Tensor {
        precondition(x.rank == 4 && kernel.rank == 2 && kernel.shape[0] == kernel.shape[1], "blur: input \(x.shape), kernel \(kernel.shape)")
        let (n, c, h, w) = (x.shape[0], x.shape[1], x.shape[2], x.shape[3])
        let k = kernel.shape[0]
        let (oh, ow) = (h + 2 * padding - k + 1, w + 2 * padding - k + 1)
        precondition(oh > 0 && ow > 0, "blur: \(h)×\(w) too small for a \(k)×\(k) kernel")
        // The kernel is flipped before correlating (upfirdn2d); symmetric kernels are unchanged.
        let taps = (0..<(k * k)).map { kernel.storage[(k - 1 - $0 / k) * k + (k - 1 - $0 % k)] }
        precondition(activationBias == nil || activationBias!.count == c, "blur: activation bias has \(activationBias!.count) values for \(c) channels")
        let shifts = activationBias?.storage ?? []
        let gain = Float(2).squareRoot(), negative = 0.2 * gain
        var out = Tensor(uninitialized: [n, c, oh, ow])
        multiplyAccumulates += n * c * oh * ow * k * k
        measure("blur") { x.storage.withUnsafeBufferPointer { input in
            out.storage.withUnsafeMutableBufferPointer { output in
                Parallel.forEachChunk(n * c, workers: threads) { range in
                    for index in range {
                        let src = input.baseAddress! + index * h * w, dst = output.baseAddress! + index * oh * ow
                        // Row by row as 16 shifted multiply-adds over contiguous spans (vectorisable).
                        for y in 0..<oh {
                            let line = dst + y * ow
                            line.update(repeating: 0, count: ow)
                            for u in 0..<k {
                                let iy = y + u - padding
                                guard iy >= 0 && iy < h else { continue }
                                let row = src + iy * w
                                for t in 0..<k {
                                    let tap = taps[u * k + t], shift = t - padding
                                    let lo = max(0, -shift), hi = min(ow, w - shift)
                                    guard lo < hi else { continue }
                                    let from = row + shift
                                    for v in lo..<hi { line[v] += tap * from[v] }
                                }
                            }
                            if !shifts.isEmpty {
                                let shift = shifts[index % c]
                                for i in 0..<ow { let v = line[i] + shift; line[i] = v < 0 ? v * negative : v * gain }
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
