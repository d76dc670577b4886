// The BDMM parity fixture's weights load to the same 241 tensors from the .pth (PyTorch zip
// checkpoint) and the .safetensors, and through the format-sniffing WeightFile reader.
import Foundation
import Testing
@testable import TensorEngine

@Suite struct WeightsFixtureTests {
    let pth = WeightFixtures.bdmm.appendingPathComponent("generator_state_dict.pth")
    let safetensors = WeightFixtures.bdmm.appendingPathComponent("generator_state_dict.safetensors")

    @Test func pthAndSafetensorsHoldTheSame241Tensors() throws {
        let fromTorch = try TorchCheckpoint.read(contentsOf: pth)
        let fromSafetensors = try Safetensors.read(contentsOf: safetensors)
        #expect(fromTorch.count == 241)
        #expect(fromSafetensors.tensors.count == 241)
        #expect(Set(fromTorch.keys) == Set(fromSafetensors.tensors.keys))
        for (name, tensor) in fromTorch {
            let other = try #require(fromSafetensors.tensors[name], "\(name) missing from the safetensors")
            #expect(sameBits(tensor, other), "\(name): \(tensor.shape) vs \(other.shape), max |Δ| \(weightsMaxAbsDifference(tensor, other))")
        }
        let parameters = fromTorch.filter { !$0.key.hasSuffix(".kernel") }.values.reduce(0) { $0 + $1.count }
        #expect(parameters == 132_543)   // README: parameters plus 7 constant FIR buffers
        #expect(fromTorch["decoder256.conv.weight"]?.shape == [1, 3, 4, 1, 1])
    }

    @Test func safetensorsMetadataIsRead() throws {
        let file = try Safetensors.read(contentsOf: safetensors)
        #expect(!file.metadata.isEmpty)
        #expect(file.tensors.values.allSatisfy { $0.storage.allSatisfy(\.isFinite) })
    }

    @Test func weightFileSniffsBothFormats() throws {
        let a = try WeightFile.read(contentsOf: pth)
        let b = try WeightFile.read(contentsOf: safetensors)
        #expect(a.count == 241 && b.count == 241)
        #expect(a.allSatisfy { name, tensor in b[name].map { sameBits(tensor, $0) } ?? false })
    }
}
