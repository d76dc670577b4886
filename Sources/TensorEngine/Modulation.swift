// StyleGAN2 modulation: the equalized linear layer that maps a style vector to per-input-channel
// scales, and the modulated (optionally demodulated) convolution weight built from it.

public enum Modulation {
    /// s = x · (W / √din)ᵀ + b. x: [din] (any shape with din values); weight: [dout, din]; bias: [dout].
    public static func equalLinear(_ x: Tensor, weight: Tensor, bias: Tensor) -> Tensor {
        precondition(weight.rank == 2, "equalLinear weight must be [dout, din], got \(weight.shape)")
        let (dout, din) = (weight.shape[0], weight.shape[1])
        precondition(x.count == din && bias.count == dout, "equalLinear: input \(x.count), weight \(weight.shape), bias \(bias.count)")
        let scale = 1 / Double(din).squareRoot()
        var out = [Float](repeating: 0, count: dout)
        for j in 0..<dout {
            var sum = 0.0
            for i in 0..<din { sum += Double(x.storage[i]) * Double(weight.storage[j * din + i]) }
            out[j] = Float(sum * scale + Double(bias.storage[j]))
        }
        return Tensor(shape: [dout], storage: out)
    }

    /// w'[o, c] = W[o, c] · s[c] / √(C·k·k), then, when `demodulate`, each w'[o] divided by
    /// √(Σ w'[o]² + 1e-8). weight: [O, C, k, k] (a leading 1 is dropped); style scales: [C].
    /// Returns [O, C, k, k].
    public static func modulatedWeight(_ weight: Tensor, scales: Tensor, demodulate: Bool) -> Tensor {
        let shape = weight.rank == 5 && weight.shape[0] == 1 ? Array(weight.shape.dropFirst()) : weight.shape
        precondition(shape.count == 4, "modulated weight must be [1, O, C, k, k] or [O, C, k, k], got \(weight.shape)")
        let (o, c, taps) = (shape[0], shape[1], shape[2] * shape[3])
        precondition(scales.count == c, "modulation gives \(scales.count) scales for \(c) input channels")
        let base = 1 / Double(c * taps).squareRoot()
        var out = [Float](repeating: 0, count: weight.count)
        for output in 0..<o {
            var squares = 0.0
            for channel in 0..<c {
                let factor = base * Double(scales.storage[channel])
                for tap in 0..<taps {
                    let index = (output * c + channel) * taps + tap
                    let value = Double(weight.storage[index]) * factor
                    out[index] = Float(value)
                    squares += value * value
                }
            }
            if demodulate {
                let inverse = 1 / (squares + 1e-8).squareRoot()
                for index in (output * c * taps)..<((output + 1) * c * taps) { out[index] = Float(Double(out[index]) * inverse) }
            }
        }
        return Tensor(shape: shape, storage: out)
    }
}
