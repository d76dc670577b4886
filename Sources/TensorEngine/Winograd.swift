// Winograd F(4×4, 3×3) for 3×3 stride-1 padding-1 convolutions (Lavin & Gray): each 6×6 input
// tile and each kernel are transformed so that a 4×4 output tile costs 36 products per
// input/output channel pair instead of 144. The products are 36 GEMMs [O×C]·[C×tiles] through
// PackedGEMM (both operands already in register-tile panels); the transforms are plain loops.
// `conv2d` (im2col) is the reference it is tested against.

/// A 3×3 kernel in the Winograd domain: U[p] = G·g·Gᵀ for each of the 36 positions p, each [O, C]
/// packed for PackedGEMM (O padded to whole register tiles), `positionSize` floats apart.
public struct WinogradKernel: Sendable {
    let transformed: [Float]
    public let outputs: Int, inputs: Int
    var positionSize: Int { PackedGEMM.paddedRows(outputs) * inputs }

    /// weight: [O, C, 3, 3].
    public init(_ weight: Tensor) {
        precondition(weight.rank == 4 && weight.shape[2] == 3 && weight.shape[3] == 3, "WinogradKernel wants [O, C, 3, 3], got \(weight.shape)")
        let (o, c) = (weight.shape[0], weight.shape[1])
        outputs = o; inputs = c
        let pairs = o * c
        // G·v for one column or row (v0, v1, v2) of four kernels at once: six values at out[0], out[stride], …
        @inline(__always) func g(_ v0: SIMD4<Double>, _ v1: SIMD4<Double>, _ v2: SIMD4<Double>,
                                 into out: UnsafeMutablePointer<SIMD4<Double>>, stride: Int) {
            out[0] = v0 / 4
            out[stride] = -(v0 + v1 + v2) / 6
            out[2 * stride] = -(v0 - v1 + v2) / 6
            out[3 * stride] = v0 / 24 + v1 / 12 + v2 / 6
            out[4 * stride] = v0 / 24 - v1 / 12 + v2 / 6
            out[5 * stride] = v2
        }
        // Four kernels at a time in one scratch block, with the arithmetic of one at a time (lanes are
        // independent): the upsampling convs' kernels have 4·O·C pairs, and per-pair arrays made
        // building them several times slower.
        let plain = [Float](unsafeUninitializedCapacity: 36 * pairs) { u, initialized in
            weight.storage.withUnsafeBufferPointer { w in
                withUnsafeTemporaryAllocation(of: SIMD4<Double>.self, capacity: 33) { scratch in
                    let k = scratch.baseAddress!, columns = k + 9, row = columns + 18   // columns[i * 3 + j]: G·g, 6×3
                    var first = 0
                    while first < pairs {
                        let lanes = min(4, pairs - first)
                        Winograd.loadTaps(w.baseAddress!, first: first, lanes: lanes, into: k)
                        for j in 0..<3 { g(k[j], k[3 + j], k[6 + j], into: columns + j, stride: 3) }
                        for i in 0..<6 {   // (G·g)·Gᵀ row by row → 6×6
                            g(columns[i * 3], columns[i * 3 + 1], columns[i * 3 + 2], into: row, stride: 1)
                            for j in 0..<6 {
                                let values = SIMD4<Float>(row[j]), target = u.baseAddress! + (i * 6 + j) * pairs + first
                                if lanes == 4 {
                                    SIMDMemory.store(values, target)
                                } else {
                                    for lane in 0..<lanes { target[lane] = values[lane] }
                                }
                            }
                        }
                        first += 4
                    }
                }
            }
            initialized = 36 * pairs
        }
        let size = PackedGEMM.paddedRows(o) * c
        transformed = [Float](unsafeUninitializedCapacity: 36 * size) { packed, initialized in
            plain.withUnsafeBufferPointer { u in
                for p in 0..<36 {
                    PackedGEMM.packA(u.baseAddress! + p * pairs, m: o, k: c, lda: c, into: packed.baseAddress! + p * size)
                }
            }
            initialized = 36 * size
        }
    }
}

