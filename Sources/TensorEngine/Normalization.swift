// Instance normalisation (affine, biased variance, no running statistics), optionally fused with
// the leaky ReLU that follows it in every encoder block and residual block.
import Foundation

extension Engine {
    /// y = (x − mean) / √(var + eps) · gamma + beta per sample and channel, then lrelu(slope)
    /// when `leakySlope` is given. Mean and variance sum in eight float lanes, combined in Double.
    public func instanceNorm(_ x: Tensor, gamma: Tensor, beta: Tensor, eps: Double = 1e-5,
                             leakySlope: Float? = nil) -> Tensor {
        precondition(x.rank == 4, "instanceNorm wants NCHW, got \(x)")
        let (n, c) = (x.shape[0], x.shape[1]), plane = x.shape[2] * x.shape[3]
        precondition(gamma.count == c && beta.count == c, "instanceNorm: \(c) channels, gamma \(gamma.count), beta \(beta.count)")
        var out = Tensor(uninitialized: x.shape)
        measure("instance norm") { x.storage.withUnsafeBufferPointer { input in
            out.storage.withUnsafeMutableBufferPointer { output in
                gamma.storage.withUnsafeBufferPointer { g in
                    beta.storage.withUnsafeBufferPointer { b in
                        Parallel.forEachChunk(n * c, workers: threads) { range in
                            for index in range {
                                let channel = index % c
                                let src = input.baseAddress! + index * plane
                                let dst = output.baseAddress! + index * plane
                                let mean = Reduction.sum(src, plane) / Double(plane)
                                let squares = Reduction.sumOfSquaredDeviations(src, plane, from: Float(mean))
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
        }
        return out
    }
}

/// Sums over a plane with eight independent float lanes (vectorisable), combined in Double.
enum Reduction {
    static func sum(_ values: UnsafePointer<Float>, _ count: Int) -> Double {
        var lanes = SIMD8<Float>(repeating: 0), i = 0
        let raw = UnsafeRawPointer(values)
        while i + 8 <= count {
            lanes += raw.loadUnaligned(fromByteOffset: i * 4, as: SIMD8<Float>.self)
            i += 8
        }
        var total = (0..<8).reduce(0.0) { $0 + Double(lanes[$1]) }
        while i < count { total += Double(values[i]); i += 1 }
        return total
    }

    static func sumOfSquaredDeviations(_ values: UnsafePointer<Float>, _ count: Int, from mean: Float) -> Double {
        var lanes = SIMD8<Float>(repeating: 0), i = 0
        let raw = UnsafeRawPointer(values), center = SIMD8<Float>(repeating: mean)
        while i + 8 <= count {
            let d = raw.loadUnaligned(fromByteOffset: i * 4, as: SIMD8<Float>.self) - center
            lanes += d * d
            i += 8
        }
        var total = (0..<8).reduce(0.0) { $0 + Double(lanes[$1]) }
        while i < count { let d = Double(values[i] - mean); total += d * d; i += 1 }
        return total
    }
}
