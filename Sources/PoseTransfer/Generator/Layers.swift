// The generator's building blocks (spec §2): encoder blocks, the source encoder (PoseSourceNet),
// residual blocks, StyleGAN2 styled convolutions, ToRGB and the DMM block. Each reads its weights
// and widths from the checkpoint and checks them against the width of its input.
import TensorEngine

struct Norm {
    let gamma: Tensor, beta: Tensor
    init(_ reader: CheckpointReader, _ prefix: String, channels: Int) throws(GeneratorError) {
        gamma = try reader.take(prefix + ".weight", [channels])
        beta = try reader.take(prefix + ".bias", [channels])
    }
}

/// A plain convolution with bias. 3×3 kernels of layers that run on every frame also keep their
/// Winograd transform, and 4×4 (stride 2) kernels theirs over the input's pixel phases
/// (`perFrame`); the source encoder, run once per video on ever smaller maps, does not need the memory.
struct Conv {
    let weight: Tensor, bias: Tensor, winograd: WinogradKernel?, strideTwo: StrideTwoKernel?
    var outputs: Int { weight.shape[0] }
    init(_ reader: CheckpointReader, _ prefix: String, inputs: Int, outputs: Int? = nil, kernel: Int,
         perFrame: Bool = true) throws(GeneratorError) {
        self.init(weight: try reader.take(prefix + ".weight", [outputs, inputs, kernel, kernel]),
                  bias: try reader.take(prefix + ".bias", [outputs ?? reader.width(prefix + ".weight")]), perFrame: perFrame)
    }
    init(weight: Tensor, bias: Tensor, perFrame: Bool) {
        self.weight = weight
        self.bias = bias
        winograd = weight.shape[2] == 3 && perFrame ? WinogradKernel(weight) : nil
        strideTwo = weight.shape[2] == 4 && perFrame ? StrideTwoKernel(weight) : nil
    }
    /// Two convolutions of the same input as one, outputs stacked (first, then second).
    init(stacking first: Conv, _ second: Conv, perFrame: Bool) {
        let shape = [first.outputs + second.outputs] + first.weight.shape.dropFirst()
        self.init(weight: Tensor(shape: shape, storage: first.weight.storage + second.weight.storage),
                  bias: Tensor(shape: [shape[0]], storage: first.bias.storage + second.bias.storage), perFrame: perFrame)
    }
    /// activation(conv(x) + bias + residual); the residual and activation only with a Winograd kernel.
    func callAsFunction(_ engine: Engine, _ x: Tensor, stride: Int = 1, adding residual: Tensor? = nil,
                        activation: Activation = .none) -> Tensor {
        if let winograd, stride == 1 {
            return engine.conv3x3(x, kernel: winograd, bias: bias, adding: residual, activation: activation)
        }
        precondition(residual == nil && activation == .none, "Conv: residual and activation are fused into Winograd convs only")
        if let strideTwo, stride == 2, x.shape[2] % 2 == 0, x.shape[3] % 2 == 0 {
            return engine.convStride2(x, kernel: strideTwo, bias: bias)
        }
        let k = weight.shape[2]
        return engine.conv2d(x, weight: weight, bias: bias, stride: stride, padding: k == 4 ? 1 : k / 2)
    }
}

/// IN → lrelu(0.1) → conv 4/2/1 → IN → lrelu(0.1) → conv 3/1/1 (keys model.0/2/3/5).
struct EncoderBlock {
    let norm1: Norm, down: Conv, norm2: Norm, conv: Conv
    var outputs: Int { conv.outputs }
    init(_ reader: CheckpointReader, _ prefix: String, inputs: Int, perFrame: Bool) throws(GeneratorError) {
        norm1 = try Norm(reader, prefix + ".model.0", channels: inputs)
        down = try Conv(reader, prefix + ".model.2", inputs: inputs, kernel: 4, perFrame: perFrame)
        norm2 = try Norm(reader, prefix + ".model.3", channels: down.outputs)
        conv = try Conv(reader, prefix + ".model.5", inputs: down.outputs, outputs: down.outputs, kernel: 3, perFrame: perFrame)
    }
    func callAsFunction(_ engine: Engine, _ x: Tensor) -> Tensor {
        var h = engine.instanceNorm(x, gamma: norm1.gamma, beta: norm1.beta, leakySlope: 0.1)
        h = down(engine, h, stride: 2)
        h = engine.instanceNorm(h, gamma: norm2.gamma, beta: norm2.beta, leakySlope: 0.1)
        return conv(engine, h)
    }
}

