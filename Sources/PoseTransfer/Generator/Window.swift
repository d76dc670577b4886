// One window of the generator (spec §5) and what it carries to the next window (§1.5).
import TensorEngine

/// The inputs of one window. Frame i's heatmaps are `heatmaps[i]` ([1, 25, H, W]) and its mesh flow
/// `flows[i]` ([1, H, W, 2], align_corners = false grid). `preFlow` is the frame before the window
/// (frame 0 itself for a video's first window), `postFlow` the frame after it (the last frame of
/// the video for its final window).
public struct WindowInput: Sendable {
    public var heatmaps: [Tensor]
    public var flows: [Tensor]
    public var preFlow: Tensor
    public var postFlow: Tensor
    public init(heatmaps: [Tensor], flows: [Tensor], preFlow: Tensor, postFlow: Tensor) {
        self.heatmaps = heatmaps; self.flows = flows; self.preFlow = preFlow; self.postFlow = postFlow
    }
}

/// What one window hands the next window of the same video. The backward branch is never carried.
public struct CarriedState: Sendable {
    public var style: Tensor          // [1, S], from the source image (the same for the whole video)
    public var lastFrame: Tensor      // P_pre: the last generated frame, [1, 3, H, W]
    public var structure: Tensor      // uv_feat_pre: structural state after the last frame
    public var forwardQuarter: Tensor // forward-propagation state at 1/4 scale
    public var forwardHalf: Tensor    // forward-propagation state at 1/2 scale
    /// The modulated weights built for `style` by the generator that made this state; nil in a
    /// state made elsewhere (a cached window), and then the next window builds them again.
    var weights: BDMMGenerator.StyledWeights?
    public init(style: Tensor, lastFrame: Tensor, structure: Tensor, forwardQuarter: Tensor, forwardHalf: Tensor) {
        self.style = style; self.lastFrame = lastFrame; self.structure = structure
        self.forwardQuarter = forwardQuarter; self.forwardHalf = forwardHalf
    }
}

/// A window's frames and, when asked for, its intermediates (for parity checks), frame-major.
public struct WindowOutput: Sendable {
    public var frames: [Tensor]                 // tanh output, [1, 3, H, W] each
    public var carried: CarriedState
    public var trace: [String: [Tensor]] = [:]  // e.g. "rgb_pre_tanh", "warped_frames", "fwd64", …
}

