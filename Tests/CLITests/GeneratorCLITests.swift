// `posestudio debug generator` from the command line: the two-window fixture's outputs and
// carried states, and bad checkpoints refused with the file named and nothing written.
import Foundation
import Testing
import TensorEngine

@Suite struct GeneratorCLITests {
    static let fixture = CLI.root.appendingPathComponent("Tests/Fixtures/bdmm-2windows")

    @Test func debugGeneratorReproducesTheTwoWindowFixture() throws {
        let dir = TemporaryDirectory()
        let result = try CLI.run(["debug", "generator", "--weights", Self.fixture.appendingPathComponent("generator_state_dict.pth").path,
                                  "--inputs", Self.fixture.appendingPathComponent("inputs.safetensors").path, "--out", dir.file("out.safetensors")])
        #expect(result.status == 0, "\(result.err)")
        let got = try Safetensors.read(contentsOf: URL(fileURLWithPath: dir.file("out.safetensors"))).tensors
        let expected = try Safetensors.read(contentsOf: Self.fixture.appendingPathComponent("expected.safetensors")).tensors
        let keys = ["w0.out", "w1.out"] + ["last_frame", "uv_state", "warp64", "warp128"].flatMap { ["w0.carry.\($0)", "w1.carry.\($0)"] }
        #expect(Set(got.keys) == Set(keys))
        for key in keys {
            guard let g = got[key], let e = expected[key] else { Issue.record("\(key) missing"); continue }
            #expect(g.shape == e.shape, "\(key)")
            let excess = zip(g.storage, e.storage).map { abs($0 - $1) - (1e-3 + 1e-4 * abs($1)) }.max() ?? 1
            #expect(excess <= 0, "\(key)")
        }
    }

    @Test(arguments: ["truncated", "random bytes", "inputs as weights", "empty file"])
    func badCheckpointsAreRefused(_ damage: String) throws {
        let dir = TemporaryDirectory()
        let weights = dir.file("weights.pth")
        let original = try Data(contentsOf: Self.fixture.appendingPathComponent("generator_state_dict.pth"))
        switch damage {
        case "truncated": try original.prefix(original.count / 2).write(to: URL(fileURLWithPath: weights))
        case "random bytes": try Data((0..<4096).map { UInt8(truncatingIfNeeded: $0 &* 2_654_435_761 >> 7) }).write(to: URL(fileURLWithPath: weights))
        case "inputs as weights": try Data(contentsOf: Self.fixture.appendingPathComponent("inputs.safetensors")).write(to: URL(fileURLWithPath: weights))
        default: try Data().write(to: URL(fileURLWithPath: weights))
        }
        let result = try CLI.run(["debug", "generator", "--weights", weights, "--inputs",
                                  Self.fixture.appendingPathComponent("inputs.safetensors").path, "--out", dir.file("out.safetensors")])
        #expect(result.status == 1)
        #expect(result.err.contains("weights.pth"), "\(result.err)")
        #expect(!result.err.contains("Fatal error"))
        #expect(!FileManager.default.fileExists(atPath: dir.file("out.safetensors")))
    }
}