/// PoseSourceNet: block0 then encoder0…encoderK (as many as the checkpoint has). `outputs(…)`
/// returns the block outputs shallowest first, computing only the first `depth` blocks.
struct SourceEncoder {
    let blocks: [EncoderBlock]
    var outputs: Int { blocks.last!.outputs }
    init(_ reader: CheckpointReader, _ prefix: String, inputs: Int, minimumBlocks: Int, perFrame: Bool) throws(GeneratorError) {
        var blocks = [try EncoderBlock(reader, prefix + ".block0", inputs: inputs, perFrame: perFrame)]
        while reader.has("\(prefix).encoder\(blocks.count - 1).model.2.weight") {
            blocks.append(try EncoderBlock(reader, "\(prefix).encoder\(blocks.count - 1)", inputs: blocks.last!.outputs, perFrame: perFrame))
        }
        guard blocks.count >= minimumBlocks else {
            throw .missingTensor(source: reader.source, name: "\(prefix).encoder\(blocks.count - 1).model.2.weight")
        }
        self.blocks = blocks
    }
    func features(_ engine: Engine, _ x: Tensor, depth: Int? = nil) -> [Tensor] {
        var results: [Tensor] = [], h = x
        for block in blocks.prefix(depth ?? blocks.count) {
            h = block(engine, h)
            results.append(h)
        }
        return results
    }
}

/// IN → lrelu → conv3 → IN → lrelu → conv3, plus a 1×1 shortcut conv (or identity).
struct ResBlock {
    let norm1: Norm, conv1: Conv, norm2: Norm, conv2: Conv, shortcut: Conv?
    var outputs: Int { conv2.outputs }
    init(_ reader: CheckpointReader, _ prefix: String, inputs: Int) throws(GeneratorError) {
        norm1 = try Norm(reader, prefix + ".model.0", channels: inputs)
        conv1 = try Conv(reader, prefix + ".model.2", inputs: inputs, outputs: inputs, kernel: 3)
        norm2 = try Norm(reader, prefix + ".model.3", channels: inputs)
        conv2 = try Conv(reader, prefix + ".model.5", inputs: inputs, kernel: 3)
        if reader.has(prefix + ".shortcut.0.weight") {
            shortcut = try Conv(reader, prefix + ".shortcut.0", inputs: inputs, outputs: conv2.outputs, kernel: 1)
        } else if inputs == conv2.outputs {
            shortcut = nil
        } else {
            throw .missingTensor(source: reader.source, name: prefix + ".shortcut.0.weight")
        }
    }
    func callAsFunction(_ engine: Engine, _ x: Tensor) -> Tensor {
        var h = engine.instanceNorm(x, gamma: norm1.gamma, beta: norm1.beta, leakySlope: 0.1)
        h = conv1(engine, h)
        h = engine.instanceNorm(h, gamma: norm2.gamma, beta: norm2.beta, leakySlope: 0.1)
        return conv2(engine, h, adding: shortcut.map { $0(engine, x) } ?? x)
    }
}

/// A StyleGAN2 modulated convolution's parameters (`conv.weight`, `conv.modulation.*`).
struct ModulatedConv {
    let weight: Tensor, modulationWeight: Tensor, modulationBias: Tensor, demodulate: Bool
    var outputs: Int { weight.shape[1] }
    init(_ reader: CheckpointReader, _ prefix: String, inputs: Int, outputs: Int? = nil, kernel: Int,
         styleWidth: Int, demodulate: Bool) throws(GeneratorError) {
        weight = try reader.take(prefix + ".weight", [1, outputs, inputs, kernel, kernel])
        modulationWeight = try reader.take(prefix + ".modulation.weight", [inputs, styleWidth])
        modulationBias = try reader.take(prefix + ".modulation.bias", [inputs])
        self.demodulate = demodulate
    }
    /// w' for this style: [O, C, k, k].
    func weight(for style: Tensor) -> Tensor {
        let scales = Modulation.equalLinear(style, weight: modulationWeight, bias: modulationBias)
        return Modulation.modulatedWeight(weight, scales: scales, demodulate: demodulate)
    }
}

/// Both biases of a StyledConv / DMM block (`bias` then `activate.bias`), summed: they are added
/// one after the other before the fused leaky ReLU.
func activationBias(_ reader: CheckpointReader, _ prefix: String, channels: Int) throws(GeneratorError) -> Tensor {
    var total = try reader.take(prefix + ".bias", [1, channels, 1, 1]).reshaped([channels])
    total.add(try reader.take(prefix + ".activate.bias", [channels]))
    return total
}

