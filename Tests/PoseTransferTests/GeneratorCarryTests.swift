// The modulated weights carried from window to window: a later window gives the same frames
// whether it reuses the weights its carried state holds or builds them again (a state made
// without them, as a cached window's), and a carried state whose style changed rebuilds them.
import Testing
@testable import PoseTransfer
import TensorEngine

@Suite struct GeneratorCarryTests {
    @Test func carriedWeightsGiveTheSameFrames() throws {
        let weights = try WeightFile.read(contentsOf: Fixture.url("bdmm-2windows", "generator_state_dict.safetensors"))
        let generator = try BDMMGenerator(weights: weights, source: "bdmm-2windows")
        let inputs = try Safetensors.read(contentsOf: Fixture.url("bdmm-2windows", "inputs.safetensors")).tensors
        let (image, windows) = try WindowFile.windows(in: inputs, source: "inputs.safetensors", heatmapChannels: generator.heatmapChannels)
        let engine = Engine(threads: 2)
        let first = generator.run(engine, source: image, window: windows[0], carried: nil).carried
        #expect(first.weights?.style == first.style)

        func withoutWeights(_ state: CarriedState, style: Tensor) -> CarriedState {
            CarriedState(style: style, lastFrame: state.lastFrame, structure: state.structure,
                         forwardQuarter: state.forwardQuarter, forwardHalf: state.forwardHalf)
        }
        let reused = generator.run(engine, source: image, window: windows[1], carried: first).frames
        let rebuilt = generator.run(engine, source: image, window: windows[1], carried: withoutWeights(first, style: first.style)).frames
        #expect(reused.map(\.storage) == rebuilt.map(\.storage))

        var restyled = first
        restyled.style.storage = restyled.style.storage.map { $0 * 0.5 }
        let stale = generator.run(engine, source: image, window: windows[1], carried: restyled).frames
        let fresh = generator.run(engine, source: image, window: windows[1], carried: withoutWeights(first, style: restyled.style)).frames
        #expect(stale.map(\.storage) == fresh.map(\.storage))
        #expect(stale.map(\.storage) != reused.map(\.storage))
    }
}
