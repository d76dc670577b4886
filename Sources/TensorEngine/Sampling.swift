// Bilinear sampling: grid_sample (zeros padding, align_corners = false) for the mesh warp, and
// the modulated deformable convolution (torchvision's deform_conv2d semantics: per-tap offsets,
// row first, a mask per tap, bilinear with zero outside), built as channels-last sampled columns
// and a GEMM per block of pixels.
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
    ///
    /// The input is turned channels-last once, so each bilinear corner is C contiguous floats, and
    /// the columns are [pixels × (tap, c)]: the A of a PackedGEMM product [pixels × O] with the
    /// weight (packed once per call) as B, then written back channel-major. They are built and
    /// multiplied a block of pixels at a time by the worker that owns the block, so the GEMM reads
    /// them from cache rather than memory (the whole columns are 38 MB at C = 64, 128×128). The
    /// block size depends only on the layer, so results do not depend on the thread count.
    public func deformableConv2d(_ x: Tensor, offset: Tensor, mask: Tensor, weight: Tensor) -> Tensor {
        let (n, c, h, w) = (x.shape[0], x.shape[1], x.shape[2], x.shape[3])
        let (o, kh, kw) = (weight.shape[0], weight.shape[2], weight.shape[3])
        let taps = kh * kw, pixels = h * w, depth = taps * c
        precondition(weight.shape[1] == c && offset.shape == [n, 2 * taps, h, w] && mask.shape == [n, taps, h, w],
                     "deformableConv2d: input \(x.shape), offset \(offset.shape), mask \(mask.shape), weight \(weight.shape)")
        var out = Tensor(uninitialized: [n, o, h, w])
        // About 1 MiB of columns per block (448 pixels at C = 64, 224 at C = 128): measured as fast
        // as 512 KiB and faster than 256 KiB (where the GEMMs get too narrow) or no blocks at all.
        let block = min(pixels, max(16, (1 << 18) / depth / 16 * 16))
        let blocks = (pixels + block - 1) / block
        let outputs = PackedGEMM.paddedColumns(o)   // the product's row: a pixel's O outputs, padded
        let kernel = buffer(Slot.gemm, count: outputs * depth)
        let channelsLast = buffer(Slot.sampling, count: pixels * c)
        let perWorker = block * depth + PackedGEMM.paddedRows(block) * outputs
        let columns = buffer(Slot.columns, count: min(threads, blocks) * perWorker)
        weight.storage.withUnsafeBufferPointer { weights in
            // The weight as [(tap, c) × O], the columns' order, packed as PackedGEMM's B.
            for row in 0..<outputs { for channel in 0..<c { for tap in 0..<taps {
                kernel[PackedGEMM.indexB(k: tap * c + channel, column: row, depth: depth)] =
                    row < o ? weights[(row * c + channel) * taps + tap] : 0
            } } }
        }
        let profiling = profile != nil
        x.storage.withUnsafeBufferPointer { input in
            offset.storage.withUnsafeBufferPointer { off in
                mask.storage.withUnsafeBufferPointer { m in
                    out.storage.withUnsafeMutableBufferPointer { output in
                        for image in 0..<n {
                            let started = profiling ? Profile.now() : 0
                            transposeToChannelsLast(input.baseAddress! + image * c * pixels, channels: c, pixels: pixels,
                                                    into: channelsLast)
                            let sampler = DeformableColumns(input: channelsLast, offset: off.baseAddress! + image * 2 * taps * pixels,
                                                            mask: m.baseAddress! + image * taps * pixels,
                                                            channels: c, height: h, width: w, kernelHeight: kh, kernelWidth: kw)
                            let result = output.baseAddress! + image * o * pixels
                            multiplyAccumulates += o * pixels * depth
                            let transposed = profiling ? Profile.now() : 0
                            // Per worker: nanoseconds spent sampling, then in GEMMs (for the profile).
                            withUnsafeTemporaryAllocation(of: UInt64.self, capacity: 2 * threads) { spent in
                                spent.initialize(repeating: 0)
                                Parallel.forEachIndexedChunk(blocks, workers: threads) { worker, range in
                                    let own = columns + worker * perWorker, product = own + block * depth
                                    for index in range {
                                        let start = index * block, end = min(pixels, start + block)
                                        let t0 = profiling ? Profile.now() : 0
                                        sampler.write(pixels: start..<end, into: own)
                                        let t1 = profiling ? Profile.now() : 0
                                        PackedGEMM.multiply(m: end - start, n: o, k: depth, rowMajorA: own, lda: depth,
                                                            b: kernel, c: product, ldc: outputs)
                                        channelMajor(product, pixels: end - start, channels: o, stride: outputs,
                                                     into: result + start, planeSize: pixels)
                                        if profiling {
                                            spent[2 * worker] += t1 - t0
                                            spent[2 * worker + 1] += Profile.now() - t1
                                        }
                                    }
                                }
                                guard let profile else { return }
                                // Sampling and GEMMs interleave, so their wall time is split by CPU-time shares.
                                let wall = Double(Profile.now() - transposed) / 1e9
                                var sampling = 0.0, gemm = 0.0
                                for worker in 0..<threads { sampling += Double(spent[2 * worker]); gemm += Double(spent[2 * worker + 1]) }
                                let share = sampling + gemm > 0 ? sampling / (sampling + gemm) : 0
                                profile.add(op: "deformable sampling", seconds: Double(transposed - started) / 1e9 + wall * share)
                                profile.add(op: "gemm deformable", seconds: wall * (1 - share))
                            }
                        }
                    }
                }
            }
        }
        return out
    }

    /// product[pixel × channel] (row stride `stride`) → out[channel · planeSize + pixel], eight
    /// channels at a time (one load per pixel, eight output rows written in step).
    private func channelMajor(_ product: UnsafePointer<Float>, pixels: Int, channels: Int, stride: Int,
                              into out: UnsafeMutablePointer<Float>, planeSize: Int) {
        var channel = 0
        while channel + 8 <= channels {
            for p in 0..<pixels {
                let values = UnsafeRawPointer(product + p * stride + channel).loadUnaligned(as: SIMD8<Float>.self)
                for lane in 0..<8 { out[(channel + lane) * planeSize + p] = values[lane] }
            }
            channel += 8
        }
        for rest in channel..<channels {
            for p in 0..<pixels { out[rest * planeSize + p] = product[p * stride + rest] }
        }
    }

    /// x[C × pixels] → out[pixels × C]. Eight planes are read side by side (few enough streams for
    /// the prefetcher, where one plane at a time would jump a page per value) and each pixel gets
    /// their eight values in one store.
    private func transposeToChannelsLast(_ x: UnsafePointer<Float>, channels: Int, pixels: Int,
                                         into out: UnsafeMutablePointer<Float>) {
        let tile = 256
        Parallel.forEachChunk((pixels + tile - 1) / tile, workers: threads) { tiles in
            for t in tiles {
                let start = t * tile, end = min(pixels, start + tile)
                var channel = 0
                while channel + 8 <= channels {
                    let q0 = x + channel * pixels, q1 = q0 + pixels, q2 = q1 + pixels, q3 = q2 + pixels
                    let q4 = q3 + pixels, q5 = q4 + pixels, q6 = q5 + pixels, q7 = q6 + pixels
                    for p in start..<end {
                        let values = SIMD8<Float>(q0[p], q1[p], q2[p], q3[p], q4[p], q5[p], q6[p], q7[p])
                        UnsafeMutableRawPointer(out + p * channels + channel).storeBytes(of: values, as: SIMD8<Float>.self)
                    }
                    channel += 8
                }
                for rest in channel..<channels {
                    let plane = x + rest * pixels
                    for p in start..<end { out[p * channels + rest] = plane[p] }
                }
            }
        }
    }
}