/// StyledConv: modulated conv (optionally the stride-2 transposed conv + blur, run as one polyphase
/// conv, see Upsample.swift) → bias → lrelu(0.2)·√2.
struct StyledConv {
    let conv: ModulatedConv, bias: Tensor, blurKernel: Tensor?
    var outputs: Int { conv.outputs }
    init(_ reader: CheckpointReader, _ prefix: String, inputs: Int, styleWidth: Int, upsample: Bool,
         demodulate: Bool) throws(GeneratorError) {
        conv = try ModulatedConv(reader, prefix + ".conv", inputs: inputs, kernel: 3, styleWidth: styleWidth, demodulate: demodulate)
        bias = try activationBias(reader, prefix, channels: conv.outputs)
        blurKernel = upsample ? try reader.take(prefix + ".conv.blur.kernel", [4, 4]) : nil
    }
    /// The modulated weight for a style, ready to run (Winograd-transformed; with upsample, composed
    /// with the blur first).
    func prepare(_ style: Tensor) -> StyledWeight {
        let weight = conv.weight(for: style)
        if let blurKernel { return .upsample(UpsampleKernel(weight: weight, blur: blurKernel)) }
        return .winograd(WinogradKernel(weight))
    }
    func callAsFunction(_ engine: Engine, _ x: Tensor, weight: StyledWeight) -> Tensor {
        switch weight {
        case .upsample(let kernel):
            return engine.upsample(x, kernel: kernel, activationBias: bias)
        case .winograd(let kernel):
            return engine.conv3x3(x, kernel: kernel, bias: bias, activation: .scaledLeakyReLU)
        }
    }
}

enum StyledWeight: Sendable {
    case winograd(WinogradKernel)
    case upsample(UpsampleKernel)
}

/// ToRGB: 1×1 modulated conv without demodulation, plus bias (tanh is applied by the caller).
struct ToRGB {
    let conv: ModulatedConv, bias: Tensor
    init(_ reader: CheckpointReader, _ prefix: String, inputs: Int, styleWidth: Int) throws(GeneratorError) {
        conv = try ModulatedConv(reader, prefix + ".conv", inputs: inputs, outputs: 3, kernel: 1, styleWidth: styleWidth, demodulate: false)
        bias = try reader.take(prefix + ".bias", [1, 3, 1, 1]).reshaped([3])
    }
    func callAsFunction(_ engine: Engine, _ x: Tensor, weight: Tensor) -> Tensor {
        engine.conv2d(x, weight: weight, bias: bias)
    }
}

/// The DMM block (spec §4): offsets and mask from the decoder feature and the warp state, then a
/// modulated deformable conv of the warp state → bias → lrelu(0.2)·√2.
struct DMMBlock {
    /// `offsetConv` and `mask_conv` read the same map, so they run as one 27-output conv.
    let flowConv: Conv, offsetAndMask: Conv, conv: ModulatedConv, bias: Tensor
    init(_ reader: CheckpointReader, _ prefix: String, channels: Int, styleWidth: Int) throws(GeneratorError) {
        flowConv = try Conv(reader, prefix + ".flow_conv.0", inputs: 2 * channels, outputs: channels, kernel: 3)
        offsetAndMask = Conv(stacking: try Conv(reader, prefix + ".offset_conv", inputs: channels, outputs: 18, kernel: 3, perFrame: false),
                             try Conv(reader, prefix + ".mask_conv", inputs: channels, outputs: 9, kernel: 3, perFrame: false),
                             perFrame: true)
        conv = try ModulatedConv(reader, prefix + ".conv", inputs: channels, outputs: channels, kernel: 3,
                                 styleWidth: styleWidth, demodulate: true)
        bias = try activationBias(reader, prefix, channels: channels)
        _ = try reader.take(prefix + ".upsample.kernel", [4, 4])   // owned by the block, never applied
    }
    /// Returns the block output and the offsets and mask it used.
    func callAsFunction(_ engine: Engine, state: Tensor, decoder: Tensor, weight: Tensor)
        -> (output: Tensor, offset: Tensor, mask: Tensor) {
        let h = flowConv(engine, engine.measure("concat") { Tensor.concatChannels([decoder, state]) }, activation: .relu)
        let both = offsetAndMask(engine, h)
        let plane = both.shape[2] * both.shape[3]
        let (offset, mask) = engine.measure("elementwise") {
            let offset = Tensor(shape: [1, 18] + both.shape[2...], storage: Array(both.storage[..<(18 * plane)]))
            var mask = Tensor(shape: [1, 9] + both.shape[2...], storage: Array(both.storage[(18 * plane)...]))
            mask.sigmoid(scale: 2)
            return (offset, mask)
        }
        var y = engine.deformableConv2d(state, offset: offset, mask: mask, weight: weight)
        engine.measure("elementwise") { y.fusedLeakyReLU(bias: bias) }
        return (y, offset, mask)
    }
}