extension Engine {
    /// activation(conv2d(x, weight, bias, stride 1, padding 1) + residual) through the Winograd
    /// kernel, the residual and activation applied as each output row is written (no extra pass).
    /// x: [N, C, H, W]; residual: the output's shape.
    public func conv3x3(_ x: Tensor, kernel: WinogradKernel, bias: Tensor?, adding residual: Tensor? = nil,
                        activation: Activation = .none) -> Tensor {
        precondition(x.rank == 4 && x.shape[1] == kernel.inputs, "conv3x3: input \(x.shape) for a kernel taking \(kernel.inputs) channels")
        let (n, c, h, w) = (x.shape[0], x.shape[1], x.shape[2], x.shape[3])
        let o = kernel.outputs
        let (tilesY, tilesX) = ((h + 3) / 4, (w + 3) / 4)
        var out = Tensor(uninitialized: [n, o, h, w])
        let biasValues = bias?.storage ?? [Float](repeating: 0, count: o)
        precondition(biasValues.count == o, "conv3x3: bias has \(biasValues.count) values for \(o) outputs")
        precondition(residual == nil || residual!.shape == [n, o, h, w], "conv3x3: residual \(residual!.shape) for output \([n, o, h, w])")
        let extra = residual?.storage ?? []
        multiplyAccumulates += n * 36 * o * c * tilesY * tilesX
        x.storage.withUnsafeBufferPointer { input in
            out.storage.withUnsafeMutableBufferPointer { output in
                kernel.transformed.withUnsafeBufferPointer { u in
                    extra.withUnsafeBufferPointer { added in
                    for image in 0..<n {
                        let source = input.baseAddress! + image * c * h * w
                        let target = output.baseAddress! + image * o * h * w
                        let epilogue = Winograd.Epilogue(residual: residual == nil ? nil : added.baseAddress! + image * o * h * w,
                                                         activation: activation)
                        if let rowsPerBlock = Winograd.blockTileRows(tilesY: tilesY, tilesX: tilesX) {
                            measure("winograd blocked (transforms + gemm)") {
                                winogradBlocked(source, channels: c, height: h, width: w, kernel: u.baseAddress!, kernelStride: kernel.positionSize, outputs: o,
                                                bias: biasValues, epilogue: epilogue, rowsPerBlock: rowsPerBlock, into: target)
                            }
                        } else {
                            winogradWhole(source, channels: c, height: h, width: w, kernel: u.baseAddress!, kernelStride: kernel.positionSize, outputs: o,
                                          bias: biasValues, epilogue: epilogue, into: target)
                        }
                    }
                    }
                }
            }
        }
        return out
    }

    /// Small maps: every tile at once, the 36 products shared out among the workers (one product
    /// per GEMM keeps the GEMMs wide enough to be efficient).
    private func winogradWhole(_ source: UnsafePointer<Float>, channels c: Int, height h: Int, width w: Int,
                               kernel u: UnsafePointer<Float>, kernelStride: Int, outputs o: Int, bias: [Float], epilogue: Winograd.Epilogue,
                               into target: UnsafeMutablePointer<Float>) {
        let (tilesY, tilesX) = ((h + 3) / 4, (w + 3) / 4)
        let tiles = tilesY * tilesX, columns = PackedGEMM.paddedColumns(tiles)
        let (sv, sm) = (Winograd.skewed(c * columns), Winograd.skewed(PackedGEMM.paddedRows(o) * columns))
        let v = buffer(Slot.columns, count: 36 * sv)
        let m = buffer(Slot.gemm, count: 36 * sm)
        measure("winograd input transform") {
            Parallel.forEachChunk(c, workers: threads) { channels in
                for channel in channels {
                    let panel = Winograd.Panels(base: v, channel: channel, depth: c, positionStride: sv)
                    Winograd.transformInput(source + channel * h * w, height: h, width: w, tileRows: 0..<tilesY, tilesX: tilesX, into: panel)
                    panel.zero(tiles..<columns)
                }
            }
        }
        measure("winograd gemm") {
            Parallel.forEachChunk(36, workers: threads) { positions in
                for p in positions {
                    PackedGEMM.multiply(m: o, n: tiles, k: c, a: u + p * kernelStride, b: v + p * sv, c: m + p * sm, ldc: columns)
                }
            }
        }
        measure("winograd output transform") {
            Parallel.forEachChunk(o, workers: threads) { range in
                for channel in range {
                    Winograd.transformOutput(m + channel * columns, positionStride: sm, tileRows: 0..<tilesY, tilesX: tilesX,
                                             bias: bias[channel], epilogue: epilogue, channel: channel,
                                             into: target + channel * h * w, height: h, width: w)
                }
            }
        }
    }

