// Convolution as im2col + GEMM (NCHW): conv2d with stride and zero padding, and the column
// builder it shares with the transposed and deformable convolutions.

/// Geometry of a 2-D convolution over an H×W map.
public struct ConvGeometry: Equatable, Sendable {
    public var kernelH: Int, kernelW: Int, stride: Int, padding: Int
    public init(kernel: Int, stride: Int = 1, padding: Int = 0) {
        self.kernelH = kernel; self.kernelW = kernel; self.stride = stride; self.padding = padding
    }
    public func outputSize(height: Int, width: Int) -> (height: Int, width: Int) {
        ((height + 2 * padding - kernelH) / stride + 1, (width + 2 * padding - kernelW) / stride + 1)
    }
}

extension Engine {
    /// y = conv(x, weight) + bias. x: [N, C, H, W]; weight: [O, C, kh, kw]; bias: [O] (any shape
    /// with O values) or nil. Output [N, O, Ho, Wo].
    public func conv2d(_ x: Tensor, weight: Tensor, bias: Tensor?, stride: Int = 1, padding: Int = 0) -> Tensor {
        precondition(x.rank == 4 && weight.rank == 4, "conv2d wants NCHW input and OIHW weight, got \(x) and \(weight)")
        let (n, c, h, w) = (x.shape[0], x.shape[1], x.shape[2], x.shape[3])
        let (o, kh, kw) = (weight.shape[0], weight.shape[2], weight.shape[3])
        precondition(weight.shape[1] == c, "conv2d: weight \(weight.shape) does not take \(c) input channels")
        precondition(kh == kw, "conv2d: square kernels only")
        precondition(bias == nil || bias!.count == o, "conv2d: bias has \(bias!.count) values for \(o) outputs")
        let geometry = ConvGeometry(kernel: kh, stride: stride, padding: padding)
        let (ho, wo) = geometry.outputSize(height: h, width: w)
        precondition(ho > 0 && wo > 0, "conv2d: \(h)×\(w) is too small for kernel \(kh) padding \(padding)")
        var out = Tensor(uninitialized: [n, o, ho, wo])
        let k = c * kh * kw, columns = ho * wo
        x.storage.withUnsafeBufferPointer { input in
            weight.storage.withUnsafeBufferPointer { weights in
                out.storage.withUnsafeMutableBufferPointer { output in
                    for image in 0..<n {
                        let source = input.baseAddress! + image * c * h * w
                        let target = output.baseAddress! + image * o * columns
                        fillRows(target, rows: o, columns: columns, bias: bias)
                        let direct = kh == 1 && stride == 1 && padding == 0
                        let cols = direct ? UnsafeMutablePointer(mutating: source) : buffer(Slot.columns, count: k * columns)
                        if !direct {
                            measure("im2col") { im2col(source, channels: c, height: h, width: w, geometry: geometry, into: cols) }
                        }
                        multiplyAccumulates += o * columns * k
                        measure(direct ? "gemm 1×1 conv" : "gemm im2col conv") {
                            BLAS.sgemm(m: o, n: columns, k: k, a: weights.baseAddress!, lda: k,
                                       b: cols, ldb: columns, c: target, ldc: columns, beta: bias == nil ? 0 : 1, workers: threads)
                        }
                    }
                }
            }
        }
        return out
    }

    /// Rows of `target` set to the bias value of their row (or left for beta = 0 when nil).
    func fillRows(_ target: UnsafeMutablePointer<Float>, rows: Int, columns: Int, bias: Tensor?) {
        guard let bias else { return }
        bias.storage.withUnsafeBufferPointer { values in
            for row in 0..<rows { (target + row * columns).update(repeating: values[row], count: columns) }
        }
    }

    /// Columns [C·kh·kw, Ho·Wo] of one image: row (c, i, j) holds x[c] at (y·s − p + i, x·s − p + j),
    /// zero outside the map.
    func im2col(_ source: UnsafePointer<Float>, channels: Int, height: Int, width: Int,
                geometry: ConvGeometry, into cols: UnsafeMutablePointer<Float>) {
        let (ho, wo) = geometry.outputSize(height: height, width: width)
        let (kh, kw, s, p) = (geometry.kernelH, geometry.kernelW, geometry.stride, geometry.padding)
        let rows = channels * kh * kw
        Parallel.forEachChunk(rows, workers: threads, minimumChunk: 4) { range in
            for row in range {
                let c = row / (kh * kw), i = (row / kw) % kh, j = row % kw
                let plane = source + c * height * width
                let line = cols + row * ho * wo
                for y in 0..<ho {
                    let iy = y * s - p + i
                    let dst = line + y * wo
                    guard iy >= 0 && iy < height else { dst.update(repeating: 0, count: wo); continue }
                    let src = plane + iy * width
                    if s == 1 {
                        // x + j − p in range ⇔ max(0, p − j) ≤ x < min(wo, width + p − j)
                        let lo = min(wo, max(0, p - j)), hi = max(lo, min(wo, width + p - j))
                        if lo > 0 { dst.update(repeating: 0, count: lo) }
                        if hi > lo { (dst + lo).update(from: src + (lo + j - p), count: hi - lo) }
                        if hi < wo { (dst + hi).update(repeating: 0, count: wo - hi) }
                    } else {
                        // x·s + j − p in range ⇔ lo ≤ x < hi (no test per element)
                        let first = p - j, last = width - 1 + p - j
                        let lo = min(wo, first > 0 ? (first + s - 1) / s : 0)
                        let hi = max(lo, min(wo, last >= 0 ? last / s + 1 : 0))
                        if lo > 0 { dst.update(repeating: 0, count: lo) }
                        var ix = lo * s - p + j
                        for x in lo..<hi { dst[x] = src[ix]; ix += s }
                        if hi < wo { (dst + hi).update(repeating: 0, count: wo - hi) }
                    }
                }
            }
        }
    }
}

extension Tensor {
    /// A tensor whose every value the caller is about to write. Float is a trivial type, so the
    /// storage is left as allocated (no zero fill).
    init(uninitialized shape: [Int]) {
        let count = shape.reduce(1, *)
        self.init(shape: shape, storage: [Float](unsafeUninitializedCapacity: count) { _, initialized in
            initialized = count
        })
    }
}
