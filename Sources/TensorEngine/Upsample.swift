// Upsampling of the decoder (StyleGAN2's upsampling modulated conv): the stride-2 transposed
// convolution (2H+1 × 2W+1, no padding, no kernel flip) followed by the 4×4 FIR blur with zero
// padding 1, run in its polyphase form. Output pixel (2m+p, 2n+q) reads blur tap u of transposed
// row 2m+p+u−1 = 2y+a, i.e. input row y = m+i−1 through weight row a = p+u+1−2i: every (u, a)
// lands on exactly one phase p and one i in 0..<3, so each of the four phases (p, q) is a 3×3
// convolution of the H×W input with padding 1 (the input's zero padding stands for both the
// transposed map's edges and the blur's padding). The four phases run as one Winograd conv with
// 4·O outputs, then an interleave writes them into the 2H × 2W map.

/// The composite kernels of an upsampling conv: weight ⊛ blur split into the four output phases,
/// Winograd-transformed. Built once per style (see StyledConv).
public struct UpsampleKernel: Sendable {
    /// [4·O, C, 3, 3]: output channel o's phase (p, q) is row 4·o + 2·p + q.
    let phases: WinogradKernel
    public var outputs: Int { phases.outputs / 4 }
    public var inputs: Int { phases.inputs }

    /// weight: the modulated [O, C, 3, 3] weight of the transposed conv; blur: the [4, 4] FIR kernel
    /// (flipped before correlating, as upfirdn2d does).
    public init(weight: Tensor, blur: Tensor) {
        precondition(weight.rank == 4 && weight.shape[2] == 3 && weight.shape[3] == 3 && blur.shape == [4, 4],
                     "UpsampleKernel wants a [O, C, 3, 3] weight and a [4, 4] blur, got \(weight.shape) and \(blur.shape)")
        let (o, c) = (weight.shape[0], weight.shape[1])
        let pairs = o * c
        // The 144 products of one (o, c) pair: composite tap (phase, i, j) += blur tap · weight tap (a, b).
        var terms: [(target: Int, source: Int, factor: Double)] = []
        for p in 0..<2 { for i in 0..<3 { for u in 0..<4 {
            let a = p + u + 1 - 2 * i
            guard a >= 0 && a < 3 else { continue }
            for q in 0..<2 { for j in 0..<3 { for v in 0..<4 {
                let b = q + v + 1 - 2 * j
                guard b >= 0 && b < 3 else { continue }
                terms.append(((2 * p + q) * 9 + i * 3 + j, a * 3 + b, Double(blur.storage[(3 - u) * 4 + (3 - v)])))
            } } }
        } } }
        let composite = [Float](unsafeUninitializedCapacity: 4 * pairs * 9) { out, initialized in
            weight.storage.withUnsafeBufferPointer { w in
                // Four (o, c) pairs at a time, in Double.
                withUnsafeTemporaryAllocation(of: SIMD4<Double>.self, capacity: 9 + 36) { scratch in
                    let taps = scratch.baseAddress!, sums = taps + 9
                    var first = 0
                    while first < pairs {
                        let lanes = min(4, pairs - first)
                        Winograd.loadTaps(w.baseAddress!, first: first, lanes: lanes, into: taps)
                        sums.update(repeating: SIMD4(repeating: 0), count: 36)
                        for term in terms { sums[term.target] += term.factor * taps[term.source] }
                        for lane in 0..<lanes {
                            let (output, channel) = (first + lane).quotientAndRemainder(dividingBy: c)
                            for phase in 0..<4 {
                                let target = out.baseAddress! + ((4 * output + phase) * c + channel) * 9
                                for tap in 0..<9 { target[tap] = Float(sums[phase * 9 + tap][lane]) }
                            }
                        }
                        first += 4
                    }
                }
            }
            initialized = 4 * pairs * 9
        }
        phases = WinogradKernel(Tensor(shape: [4 * o, c, 3, 3], storage: composite))
    }
}

extension Engine {
    /// lrelu(transposed conv stride 2 → blur (padding 1) + bias, 0.2)·√2 of x: [N, C, H, W] → [N, O, 2H, 2W]
    /// (StyledConv with upsample, bias = both of its biases).
    public func upsample(_ x: Tensor, kernel: UpsampleKernel, activationBias bias: Tensor) -> Tensor {
        precondition(bias.count == kernel.outputs, "upsample: bias has \(bias.count) values for \(kernel.outputs) outputs")
        let phases = conv3x3(x, kernel: kernel.phases, bias: nil)
        let (n, o, h, w) = (x.shape[0], kernel.outputs, x.shape[2], x.shape[3])
        var out = Tensor(uninitialized: [n, o, 2 * h, 2 * w])
        measure("upsample interleave") { phases.storage.withUnsafeBufferPointer { input in
            out.storage.withUnsafeMutableBufferPointer { output in
                bias.storage.withUnsafeBufferPointer { shifts in
                    Parallel.forEachChunk(n * o, workers: threads) { range in
                        for index in range {
                            let planes = input.baseAddress! + 4 * index * h * w, target = output.baseAddress! + index * 4 * h * w
                            let shift = shifts[index % o]
                            for y in 0..<h { for p in 0..<2 {
                                // Row 2y+p: phases (p, 0) and (p, 1) interleaved, + bias, lrelu(0.2)·√2 as fusedLeakyReLU.
                                let even = planes + (2 * p) * h * w + y * w, odd = even + h * w
                                let line = target + (2 * y + p) * 2 * w
                                for v in 0..<w {
                                    line[2 * v] = scaledLeakyReLU(even[v] + shift)
                                    line[2 * v + 1] = scaledLeakyReLU(odd[v] + shift)
                                }
                            } }
                        }
                    }
                }
            }
        } }
        return out
    }
}