    /// Large maps: blocks of whole tile rows, each taken through input transform, 36 GEMMs and
    /// output transform by one worker while its transformed tiles are still in cache, instead of
    /// three passes over Winograd-domain arrays 2.25 times the size of the maps. The blocks do not
    /// depend on the worker count, so neither do the results.
    private func winogradBlocked(_ source: UnsafePointer<Float>, channels c: Int, height h: Int, width w: Int,
                                 kernel u: UnsafePointer<Float>, kernelStride: Int, outputs o: Int, bias: [Float], epilogue: Winograd.Epilogue,
                                 rowsPerBlock: Int, into target: UnsafeMutablePointer<Float>) {
        let (tilesY, tilesX) = ((h + 3) / 4, (w + 3) / 4)
        let blocks = (tilesY + rowsPerBlock - 1) / rowsPerBlock
        let columns = PackedGEMM.paddedColumns(rowsPerBlock * tilesX)   // of a full block
        let (sv, sm) = (Winograd.skewed(c * columns), Winograd.skewed(PackedGEMM.paddedRows(o) * columns))
        let perWorker = 36 * (sv + sm)
        let workers = min(threads, blocks)
        let scratch = buffer(Slot.columns, count: workers * perWorker)
        Parallel.forEachIndexedChunk(blocks, workers: workers) { worker, range in
            let v = scratch + worker * perWorker, m = v + 36 * sv
            for block in range {
                let rows = (block * rowsPerBlock)..<min(tilesY, (block + 1) * rowsPerBlock)
                let tiles = rows.count * tilesX
                for channel in 0..<c {
                    let panel = Winograd.Panels(base: v, channel: channel, depth: c, positionStride: sv)
                    Winograd.transformInput(source + channel * h * w, height: h, width: w, tileRows: rows, tilesX: tilesX, into: panel)
                    panel.zero(tiles..<PackedGEMM.paddedColumns(tiles))
                }
                for p in 0..<36 {
                    PackedGEMM.multiply(m: o, n: tiles, k: c, a: u + p * kernelStride, b: v + p * sv, c: m + p * sm, ldc: columns)
                }
                for channel in 0..<o {
                    Winograd.transformOutput(m + channel * columns, positionStride: sm, tileRows: rows, tilesX: tilesX,
                                             bias: bias[channel], epilogue: epilogue, channel: channel,
                                             into: target + channel * h * w, height: h, width: w)
                }
            }
        }
    }
}

/// What conv3x3 applies to its output after the bias, in this order.
public enum Activation: Sendable {
    case none
    /// max(x, 0), as Tensor.relu.
    case relu
    /// lrelu(x, 0.2)·√2, as Tensor.fusedLeakyReLU after its bias (give that bias as the conv's).
    case scaledLeakyReLU
}

enum Winograd {
    /// The residual added and the activation applied to each output row as it is written, with
    /// the same arithmetic as Tensor.add, relu and fusedLeakyReLU on the finished output.
    struct Epilogue {
        let residual: UnsafePointer<Float>?   // the image's residual, [O, H, W]
        let activation: Activation

        /// row[i] for i < count is element `offset + i` of the image's output.
        @inline(__always) func apply(_ row: UnsafeMutablePointer<Float>, count: Int, at offset: Int) {
            if let residual {
                let added = residual + offset
                for i in 0..<count { row[i] += added[i] }
            }
            switch activation {
            case .none: break
            case .relu: for i in 0..<count { row[i] = max(row[i], 0) }
            case .scaledLeakyReLU: for i in 0..<count { row[i] = scaledLeakyReLU(row[i]) }
            }
        }
    }

