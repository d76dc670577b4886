// Element-wise activations and arithmetic: leaky ReLU, the decoder's fused bias + lrelu(0.2)·√2,
// ReLU, tanh, 2·sigmoid (the DMM mask), addition and per-channel bias.
import Foundation

/// lrelu(v, 0.2) · √2: StyleGAN2's activation, after its bias. The one definition behind
/// fusedLeakyReLU and the passes that fuse it (Winograd's epilogue, the upsampling interleave).
@inline(__always) func scaledLeakyReLU(_ v: Float) -> Float {
    let gain = Float(2).squareRoot()
    return v < 0 ? v * (0.2 * gain) : v * gain
}

extension Tensor {
    mutating func mapInPlace(_ transform: (Float) -> Float) {
        storage.withUnsafeMutableBufferPointer { values in
            for i in values.indices { values[i] = transform(values[i]) }
        }
    }

    /// lrelu(x, slope) in place.
    public mutating func leakyReLU(_ slope: Float) { mapInPlace { $0 < 0 ? $0 * slope : $0 } }
    public mutating func relu() { mapInPlace { max($0, 0) } }
    public mutating func tanh() { mapInPlace { Foundation.tanh($0) } }
    /// scale · sigmoid(x) in place (the DMM mask uses scale 2).
    public mutating func sigmoid(scale: Float = 1) { mapInPlace { scale / (1 + Foundation.exp(-$0)) } }

    /// y = lrelu(x + bias[c], 0.2) · √2 per channel of an NCHW tensor (StyleGAN2's FusedLeakyReLU).
    public mutating func fusedLeakyReLU(bias: Tensor) {
        let (n, c) = (shape[0], shape[1]), plane = shape[2] * shape[3]
        precondition(bias.count == c, "fusedLeakyReLU: bias has \(bias.count) values for \(c) channels")
        bias.storage.withUnsafeBufferPointer { b in
            storage.withUnsafeMutableBufferPointer { values in
                for index in 0..<(n * c) {
                    let shift = b[index % c]
                    let base = values.baseAddress! + index * plane
                    for i in 0..<plane { base[i] = scaledLeakyReLU(base[i] + shift) }
                }
            }
        }
    }

    /// Adds a per-channel bias to an NCHW tensor.
    public mutating func addChannelBias(_ bias: Tensor) {
        let (n, c) = (shape[0], shape[1]), plane = shape[2] * shape[3]
        precondition(bias.count == c, "addChannelBias: bias has \(bias.count) values for \(c) channels")
        bias.storage.withUnsafeBufferPointer { b in
            storage.withUnsafeMutableBufferPointer { values in
                for index in 0..<(n * c) {
                    let shift = b[index % c], base = values.baseAddress! + index * plane
                    for i in 0..<plane { base[i] += shift }
                }
            }
        }
    }

    /// self += other, same shape.
    public mutating func add(_ other: Tensor) {
        precondition(shape == other.shape, "add: \(shape) vs \(other.shape)")
        other.storage.withUnsafeBufferPointer { o in
            storage.withUnsafeMutableBufferPointer { values in
                for i in values.indices { values[i] += o[i] }
            }
        }
    }
}

extension Engine {
    /// x += others[0], then += others[1], … element by element (Tensor.add's arithmetic), the
    /// elements shared out among the workers.
    public func add(_ others: [Tensor], into x: inout Tensor) {
        for other in others { precondition(other.shape == x.shape, "add: \(x.shape) vs \(other.shape)") }
        let count = x.count
        measure("elementwise") {
            x.storage.withUnsafeMutableBufferPointer { values in
                let target = values.baseAddress!
                for other in others {
                    other.storage.withUnsafeBufferPointer { o in
                        let source = o.baseAddress!
                        Parallel.forEachChunk(count, workers: threads, minimumChunk: 16384) { range in
                            for i in range { target[i] += source[i] }
                        }
                    }
                }
            }
        }
    }
}
