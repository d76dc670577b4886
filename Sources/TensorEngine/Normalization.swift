// Instance normalisation (affine, biased variance, no running statistics), optionally fused with
// the leaky ReLU that follows it in every encoder block and residual block.
import Foundation

extension Engine {
    /// y = (x − mean) / √(var + eps) · gamma + beta per sample and channel, then lrelu(slope)
    /// when `leakySlope` is given. Mean and variance are accumulated in Double.
    public func instanceNorm(_ x: Tensor, gamma: Tensor, beta: Tensor, eps: Double = 1e-5,
                             leakySlope: Float? = nil) -> Tensor {
        precondition(x.rank == 4, "instanceNorm wants NCHW, got \(x)")
        let (n, c) = (x.shape[0], x.shape[1]), plane = x.shape[2] * x.shape[3]
        precondition(gamma.count == c && beta.count == c, "instanceNorm: \(c) channels, gamma \(gamma.count), beta \(beta.count)")
        var out = Tensor(uninitialized: x.shape)
        x.storage.withUnsafeBufferPointer { input in
            out.storage.withUnsafeMutableBufferPointer { output in
                gamma.storage.withUnsafeBufferPointer { g in
                    beta.storage.withUnsafeBufferPointer { b in
                        Parallel.forEachChunk(n * c, workers: threads) { range in
                            for index in range {
                                let channel = index % c
                                let src = input.baseAddress! + index * plane
                                let dst = output.baseAddress! + index * plane
                                var sum = 0.0
                                for i in 0..<plane { sum += Double(src[i]) }
                                let mean = sum / Double(plane)
                                var squares = 0.0
                                for i in 0..<plane { let d = Double(src[i]) - mean; squares += d * d }
                                let inverse = 1 / (squares / Double(plane) + eps).squareRoot()
                                let scale = Float(inverse * Double(g[channel]))
                                let shift = Float(Double(b[channel]) - mean * inverse * Double(g[channel]))
                                if let slope = leakySlope {
                                    for i in 0..<plane { let v = src[i] * scale + shift; dst[i] = v < 0 ? v * slope : v }
                                } else {
                                    for i in 0..<plane { dst[i] = src[i] * scale + shift }
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