    /// One input channel's row of the 36 B operands of PackedGEMM: tile t of position q is
    /// base[q · positionStride + (t / 16) · 16 · depth + channel · 16 + t mod 16].
    struct Panels {
        let start: UnsafeMutablePointer<Float>, panel: Int, positionStride: Int
        init(base: UnsafeMutablePointer<Float>, channel: Int, depth: Int, positionStride: Int) {
            start = base + channel * PackedGEMM.columns
            panel = PackedGEMM.columns * depth
            self.positionStride = positionStride
        }
        /// Tile t of position 0; position q is q · positionStride further.
        @inline(__always) func tile(_ t: Int) -> UnsafeMutablePointer<Float> {
            start + (t / PackedGEMM.columns) * panel + t % PackedGEMM.columns
        }
        /// Zeros at tiles `range` of every position (the padding of the last panel).
        func zero(_ range: Range<Int>) {
            for t in range { for q in 0..<36 { tile(t)[q * positionStride] = 0 } }
        }
    }

    /// The distance between two positions' matrices in the Winograd-domain buffers: at least
    /// `count` floats, and one cache line past a multiple of 4 KiB. The transforms write (and
    /// read) all 36 positions of a tile at once; at a plain power-of-two distance those 36 streams
    /// would share one L1 set and evict each other.
    static func skewed(_ count: Int) -> Int { (count + 1023) / 1024 * 1024 + 16 }

    /// Tile rows per block for the blocked path, or nil for maps too small to give each of two
    /// workers several blocks of about 64 tiles (GEMMs 64 columns wide; at 2 threads 6 % faster a
    /// frame than 128-tile blocks once the GEMMs no longer went through OpenBLAS).
    static func blockTileRows(tilesY: Int, tilesX: Int) -> Int? {
        let rows = max(1, 64 / tilesX)
        return tilesY / rows >= 4 ? rows : nil
    }

