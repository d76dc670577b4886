// Loading the generator: the official layout (spec §7) loads with its parameter count, widths
// come from the checkpoint, a missing, wrongly-shaped or unexpected tensor is named in the error,
// and the result does not depend on the thread count.
import Foundation
import Testing
import PoseTransfer
import TensorEngine

@Suite struct GeneratorCheckpointTests {
    @Test func officialLayoutHasTheSpecParameterCount() throws {
        let layout = GeneratorLayout.tensors()
        let buffers = layout.filter { $0.key.hasSuffix(".kernel") }
        let parameters = layout.filter { !$0.key.hasSuffix(".kernel") }.reduce(0) { $0 + $1.shape.reduce(1, *) }
        #expect(layout.count == 241)
        #expect(buffers.count == 7)
        #expect(parameters == 31_540_083)
        // Widths are read from the checkpoint: a quarter-width model loads through the same code
        // (the full-width one is what `bench render` loads, in a release build).
        let generator = try BDMMGenerator(weights: GeneratorLayout.randomWeights(divisor: 4, seed: 3), source: "random")
        #expect(generator.styleWidth == 128)
        #expect(generator.heatmapChannels == 25)
    }

    @Test func fixtureLayoutMatchesTheWidthReducedCheckpoint() throws {
        let fixture = try Safetensors.read(contentsOf: Fixture.url("bdmm", "generator_state_dict.safetensors")).tensors
        let layout = GeneratorLayout.tensors(divisor: 16)
        #expect(Set(layout.map(\.key)) == Set(fixture.keys))
        for entry in layout { #expect(fixture[entry.key]?.shape == entry.shape, "\(entry.key)") }
    }

    enum Damage: String, CaseIterable, Sendable { case missing, wrongShape, unexpected, emptyTensor, wrongWidthChain }

    @Test(arguments: Damage.allCases) func damagedCheckpointsNameTheTensor(_ damage: Damage) throws {
        var weights = GeneratorLayout.randomWeights(divisor: 16, seed: 4)
        let expected: GeneratorError
        switch damage {
        case .missing:
            weights["forconv2.offset_conv.bias"] = nil
            expected = .missingTensor(source: "w.pth", name: "forconv2.offset_conv.bias")
        case .wrongShape:
            weights["x_rcnn1.model.5.weight"] = Tensor(zeros: [16, 32, 3, 1])
            expected = .wrongShape(source: "w.pth", name: "x_rcnn1.model.5.weight", found: [16, 32, 3, 1], expected: "[any, 32, 3, 3]")
        case .unexpected:
            weights["module.extra"] = Tensor(zeros: [1])
            expected = .unexpectedTensors(source: "w.pth", names: ["module.extra"])
        case .emptyTensor:
            weights["decoder256.bias"] = Tensor(zeros: [1, 3, 1, 0])
            expected = .wrongShape(source: "w.pth", name: "decoder256.bias", found: [1, 3, 1, 0], expected: "[1, 3, 1, 1]")
        case .wrongWidthChain:
            // A conv whose input width does not match the block before it.
            weights["x_encoder.encoder0.model.2.weight"] = Tensor(zeros: [8, 5, 4, 4])
            expected = .wrongShape(source: "w.pth", name: "x_encoder.encoder0.model.2.weight", found: [8, 5, 4, 4], expected: "[any, 4, 4, 4]")
        }
        #expect(throws: expected) { try BDMMGenerator(weights: weights, source: "w.pth") }
        let message = String(describing: expected)
        #expect(message.hasPrefix("w.pth: "))
    }

    @Test func oneThreadEqualsTwoThreads() throws {
        let weights = try WeightFile.read(contentsOf: Fixture.url("bdmm-2windows", "generator_state_dict.safetensors"))
        let generator = try BDMMGenerator(weights: weights, source: "fixture")
        let inputs = try Safetensors.read(contentsOf: Fixture.url("bdmm-2windows", "inputs.safetensors")).tensors
        let (image, windows) = try WindowFile.windows(in: inputs, source: "inputs", heatmapChannels: 25)
        let one = WindowFile.run(generator, Engine(threads: 1), image: image, windows: windows, trace: false)
        let two = WindowFile.run(generator, Engine(threads: 2), image: image, windows: windows, trace: false)
        #expect(one.keys.sorted() == two.keys.sorted())
        for key in one.keys {
            let worst = zip(one[key]!.storage, two[key]!.storage).map { abs($0 - $1) }.max()!
            #expect(worst <= 1e-5, "\(key): \(worst)")
        }
    }

    @Test func badInputsNameTheKey() throws {
        var inputs = try Safetensors.read(contentsOf: Fixture.url("bdmm", "inputs.safetensors")).tensors
        inputs["w0.flow_post"] = Tensor(zeros: [1, 128, 64, 3])
        #expect(throws: GeneratorError.badInput(source: "in", name: "w0.flow_post", message: "shape [1, 128, 64, 3], expected [1, 128, 64, 2]")) {
            try WindowFile.windows(in: inputs, source: "in", heatmapChannels: 25)
        }
        inputs["P_ref"] = Tensor(zeros: [1, 3, 60, 64])
        #expect(throws: GeneratorError.self) { try WindowFile.windows(in: inputs, source: "in", heatmapChannels: 25) }
    }
}
