// Shape ops: channel concatenation and global average pooling.

extension Tensor {
    /// Concatenation of NCHW tensors along channels (all with the same N, H, W).
    public static func concatChannels(_ parts: [Tensor]) -> Tensor {
        precondition(!parts.isEmpty && parts.allSatisfy { $0.rank == 4 }, "concatChannels wants NCHW tensors")
        let (n, h, w) = (parts[0].shape[0], parts[0].shape[2], parts[0].shape[3])
        precondition(parts.allSatisfy { $0.shape[0] == n && $0.shape[2] == h && $0.shape[3] == w },
                     "concatChannels: mismatched shapes \(parts.map(\.shape))")
        let channels = parts.reduce(0) { $0 + $1.shape[1] }, plane = h * w
        var storage = [Float](); storage.reserveCapacity(n * channels * plane)
        for image in 0..<n {
            for part in parts {
                let size = part.shape[1] * plane
                storage.append(contentsOf: part.storage[(image * size)..<((image + 1) * size)])
            }
        }
        return Tensor(shape: [n, channels, h, w], storage: storage)
    }

    /// Mean over H×W of an NCHW tensor → [N, C].
    public func globalAveragePool() -> Tensor {
        precondition(rank == 4, "globalAveragePool wants NCHW, got \(self)")
        let (n, c) = (shape[0], shape[1]), plane = shape[2] * shape[3]
        var out = [Float](repeating: 0, count: n * c)
        storage.withUnsafeBufferPointer { values in
            for index in 0..<(n * c) {
                var sum = 0.0
                for i in 0..<plane { sum += Double(values[index * plane + i]) }
                out[index] = Float(sum / Double(plane))
            }
        }
        return Tensor(shape: [n, c], storage: out)
    }
}