    /// Bᵀ·d·B for every 6×6 tile (stride 4, starting one pixel above-left, zeros outside) in the
    /// tile rows `tileRows` of one channel; position p of tile t (counted from the first of those
    /// rows) goes to `panels` (see Panels). Vectorised across a row
    /// of tiles: the vertical transform runs on whole padded rows, then each transformed row is
    /// split into its four phases (x mod 4) so the horizontal transform reads contiguous spans.
    static func transformInput(_ plane: UnsafePointer<Float>, height: Int, width: Int, tileRows: Range<Int>, tilesX: Int,
                               into panels: Panels) {
        let positionStride = panels.positionStride
        let span = 4 * tilesX + 4, phase = tilesX + 1
        withUnsafeTemporaryAllocation(of: Float.self, capacity: 12 * span + 24 * phase) { scratch in
            let rows = scratch.baseAddress!, t = rows + 6 * span, p = t + 6 * span
            for ty in tileRows {
                // The six input rows of this tile row, x from −1, zero outside the map.
                for r in 0..<6 {
                    let y = 4 * ty - 1 + r, row = rows + r * span
                    if y >= 0 && y < height {
                        let count = min(width, span - 1)
                        row[0] = 0
                        (row + 1).update(from: plane + y * width, count: count)
                        (row + 1 + count).update(repeating: 0, count: span - 1 - count)
                    } else {
                        row.update(repeating: 0, count: span)
                    }
                }
                let d0 = rows, d1 = rows + span, d2 = rows + 2 * span, d3 = rows + 3 * span, d4 = rows + 4 * span, d5 = rows + 5 * span
                var x = 0
                while x + 16 <= span {
                    inputStep(load16(d0 + x), load16(d1 + x), load16(d2 + x), load16(d3 + x), load16(d4 + x), load16(d5 + x), into: (t + x, span))
                    x += 16
                }
                while x + 4 <= span {   // span is a multiple of 4
                    inputStep(load4(d0 + x), load4(d1 + x), load4(d2 + x), load4(d3 + x), load4(d4 + x), load4(d5 + x), into: (t + x, span))
                    x += 4
                }
                // Every row split into its phases first, then every horizontal transform: reading
                // p0[tx + 1] straight after the 4-wide stores that wrote it would straddle two
                // stores still in flight (a store-forwarding stall on every load).
                for i in 0..<6 {
                    let row = t + i * span
                    let p0 = p + 4 * i * phase, p1 = p0 + phase, p2 = p1 + phase, p3 = p2 + phase
                    var m = 0
                    while m + 4 <= phase {   // four tiles' worth at a time, as a 4×4 transpose
                        let (a, b, c, d) = transpose(load4(row + 4 * m), load4(row + 4 * m + 4), load4(row + 4 * m + 8), load4(row + 4 * m + 12))
                        SIMDMemory.store(a, p0 + m); SIMDMemory.store(b, p1 + m); SIMDMemory.store(c, p2 + m); SIMDMemory.store(d, p3 + m)
                        m += 4
                    }
                    while m < phase { p0[m] = row[4 * m]; p1[m] = row[4 * m + 1]; p2[m] = row[4 * m + 2]; p3[m] = row[4 * m + 3]; m += 1 }
                }
                for i in 0..<6 {
                    let p0 = p + 4 * i * phase, p1 = p0 + phase, p2 = p1 + phase, p3 = p2 + phase
                    let first = (ty - tileRows.lowerBound) * tilesX, row = 6 * i * positionStride
                    var tx = 0
                    // A whole panel of tiles at a time where one starts, then four at a time while they
                    // sit in one panel.
                    while tx + 16 <= tilesX && (first + tx) % PackedGEMM.columns == 0 {
                        inputStep(load16(p0 + tx), load16(p1 + tx), load16(p2 + tx), load16(p3 + tx), load16(p0 + tx + 1), load16(p1 + tx + 1),
                                  into: (panels.tile(first + tx) + row, positionStride))
                        tx += 16
                    }
                    while tx + 4 <= tilesX && (first + tx) % PackedGEMM.columns <= PackedGEMM.columns - 4 {
                        inputStep(load4(p0 + tx), load4(p1 + tx), load4(p2 + tx), load4(p3 + tx), load4(p0 + tx + 1), load4(p1 + tx + 1),
                                  into: (panels.tile(first + tx) + row, positionStride))
                        tx += 4
                    }
                    while tx < tilesX {
                        let o0 = panels.tile(first + tx) + row, o1 = o0 + positionStride, o2 = o1 + positionStride
                        let o3 = o2 + positionStride, o4 = o3 + positionStride, o5 = o4 + positionStride
                        let r0 = p0[tx], r1 = p1[tx], r2 = p2[tx], r3 = p3[tx], r4 = p0[tx + 1], r5 = p1[tx + 1]
                        o0[0] = 4 * r0 - 5 * r2 + r4
                        o1[0] = -4 * (r1 + r2) + r3 + r4
                        o2[0] = 4 * (r1 - r2) - r3 + r4
                        o3[0] = -2 * (r1 - r3) - r2 + r4
                        o4[0] = 2 * (r1 - r3) - r2 + r4
                        o5[0] = 4 * r1 - 5 * r3 + r5
                        tx += 1
                    }
                }
            }
        }
    }

