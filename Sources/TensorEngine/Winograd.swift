// Winograd F(4×4, 3×3) for 3×3 stride-1 padding-1 convolutions (Lavin & Gray): each 6×6 input
// tile and each kernel are transformed so that a 4×4 output tile costs 36 products per
// input/output channel pair instead of 144. The products are 36 GEMMs [O×C]·[C×tiles] through
// OpenBLAS; the transforms are plain loops. `conv2d` (im2col) is the reference it is tested against.

/// A 3×3 kernel in the Winograd domain: U[p] = G·g·Gᵀ for each of the 36 positions p, [36, O, C].
public struct WinogradKernel: Sendable {
    let transformed: [Float]
    public let outputs: Int, inputs: Int

    /// weight: [O, C, 3, 3].
    public init(_ weight: Tensor) {
        precondition(weight.rank == 4 && weight.shape[2] == 3 && weight.shape[3] == 3, "WinogradKernel wants [O, C, 3, 3], got \(weight.shape)")
        let (o, c) = (weight.shape[0], weight.shape[1])
        outputs = o; inputs = c
        var u = [Float](repeating: 0, count: 36 * o * c)
        func g(_ v: (Double, Double, Double)) -> [Double] {
            [v.0 / 4, -(v.0 + v.1 + v.2) / 6, -(v.0 - v.1 + v.2) / 6,
             v.0 / 24 + v.1 / 12 + v.2 / 6, v.0 / 24 - v.1 / 12 + v.2 / 6, v.2]
        }
        weight.storage.withUnsafeBufferPointer { w in
            for pair in 0..<(o * c) {
                let k = (0..<9).map { Double(w[pair * 9 + $0]) }
                // G·g: columns of the 3×3 kernel → 6×3, then (G·g)·Gᵀ row by row → 6×6.
                let columns = (0..<3).map { j in g((k[j], k[3 + j], k[6 + j])) }   // columns[j][i]
                for i in 0..<6 {
                    let row = g((columns[0][i], columns[1][i], columns[2][i]))
                    for j in 0..<6 { u[(i * 6 + j) * o * c + pair] = Float(row[j]) }
                }
            }
        }
        transformed = u
    }
}