extension BDMMGenerator {
    /// Runs one window. `carried` is nil for a video's first window. With `trace`, records the
    /// intermediates the parity fixture holds.
    public func run(_ engine: Engine, source image: Tensor, window: WindowInput, carried: CarriedState?,
                    trace: Bool = false) -> WindowOutput {
        let frames = window.flows.count
        precondition(frames > 0 && window.heatmaps.count == frames, "a window needs heatmaps and a flow per frame")
        var record: [String: [Tensor]] = [:]
        func note(_ key: String, _ value: @autoclosure () -> Tensor) { if trace { record[key, default: []].append(value()) } }

        let style = carried?.style ?? engine.layer("style encoder (first window)") { self.style(engine, source: image) }
        note("style", style)
        let weights = if let built = carried?.weights, built.style == style { built }
                      else { engine.layer("modulated weights") { styledWeights(style) } }

        // Warp features of every frame, then the two propagations (warp feature first in each concat).
        var warpHalf: [Tensor] = [], warpQuarter: [Tensor] = []
        for flow in window.flows {
            let warped = engine.layer("warp grid sample") { engine.gridSample(image, grid: flow) }
            note("warped_frames", warped)
            let features = engine.layer("warp encoder") { warpFeatures(engine, warped) }
            warpHalf.append(features.half); warpQuarter.append(features.quarter)
        }
        var forwardQuarter: Tensor, forwardHalf: Tensor
        if let carried {
            (forwardQuarter, forwardHalf) = (carried.forwardQuarter, carried.forwardHalf)
        } else {
            let pre = engine.layer("warp encoder") { warpFeatures(engine, engine.gridSample(image, grid: window.preFlow)) }
            (forwardQuarter, forwardHalf) = (pre.quarter, pre.half)
        }
        var forwardStates: [(quarter: Tensor, half: Tensor)] = []
        for i in 0..<frames {
            forwardQuarter = engine.layer("propagation 1/4 (for_rcnn64, back_rcnn64)") {
                forward64(engine, engine.measure("concat") { Tensor.concatChannels([warpQuarter[i], forwardQuarter]) })
            }
            forwardHalf = engine.layer("propagation 1/2 (for_rcnn128, back_rcnn128)") {
                forward128(engine, engine.measure("concat") { Tensor.concatChannels([warpHalf[i], forwardHalf]) })
            }
            forwardStates.append((forwardQuarter, forwardHalf))
        }
        let post = engine.layer("warp encoder") { warpFeatures(engine, engine.gridSample(image, grid: window.postFlow)) }
        var backwardQuarter = post.quarter, backwardHalf = post.half
        var backwardStates = [(quarter: Tensor, half: Tensor)](repeating: (post.quarter, post.half), count: frames)
        for i in stride(from: frames - 1, through: 0, by: -1) {
            backwardQuarter = engine.layer("propagation 1/4 (for_rcnn64, back_rcnn64)") {
                backward64(engine, engine.measure("concat") { Tensor.concatChannels([warpQuarter[i], backwardQuarter]) })
            }
            backwardHalf = engine.layer("propagation 1/2 (for_rcnn128, back_rcnn128)") {
                backward128(engine, engine.measure("concat") { Tensor.concatChannels([warpHalf[i], backwardHalf]) })
            }
            backwardStates[i] = (backwardQuarter, backwardHalf)
        }
        for state in forwardStates { note("fwd64", state.quarter); note("fwd128", state.half) }
        for state in backwardStates { note("bwd64", state.quarter); note("bwd128", state.half) }

        // Decoder, frame by frame: each frame's structural input is the frame generated before it.
        var previous = carried?.lastFrame ?? image
        var structureState = carried?.structure
        var outputs: [Tensor] = []
        for i in 0..<frames {
            let encoded = engine.layer("structural encoder (x_encoder)") {
                structure.features(engine, engine.measure("concat") { Tensor.concatChannels([window.heatmaps[i], previous]) }).last!
            }
            let state = engine.layer("structural recurrence (x_rcnn1, x_rcnn2)") {
                rcnn2(engine, rcnn1(engine, engine.measure("concat") { Tensor.concatChannels([structureState ?? encoded, encoded]) }))
            }
            structureState = state
            note("struct", state)

            var x = engine.layer("conv1up") { conv1up(engine, state, weight: weights.conv1up) }
            let (f1, b1) = engine.layer("DMM 1/4 (forconv1, backconv1)") {
                (forward1(engine, state: forwardStates[i].quarter, decoder: x, weight: weights.forward1),
                 backward1(engine, state: backwardStates[i].quarter, decoder: x, weight: weights.backward1))
            }
            if i == 0 { note("f0.forconv1.offset", f1.offset); note("f0.forconv1.mask", f1.mask) }
            x = engine.layer("directconv1") { direct1(engine, x, weight: weights.direct1) }
            engine.layer("DMM 1/4 (forconv1, backconv1)") { engine.add([f1.output, b1.output], into: &x) }

            x = engine.layer("conv2up") { conv2up(engine, x, weight: weights.conv2up) }
            let (f2, b2) = engine.layer("DMM 1/2 (forconv2, backconv2)") {
                (forward2(engine, state: forwardStates[i].half, decoder: x, weight: weights.forward2),
                 backward2(engine, state: backwardStates[i].half, decoder: x, weight: weights.backward2))
            }
            x = engine.layer("directconv2") { direct2(engine, x, weight: weights.direct2) }
            engine.layer("DMM 1/2 (forconv2, backconv2)") { engine.add([f2.output, b2.output], into: &x) }

            x = engine.layer("conv3up") { conv3up(engine, x, weight: weights.conv3up) }
            x = engine.layer("directconv3") { direct3(engine, x, weight: weights.direct3) }
            var rgb = engine.layer("decoder256 (ToRGB) + tanh") { toRGB(engine, x, weight: weights.toRGB) }
            note("rgb_pre_tanh", rgb)
            engine.layer("decoder256 (ToRGB) + tanh") { engine.measure("elementwise") { rgb.tanh() } }
            outputs.append(rgb)
            previous = rgb
        }
        var next = CarriedState(style: style, lastFrame: outputs.last!, structure: structureState!,
                                forwardQuarter: forwardQuarter, forwardHalf: forwardHalf)
        next.weights = weights
        return WindowOutput(frames: outputs, carried: next, trace: record)
    }
}