    /// Aᵀ·m·A for every tile in the tile rows `tileRows` of one output channel (tile t counted from
    /// the first of those rows), plus the bias, written where it lies inside the map. Vectorised across a row of tiles like the input transform.
    static func transformOutput(_ m: UnsafePointer<Float>, positionStride: Int, tileRows: Range<Int>, tilesX: Int, bias: Float,
                                epilogue: Epilogue, channel: Int,
                                into plane: UnsafeMutablePointer<Float>, height: Int, width: Int) {
        withUnsafeTemporaryAllocation(of: Float.self, capacity: 40 * tilesX) { scratch in
            let s = scratch.baseAddress!, y = s + 24 * tilesX   // s[i][q][tx] (6×4 rows), y[r][q][tx] (4×4 rows)
            for ty in tileRows {
                for i in 0..<6 {
                    let base = m + (6 * i) * positionStride + (ty - tileRows.lowerBound) * tilesX
                    let m0 = base, m1 = base + positionStride, m2 = base + 2 * positionStride
                    let m3 = base + 3 * positionStride, m4 = base + 4 * positionStride, m5 = base + 5 * positionStride
                    let s0 = s + (4 * i) * tilesX, s1 = s0 + tilesX, s2 = s1 + tilesX, s3 = s2 + tilesX
                    var tx = 0
                    while tx + 16 <= tilesX {
                        outputStep(load16(m0 + tx), load16(m1 + tx), load16(m2 + tx), load16(m3 + tx), load16(m4 + tx), load16(m5 + tx),
                                   bias: nil, into: (s0 + tx, tilesX))
                        tx += 16
                    }
                    while tx + 4 <= tilesX {
                        outputStep(load4(m0 + tx), load4(m1 + tx), load4(m2 + tx), load4(m3 + tx), load4(m4 + tx), load4(m5 + tx),
                                   bias: nil, into: (s0 + tx, tilesX))
                        tx += 4
                    }
                    while tx < tilesX {
                        let a = m1[tx] + m2[tx], b = m1[tx] - m2[tx], c = m3[tx] + m4[tx], d = m3[tx] - m4[tx]
                        s0[tx] = m0[tx] + a + c
                        s1[tx] = b + 2 * d
                        s2[tx] = a + 4 * c
                        s3[tx] = b + 8 * d + m5[tx]
                        tx += 1
                    }
                }
                for q in 0..<4 {
                    let r0 = s + q * tilesX, r1 = r0 + 4 * tilesX, r2 = r1 + 4 * tilesX
                    let r3 = r2 + 4 * tilesX, r4 = r3 + 4 * tilesX, r5 = r4 + 4 * tilesX
                    let y0 = y + q * tilesX, y1 = y0 + 4 * tilesX, y2 = y1 + 4 * tilesX, y3 = y2 + 4 * tilesX
                    var tx = 0
                    while tx + 16 <= tilesX {
                        outputStep(load16(r0 + tx), load16(r1 + tx), load16(r2 + tx), load16(r3 + tx), load16(r4 + tx), load16(r5 + tx),
                                   bias: bias, into: (y0 + tx, 4 * tilesX))
                        tx += 16
                    }
                    while tx + 4 <= tilesX {
                        outputStep(load4(r0 + tx), load4(r1 + tx), load4(r2 + tx), load4(r3 + tx), load4(r4 + tx), load4(r5 + tx),
                                   bias: bias, into: (y0 + tx, 4 * tilesX))
                        tx += 4
                    }
                    while tx < tilesX {
                        let a = r1[tx] + r2[tx], b = r1[tx] - r2[tx], c = r3[tx] + r4[tx], d = r3[tx] - r4[tx]
                        y0[tx] = r0[tx] + a + c + bias
                        y1[tx] = b + 2 * d + bias
                        y2[tx] = a + 4 * c + bias
                        y3[tx] = b + 8 * d + r5[tx] + bias
                        tx += 1
                    }
                }
                for r in 0..<min(4, height - 4 * ty) {
                    let row = plane + (4 * ty + r) * width, values = y + r * 4 * tilesX
                    let full = min(width / 4, tilesX)
                    var tx = 0
                    while tx + 4 <= full {   // four tiles at a time, as a 4×4 transpose
                        let (a, b, c, d) = transpose(load4(values + tx), load4(values + tilesX + tx),
                                                     load4(values + 2 * tilesX + tx), load4(values + 3 * tilesX + tx))
                        SIMDMemory.store(a, row + 4 * tx); SIMDMemory.store(b, row + 4 * tx + 4); SIMDMemory.store(c, row + 4 * tx + 8); SIMDMemory.store(d, row + 4 * tx + 12)
                        tx += 4
                    }
                    while tx < full {
                        row[4 * tx] = values[tx]; row[4 * tx + 1] = values[tilesX + tx]
                        row[4 * tx + 2] = values[2 * tilesX + tx]; row[4 * tx + 3] = values[3 * tilesX + tx]
                        tx += 1
                    }
                    for x in (4 * full)..<width { row[x] = values[(x % 4) * tilesX + x / 4] }
                    epilogue.apply(row, count: width, at: channel * height * width + (4 * ty + r) * width)
                }
            }
        }
    }