extension Engine {
    /// conv2d(x, weight, bias, stride 1, padding 1) through the Winograd kernel. x: [N, C, H, W].
    public func conv3x3(_ x: Tensor, kernel: WinogradKernel, bias: Tensor?) -> Tensor {
        precondition(x.rank == 4 && x.shape[1] == kernel.inputs, "conv3x3: input \(x.shape) for a kernel taking \(kernel.inputs) channels")
        let (n, c, h, w) = (x.shape[0], x.shape[1], x.shape[2], x.shape[3])
        let o = kernel.outputs
        let (tilesY, tilesX) = ((h + 3) / 4, (w + 3) / 4)
        let tiles = tilesY * tilesX
        var out = Tensor(uninitialized: [n, o, h, w])
        let v = buffer(Slot.columns, count: 36 * c * tiles)
        let m = buffer(Slot.gemm, count: 36 * o * tiles)
        let biasValues = bias?.storage ?? [Float](repeating: 0, count: o)
        precondition(biasValues.count == o, "conv3x3: bias has \(biasValues.count) values for \(o) outputs")
        x.storage.withUnsafeBufferPointer { input in
            out.storage.withUnsafeMutableBufferPointer { output in
                kernel.transformed.withUnsafeBufferPointer { u in
                    for image in 0..<n {
                        let source = input.baseAddress! + image * c * h * w
                        measure("winograd input transform") {
                            Parallel.forEachChunk(c, workers: threads) { channels in
                                for channel in channels {
                                    Winograd.transformInput(source + channel * h * w, height: h, width: w,
                                                            tilesY: tilesY, tilesX: tilesX,
                                                            into: v + channel * tiles, positionStride: c * tiles)
                                }
                            }
                        }
                        multiplyAccumulates += 36 * o * c * tiles
                        // The 36 products are independent: each worker takes whole GEMMs.
                        measure("winograd gemm") {
                            Parallel.forEachChunk(36, workers: threads) { positions in
                                for p in positions {
                                    BLAS.sgemm(m: o, n: tiles, k: c, a: u.baseAddress! + p * o * c, lda: c,
                                               b: v + p * c * tiles, ldb: tiles, c: m + p * o * tiles, ldc: tiles, beta: 0)
                                }
                            }
                        }
                        let target = output.baseAddress! + image * o * h * w
                        measure("winograd output transform") {
                            Parallel.forEachChunk(o, workers: threads) { range in
                                for channel in range {
                                    Winograd.transformOutput(m + channel * tiles, positionStride: o * tiles,
                                                             tilesY: tilesY, tilesX: tilesX, bias: biasValues[channel],
                                                             into: target + channel * h * w, height: h, width: w)
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

enum Winograd {
    /// Bᵀ·d·B for every 6×6 tile (stride 4, starting one pixel above-left, zeros outside) of one
    /// channel; position p of tile t goes to into[p · positionStride + t]. Vectorised across a row
    /// of tiles: the vertical transform runs on whole padded rows, then each transformed row is
    /// split into its four phases (x mod 4) so the horizontal transform reads contiguous spans.
    static func transformInput(_ plane: UnsafePointer<Float>, height: Int, width: Int, tilesY: Int, tilesX: Int,
                               into v: UnsafeMutablePointer<Float>, positionStride: Int) {
        let span = 4 * tilesX + 4, phase = tilesX + 1
        withUnsafeTemporaryAllocation(of: Float.self, capacity: 12 * span + 4 * phase) { scratch in
            let rows = scratch.baseAddress!, t = rows + 6 * span, p = t + 6 * span
            for ty in 0..<tilesY {
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
                let t0 = t, t1 = t + span, t2 = t + 2 * span, t3 = t + 3 * span, t4 = t + 4 * span, t5 = t + 5 * span
                for x in 0..<span {
                    t0[x] = 4 * d0[x] - 5 * d2[x] + d4[x]
                    t1[x] = -4 * (d1[x] + d2[x]) + d3[x] + d4[x]
                    t2[x] = 4 * (d1[x] - d2[x]) - d3[x] + d4[x]
                    t3[x] = -2 * (d1[x] - d3[x]) - d2[x] + d4[x]
                    t4[x] = 2 * (d1[x] - d3[x]) - d2[x] + d4[x]
                    t5[x] = 4 * d1[x] - 5 * d3[x] + d5[x]
                }
                let p0 = p, p1 = p + phase, p2 = p + 2 * phase, p3 = p + 3 * phase
                for i in 0..<6 {
                    let row = t + i * span
                    var m = 0
                    while m + 4 <= phase {   // four tiles' worth at a time, as a 4×4 transpose
                        let (a, b, c, d) = transpose(load4(row + 4 * m), load4(row + 4 * m + 4), load4(row + 4 * m + 8), load4(row + 4 * m + 12))
                        store4(a, p0 + m); store4(b, p1 + m); store4(c, p2 + m); store4(d, p3 + m)
                        m += 4
                    }
                    while m < phase { p0[m] = row[4 * m]; p1[m] = row[4 * m + 1]; p2[m] = row[4 * m + 2]; p3[m] = row[4 * m + 3]; m += 1 }
                    let base = v + (6 * i) * positionStride + ty * tilesX
                    let o0 = base, o1 = base + positionStride, o2 = base + 2 * positionStride
                    let o3 = base + 3 * positionStride, o4 = base + 4 * positionStride, o5 = base + 5 * positionStride
                    for tx in 0..<tilesX {
                        let r0 = p0[tx], r1 = p1[tx], r2 = p2[tx], r3 = p3[tx], r4 = p0[tx + 1], r5 = p1[tx + 1]
                        o0[tx] = 4 * r0 - 5 * r2 + r4
                        o1[tx] = -4 * (r1 + r2) + r3 + r4
                        o2[tx] = 4 * (r1 - r2) - r3 + r4
                        o3[tx] = -2 * (r1 - r3) - r2 + r4
                        o4[tx] = 2 * (r1 - r3) - r2 + r4
                        o5[tx] = 4 * r1 - 5 * r3 + r5
                    }
                }
            }
        }
    }

    /// Aᵀ·m·A for every tile of one output channel, plus the bias, written where it lies inside the
    /// map. Vectorised across a row of tiles like the input transform.
    static func transformOutput(_ m: UnsafePointer<Float>, positionStride: Int, tilesY: Int, tilesX: Int, bias: Float,
                                into plane: UnsafeMutablePointer<Float>, height: Int, width: Int) {
        withUnsafeTemporaryAllocation(of: Float.self, capacity: 40 * tilesX) { scratch in
            let s = scratch.baseAddress!, y = s + 24 * tilesX   // s[i][q][tx] (6×4 rows), y[r][q][tx] (4×4 rows)
            for ty in 0..<tilesY {
                for i in 0..<6 {
                    let base = m + (6 * i) * positionStride + ty * tilesX
                    let m0 = base, m1 = base + positionStride, m2 = base + 2 * positionStride
                    let m3 = base + 3 * positionStride, m4 = base + 4 * positionStride, m5 = base + 5 * positionStride
                    let s0 = s + (4 * i) * tilesX, s1 = s0 + tilesX, s2 = s1 + tilesX, s3 = s2 + tilesX
                    for tx in 0..<tilesX {
                        let a = m1[tx] + m2[tx], b = m1[tx] - m2[tx], c = m3[tx] + m4[tx], d = m3[tx] - m4[tx]
                        s0[tx] = m0[tx] + a + c
                        s1[tx] = b + 2 * d
                        s2[tx] = a + 4 * c
                        s3[tx] = b + 8 * d + m5[tx]
                    }
                }
                for q in 0..<4 {
                    let r0 = s + q * tilesX, r1 = r0 + 4 * tilesX, r2 = r1 + 4 * tilesX
                    let r3 = r2 + 4 * tilesX, r4 = r3 + 4 * tilesX, r5 = r4 + 4 * tilesX
                    let y0 = y + q * tilesX, y1 = y0 + 4 * tilesX, y2 = y1 + 4 * tilesX, y3 = y2 + 4 * tilesX
                    for tx in 0..<tilesX {
                        let a = r1[tx] + r2[tx], b = r1[tx] - r2[tx], c = r3[tx] + r4[tx], d = r3[tx] - r4[tx]
                        y0[tx] = r0[tx] + a + c + bias
                        y1[tx] = b + 2 * d + bias
                        y2[tx] = a + 4 * c + bias
                        y3[tx] = b + 8 * d + r5[tx] + bias
                    }
                }
                for r in 0..<min(4, height - 4 * ty) {
                    let row = plane + (4 * ty + r) * width, values = y + r * 4 * tilesX
                    let full = min(width / 4, tilesX)
                    var tx = 0
                    while tx + 4 <= full {   // four tiles at a time, as a 4×4 transpose
                        let (a, b, c, d) = transpose(load4(values + tx), load4(values + tilesX + tx),
                                                     load4(values + 2 * tilesX + tx), load4(values + 3 * tilesX + tx))
                        store4(a, row + 4 * tx); store4(b, row + 4 * tx + 4); store4(c, row + 4 * tx + 8); store4(d, row + 4 * tx + 12)
                        tx += 4
                    }
                    while tx < full {
                        row[4 * tx] = values[tx]; row[4 * tx + 1] = values[tilesX + tx]
                        row[4 * tx + 2] = values[2 * tilesX + tx]; row[4 * tx + 3] = values[3 * tilesX + tx]
                        tx += 1
                    }
                    for x in (4 * full)..<width { row[x] = values[(x % 4) * tilesX + x / 4] }
                }
            }
        }
    }

    @inline(__always) static func load4(_ p: UnsafePointer<Float>) -> SIMD4<Float> {
        UnsafeRawPointer(p).loadUnaligned(as: SIMD4<Float>.self)
    }
    @inline(__always) static func load4(_ p: UnsafeMutablePointer<Float>) -> SIMD4<Float> { load4(UnsafePointer(p)) }
    @inline(__always) static func store4(_ v: SIMD4<Float>, _ p: UnsafeMutablePointer<Float>) {
        UnsafeMutableRawPointer(p).storeBytes(of: v, as: SIMD4<Float>.self)
    }
    /// The 4×4 matrix with rows a, b, c, d, transposed.
    @inline(__always) static func transpose(_ a: SIMD4<Float>, _ b: SIMD4<Float>, _ c: SIMD4<Float>, _ d: SIMD4<Float>)
        -> (SIMD4<Float>, SIMD4<Float>, SIMD4<Float>, SIMD4<Float>) {
        (SIMD4(a[0], b[0], c[0], d[0]), SIMD4(a[1], b[1], c[1], d[1]),
         SIMD4(a[2], b[2], c[2], d[2]), SIMD4(a[3], b[3], c[3], d[3]))
    }
}
