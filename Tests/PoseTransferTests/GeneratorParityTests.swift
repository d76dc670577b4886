// The generator against the BDMM parity fixtures (random weights with the official key names, the
// official forward's outputs and intermediates): every tensor the Swift code computes within
// |Δ| ≤ 1e-3 + 1e-4·|expected|, weights loaded from the .pth and from the .safetensors.
import Foundation
import Testing
import PoseTransfer
import TensorEngine

enum Fixture {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent("Fixtures")
    static func url(_ folder: String, _ file: String) -> URL { root.appendingPathComponent(folder).appendingPathComponent(file) }
}

@Suite struct GeneratorParityTests {
    struct Case: CustomStringConvertible, Sendable {
        let folder: String, weights: String
        var description: String { "\(folder)/\(weights)" }
    }

    static let cases = ["bdmm", "bdmm-2windows"].flatMap { folder in
        ["generator_state_dict.pth", "generator_state_dict.safetensors"].map { Case(folder: folder, weights: $0) }
    }

    @Test(arguments: cases) func matchesTheOfficialForward(_ fixture: Case) throws {
        let weights = try WeightFile.read(contentsOf: Fixture.url(fixture.folder, fixture.weights))
        let generator = try BDMMGenerator(weights: weights, source: fixture.weights)
        let inputs = try Safetensors.read(contentsOf: Fixture.url(fixture.folder, "inputs.safetensors")).tensors
        let expected = try Safetensors.read(contentsOf: Fixture.url(fixture.folder, "expected.safetensors")).tensors
        let (image, windows) = try WindowFile.windows(in: inputs, source: "inputs.safetensors",
                                                      heatmapChannels: generator.heatmapChannels)
        let results = WindowFile.run(generator, Engine(threads: 2), image: image, windows: windows, trace: true)

        var compared = 0
        for key in expected.keys.sorted() {
            let want = expected[key]!
            guard let got = results[key] else {
                Issue.record("\(fixture): \(key) is in the fixture but not computed"); continue
            }
            #expect(got.shape == want.shape, "\(key)")
            guard got.shape == want.shape else { continue }
            var worst: Float = 0, excess: Float = -.infinity, squaredError = 0.0, energy = 0.0
            for (g, e) in zip(got.storage, want.storage) {
                let delta: Float = Swift.abs(g - e)
                worst = Swift.max(worst, delta)
                excess = Swift.max(excess, delta - (1e-3 + 1e-4 * Swift.abs(e)))
                squaredError += Double(delta) * Double(delta); energy += Double(e) * Double(e)
            }
            let nmse = energy > 0 ? squaredError / energy : squaredError
            print("\(fixture) \(key): max |Δ| \(worst), NMSE \(nmse)")
            #expect(excess <= 0, "\(fixture) \(key): max |Δ| \(worst) beyond 1e-3 + 1e-4·|expected|")
            compared += 1
        }
        #expect(compared == expected.count)
        #expect(compared >= 13)
    }
}