    /// The nine taps of 3×3 kernels first ..< first + lanes (lanes ≤ 4) of `w` ([pairs, 9]) as the
    /// lanes of taps[0 ..< 9], in Double; unused lanes are 0.
    @inline(__always) static func loadTaps(_ w: UnsafePointer<Float>, first: Int, lanes: Int, into taps: UnsafeMutablePointer<SIMD4<Double>>) {
        for t in 0..<9 {
            var v = SIMD4<Double>(repeating: 0)
            for lane in 0..<lanes { v[lane] = Double(w[(first + lane) * 9 + t]) }
            taps[t] = v
        }
    }

    /// Bᵀ·d for six values d0 … d5 in each lane (4 or 16 tiles or columns side by side): the input
    /// transform along one axis. Every lane has the same arithmetic whatever the width.
    @inline(__always) static func inputStep<V: SIMD>(_ d0: V, _ d1: V, _ d2: V, _ d3: V, _ d4: V, _ d5: V,
                                                     into out: (UnsafeMutablePointer<Float>, Int)) where V.Scalar == Float {
        let (target, stride) = out
        SIMDMemory.store(4 * d0 - 5 * d2 + d4, target)
        SIMDMemory.store(-4 * (d1 + d2) + d3 + d4, target + stride)
        SIMDMemory.store(4 * (d1 - d2) - d3 + d4, target + 2 * stride)
        SIMDMemory.store(-2 * (d1 - d3) - d2 + d4, target + 3 * stride)
        SIMDMemory.store(2 * (d1 - d3) - d2 + d4, target + 4 * stride)
        SIMDMemory.store(4 * d1 - 5 * d3 + d5, target + 5 * stride)
    }

    /// Aᵀ·m (+ bias, when given) for six values m0 … m5 in each lane: the output transform along
    /// one axis, four rows `stride` apart.
    @inline(__always) static func outputStep<V: SIMD>(_ m0: V, _ m1: V, _ m2: V, _ m3: V, _ m4: V, _ m5: V, bias: Float?,
                                                      into out: (UnsafeMutablePointer<Float>, Int)) where V.Scalar == Float {
        let (target, stride) = out
        let a = m1 + m2, b = m1 - m2, c = m3 + m4, d = m3 - m4
        var y = (m0 + a + c, b + 2 * d, a + 4 * c, b + 8 * d + m5)
        if let bias { y = (y.0 + bias, y.1 + bias, y.2 + bias, y.3 + bias) }
        SIMDMemory.store(y.0, target)
        SIMDMemory.store(y.1, target + stride)
        SIMDMemory.store(y.2, target + 2 * stride)
        SIMDMemory.store(y.3, target + 3 * stride)
    }

    /// Four or sixteen floats from p (SIMDMemory, with the width spelled out for the call sites).
    @inline(__always) static func load4(_ p: UnsafePointer<Float>) -> SIMD4<Float> { SIMDMemory.load(p) }
    @inline(__always) static func load4(_ p: UnsafeMutablePointer<Float>) -> SIMD4<Float> { SIMDMemory.load(p) }
    @inline(__always) static func load16(_ p: UnsafePointer<Float>) -> SIMD16<Float> { SIMDMemory.load(p) }
    @inline(__always) static func load16(_ p: UnsafeMutablePointer<Float>) -> SIMD16<Float> { SIMDMemory.load(p) }
    /// The 4×4 matrix with rows a, b, c, d, transposed.
    @inline(__always) static func transpose(_ a: SIMD4<Float>, _ b: SIMD4<Float>, _ c: SIMD4<Float>, _ d: SIMD4<Float>)
        -> (SIMD4<Float>, SIMD4<Float>, SIMD4<Float>, SIMD4<Float>) {
        (SIMD4(a[0], b[0], c[0], d[0]), SIMD4(a[1], b[1], c[1], d[1]),
         SIMD4(a[2], b[2], c[2], d[2]), SIMD4(a[3], b[3], c[3], d[3]))
    }
}