/// The deformable conv's columns for one image, channels-last: row p of a block holds, for each
/// tap k, the C masked bilinear samples at K = k·C + c.
private struct DeformableColumns {
    let input: UnsafePointer<Float>    // [pixels × C]
    let offset: UnsafePointer<Float>   // [2·taps × pixels], row offset first
    let mask: UnsafePointer<Float>     // [taps × pixels]
    let channels, height, width, kernelHeight, kernelWidth: Int

    /// Rows for output pixels `pixels`, written from `columns` on.
    func write(pixels: Range<Int>, into columns: UnsafeMutablePointer<Float>) {
        let plane = height * width
        let (ph, pw) = (kernelHeight / 2, kernelWidth / 2)
        var row = columns
        for p in pixels {
            let (y, v) = (p / width, p % width)
            var tap = 0
            for i in 0..<kernelHeight {
                for j in 0..<kernelWidth {
                    let py = Float(y - ph + i) + offset[2 * tap * plane + p]
                    let px = Float(v - pw + j) + offset[(2 * tap + 1) * plane + p]
                    var sample = BilinearTap(y: py, x: px, height: height, width: width, outsideBelowMinusOne: true)
                    sample.scale(by: mask[tap * plane + p])
                    sample.values(channelsLast: input, channels: channels, into: row)
                    row += channels
                    tap += 1
                }
            }
        }
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
        if outsideBelowMinusOne && !(y > -1 && y < Float(height) && x > -1 && x < Float(width)) { return }
        // Some neighbour is inside iff −2 < floor(y) < height, i.e. −1 ≤ y < height (false for NaN and ±∞).
        guard y >= -1, x >= -1, y < Float(height), x < Float(width) else { return }
        // Floor as truncation, one less for negatives with a fraction: `rounded(.down)` is a library
        // call on x86-64 without SSE4.1, and this runs for every tap of every pixel.
        var y0 = Int(y), x0 = Int(x)
        if Float(y0) > y { y0 -= 1 }
        if Float(x0) > x { x0 -= 1 }
        let fy = Float(y0), fx = Float(x0)
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

    /// The sample of every channel of a channels-last map ([pixels × C]) into out[0..<C], eight
    /// channels at a time, with the same arithmetic as `value` for each channel.
    @inline(__always) func values(channelsLast map: UnsafePointer<Float>, channels c: Int, into out: UnsafeMutablePointer<Float>) {
        let (w0, w1, w2, w3) = weight
        guard w0 != 0 || w1 != 0 || w2 != 0 || w3 != 0 else {   // outside the map, or masked out
            out.update(repeating: 0, count: c); return
        }
        let a = UnsafeRawPointer(map + Int(index.0) * c), b = UnsafeRawPointer(map + Int(index.1) * c)
        let d = UnsafeRawPointer(map + Int(index.2) * c), e = UnsafeRawPointer(map + Int(index.3) * c)
        let target = UnsafeMutableRawPointer(out)
        var channel = 0
        while channel + 8 <= c {
            let at = channel * MemoryLayout<Float>.stride
            let va: SIMD8<Float> = a.loadUnaligned(fromByteOffset: at, as: SIMD8<Float>.self)
            let vb: SIMD8<Float> = b.loadUnaligned(fromByteOffset: at, as: SIMD8<Float>.self)
            let vd: SIMD8<Float> = d.loadUnaligned(fromByteOffset: at, as: SIMD8<Float>.self)
            let ve: SIMD8<Float> = e.loadUnaligned(fromByteOffset: at, as: SIMD8<Float>.self)
            var sum: SIMD8<Float> = w0 * va
            sum += w1 * vb
            sum += w2 * vd
            sum += w3 * ve
            target.storeBytes(of: sum, toByteOffset: at, as: SIMD8<Float>.self)
            channel += 8
        }
        while channel < c {
            let at = channel * MemoryLayout<Float>.stride
            var sum: Float = w0 * a.load(fromByteOffset: at, as: Float.self)
            sum += w1 * b.load(fromByteOffset: at, as: Float.self)
            sum += w2 * d.load(fromByteOffset: at, as: Float.self)
            sum += w3 * e.load(fromByteOffset: at, as: Float.self)
            out[channel] = sum
            channel += 1
        }
    }
}
