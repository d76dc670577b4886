// BDMMGenerator: the bidirectional DMM generator of BDMM (spec §3–§6) over one window of frames,
// with the state carried between windows (§1.5). Widths come from the checkpoint, so the fixture's
// width-reduced model and the full model load through the same code.
import TensorEngine

public struct BDMMGenerator: Sendable {
    let source: SourceEncoder        // x_ref: style encoder
    let structure: SourceEncoder     // x_encoder: heatmaps + previous frame
    let warp: SourceEncoder          // warp_encoder (its deepest block is never run)
    let rcnn1: ResBlock, rcnn2: ResBlock
    let forward64: ResBlock, backward64: ResBlock, forward128: ResBlock, backward128: ResBlock
    let conv1up: StyledConv, direct1: StyledConv, forward1: DMMBlock, backward1: DMMBlock
    let conv2up: StyledConv, direct2: StyledConv, forward2: DMMBlock, backward2: DMMBlock
    let conv3up: StyledConv, direct3: StyledConv, toRGB: ToRGB
    /// Heatmap channels the structural encoder takes (25 for BODY_25).
    public let heatmapChannels: Int
    public let styleWidth: Int

    /// Builds the generator from a state_dict. `source` names the file in error messages.
    public init(weights: [String: Tensor], source: String) throws(GeneratorError) {
        let reader = CheckpointReader(weights, source: source)
        self.source = try SourceEncoder(reader, "x_ref", inputs: 3, minimumBlocks: 2, perFrame: false)
        styleWidth = self.source.outputs
        let structureInput = try reader.take("x_encoder.block0.model.0.weight", [nil]).count
        guard structureInput > 3 else {
            throw .wrongShape(source: source, name: "x_encoder.block0.model.0.weight", found: [structureInput], expected: "[heatmaps + 3]")
        }
        heatmapChannels = structureInput - 3
        structure = try SourceEncoder(reader, "x_encoder", inputs: structureInput, minimumBlocks: 3, perFrame: true)
        warp = try SourceEncoder(reader, "warp_encoder", inputs: 3, minimumBlocks: 3, perFrame: true)
        let state = structure.outputs                       // 256 in the official model
        let quarter = warp.blocks[1].outputs, half = warp.blocks[0].outputs   // 128 and 64
        rcnn1 = try ResBlock(reader, "x_rcnn1", inputs: 2 * state)
        rcnn2 = try ResBlock(reader, "x_rcnn2", inputs: rcnn1.outputs)
        forward64 = try ResBlock(reader, "for_rcnn64", inputs: 2 * quarter)
        backward64 = try ResBlock(reader, "back_rcnn64", inputs: 2 * quarter)
        forward128 = try ResBlock(reader, "for_rcnn128", inputs: 2 * half)
        backward128 = try ResBlock(reader, "back_rcnn128", inputs: 2 * half)
        conv1up = try StyledConv(reader, "conv1up", inputs: rcnn2.outputs, styleWidth: styleWidth, upsample: true, demodulate: true)
        direct1 = try StyledConv(reader, "directconv1", inputs: conv1up.outputs, styleWidth: styleWidth, upsample: false, demodulate: false)
        forward1 = try DMMBlock(reader, "forconv1", channels: conv1up.outputs, styleWidth: styleWidth)
        backward1 = try DMMBlock(reader, "backconv1", channels: conv1up.outputs, styleWidth: styleWidth)
        conv2up = try StyledConv(reader, "conv2up", inputs: direct1.outputs, styleWidth: styleWidth, upsample: true, demodulate: true)
        direct2 = try StyledConv(reader, "directconv2", inputs: conv2up.outputs, styleWidth: styleWidth, upsample: false, demodulate: false)
        forward2 = try DMMBlock(reader, "forconv2", channels: conv2up.outputs, styleWidth: styleWidth)
        backward2 = try DMMBlock(reader, "backconv2", channels: conv2up.outputs, styleWidth: styleWidth)
        conv3up = try StyledConv(reader, "conv3up", inputs: direct2.outputs, styleWidth: styleWidth, upsample: true, demodulate: true)
        direct3 = try StyledConv(reader, "directconv3", inputs: conv3up.outputs, styleWidth: styleWidth, upsample: false, demodulate: false)
        toRGB = try ToRGB(reader, "decoder256", inputs: direct3.outputs, styleWidth: styleWidth)
        guard forward64.outputs == quarter, forward128.outputs == half, conv1up.outputs == quarter, conv2up.outputs == half else {
            throw .wrongShape(source: source, name: "conv1up.conv.weight", found: conv1up.conv.weight.shape,
                              expected: "outputs matching the warp features (\(quarter) and \(half))")
        }
        // warp_encoder's deepest block and the DMM upsample kernels are part of the checkpoint but unused.
        try reader.finish()
    }

    /// The style vector: spatial mean of the source encoder's deepest map. [1, styleWidth].
    public func style(_ engine: Engine, source image: Tensor) -> Tensor {
        self.source.features(engine, image).last!.globalAveragePool()
    }

    /// The modulated weights of every styled layer for one style (constant over a video, so they
    /// are built in its first window and carried to the next ones, see CarriedState).
    struct StyledWeights: Sendable {
        let style: Tensor
        let conv1up, direct1, conv2up, direct2, conv3up, direct3: StyledWeight
        let forward1, backward1, forward2, backward2, toRGB: Tensor
    }

    func styledWeights(_ style: Tensor) -> StyledWeights {
        StyledWeights(style: style, conv1up: conv1up.prepare(style), direct1: direct1.prepare(style),
                      conv2up: conv2up.prepare(style), direct2: direct2.prepare(style),
                      conv3up: conv3up.prepare(style), direct3: direct3.prepare(style),
                      forward1: forward1.conv.weight(for: style), backward1: backward1.conv.weight(for: style),
                      forward2: forward2.conv.weight(for: style), backward2: backward2.conv.weight(for: style),
                      toRGB: toRGB.conv.weight(for: style))
    }

    /// The warp encoder's 1/2-scale and 1/4-scale features of a warped image (its deepest block,
    /// whose output the generator never reads, is skipped).
    func warpFeatures(_ engine: Engine, _ warped: Tensor) -> (half: Tensor, quarter: Tensor) {
        let features = warp.features(engine, warped, depth: 2)
        return (features[0], features[1])
    }
}
