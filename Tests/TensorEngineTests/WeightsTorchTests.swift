// PyTorch checkpoints: every dtype and view in dtypes.pth (zip, protocol 2 and 4, legacy
// non-zip, deflated entries) equals the float32 copies torch wrote beside it; nested dicts,
// nn.Parameter values, the strided gather against its slow reference, half/bfloat16 widening.
import Foundation
import Testing
@testable import TensorEngine

@Suite struct WeightsTorchTests {
    static let variants = ["dtypes.pth", "dtypes_protocol4.pth", "dtypes_legacy.pth", "deflated.pth"]

    @Test(arguments: variants)
    func everyDtypeAndViewMatchesTorch(file: String) throws {
        let expected = try Safetensors.read(contentsOf: WeightFixtures.weight("dtypes_expected.safetensors")).tensors
        let loaded = try WeightFile.read(contentsOf: WeightFixtures.weight(file))
        #expect(Set(loaded.keys) == Set(expected.keys))
        for (name, want) in expected {
            let got = try #require(loaded[name], "\(file): \(name) missing")
            #expect(sameBits(got, want), "\(file): \(name) \(got.shape) vs \(want.shape), max |Δ| \(weightsMaxAbsDifference(got, want))")
        }
        #expect(loaded["expanded"]?.shape == [3, 6])
        #expect(loaded["scalar"]?.shape == [])
        #expect(loaded["empty"]?.shape == [0, 3])
    }

    @Test func torchReaderTakesBothFormats() throws {
        let zip = try TorchCheckpoint.read(contentsOf: WeightFixtures.weight("dtypes.pth"))
        let legacy = try TorchCheckpoint.read(contentsOf: WeightFixtures.weight("dtypes_legacy.pth"))
        #expect(zip.count == 12 && legacy.count == 12)
        #expect(zip.allSatisfy { name, tensor in legacy[name].map { sameBits($0, tensor) } ?? false })
        let error = #expect(throws: WeightError.self) {
            try TorchCheckpoint.read(contentsOf: WeightFixtures.weight("dtypes_expected.safetensors"))
        }
        #expect(error?.description.contains("not a PyTorch checkpoint") == true)
    }

    @Test func viewsAreTakenFromTheSharedStorage() throws {
        let tensors = try TorchCheckpoint.read(contentsOf: WeightFixtures.weight("dtypes.pth"))
        let base = try #require(tensors["f32"])
        let transposed = try #require(tensors["transposed"])
        for row in 0..<4 { for column in 0..<6 { #expect(transposed.storage[column * 4 + row] == base.storage[row * 6 + column]) } }
        let sliced = try #require(tensors["sliced"])
        #expect(sliced.shape == [3, 3])
        #expect(sliced.storage[0] == base.storage[6] && sliced.storage[8] == base.storage[3 * 6 + 4])
        // fixturePattern(n) = (i·37 mod 101)/8 − 6, as make_fixtures.py writes it
        let pattern: [Float] = (0..<24).map { index in Float((index * 37) % 101) / 8 - 6 }
        #expect(base.storage == pattern)
    }

    @Test func zip64EndRecordIsFollowed() throws {
        // torch.save writes ZIP64 end records; saturate the classic end record so only they can be used.
        var bytes = try [UInt8](Data(contentsOf: WeightFixtures.weight("dtypes.pth")))
        let end = bytes.count - 22
        #expect(bytes[end..<(end + 4)].elementsEqual([0x50, 0x4B, 0x05, 0x06]))
        for offset in 8..<20 { bytes[end + offset] = 0xFF }
        let expected = try TorchCheckpoint.read(contentsOf: WeightFixtures.weight("dtypes.pth"))
        let loaded = try bytes.withUnsafeBytes { try WeightFile.parse($0) }
        #expect(loaded.count == expected.count && loaded.allSatisfy { name, tensor in expected[name].map { sameBits($0, tensor) } ?? false })
        // A locator pointing at garbage is an error naming the offset, not a trap.
        let locator = end - 20
        bytes[locator + 8] ^= 0x01
        #expect(throws: WeightError.self) { try bytes.withUnsafeBytes { try WeightFile.parse($0) } }
    }

    @Test func nestedDictsGiveDottedKeysAndSkipNonTensors() throws {
        let tensors = try TorchCheckpoint.read(contentsOf: WeightFixtures.weight("nested.pth"))
        #expect(Set(tensors.keys) == ["model.w", "model.b"])
        #expect(tensors["model.b"]?.storage == [1, 1])
        #expect(tensors["model.w"]?.shape == [2, 6])
    }

    @Test func parametersAreUnwrapped() throws {
        let tensors = try TorchCheckpoint.read(contentsOf: WeightFixtures.weight("parameters.pth"))
        #expect(tensors["weight"]?.shape == [2, 3])
        let pattern: [Float] = (0..<6).map { index in Float((index * 37) % 101) / 8 - 6 }
        #expect(tensors["weight"]?.storage == pattern)
        #expect(tensors["bias"]?.storage == [0.5, -0.5])
    }

    @Test func stridedGatherMatchesItsReference() throws {
        var rng = WeightsRandom(seed: 11)
        for _ in 0..<300 {
            let rank = 1 + rng.next(4)
            let shape = (0..<rank).map { _ in 1 + rng.next(4) }
            let stride = (0..<rank).map { _ in rng.next(7) }            // includes 0 (broadcast) and gaps
            let offset = rng.next(5)
            let span = offset + zip(shape, stride).reduce(1) { $0 + ($1.0 - 1) * $1.1 }
            let storage = (0..<span).map { Float($0) * 0.5 - 3 }
            let view = StridedView(shape: shape, stride: stride, offset: offset)
            let fast = try storage.withUnsafeBytes { try view.gather($0, .float32, bigEndian: false) }
            #expect(fast.storage == view.gatherReference(storage), "shape \(shape) stride \(stride) offset \(offset)")
        }
    }

    @Test func halfAndBFloat16WidenExactly() {
        // Every half bit pattern against an independent decoding: sign · mantissa · 2^(exponent − 25).
        for bits in 0...UInt16.max {
            let got = floatFromHalf(bits)
            let exponent = Int((bits >> 10) & 0x1F), mantissa = Int(bits & 0x3FF)
            let sign: Float = bits & 0x8000 == 0 ? 1 : -1
            if exponent == 31 {
                #expect(mantissa == 0 ? got == sign * .infinity : got.isNaN, "half 0x\(String(bits, radix: 16))")
                continue
            }
            let scale = Float(sign: .plus, exponent: exponent - 25, significand: 1)
            let want: Float = exponent == 0 ? sign * Float(mantissa) * 0x1p-24 : sign * Float(1024 + mantissa) * scale
            #expect(got == want && got.sign == want.sign, "half 0x\(String(bits, radix: 16)): \(got) vs \(want)")
        }
        #expect(floatFromBFloat16(0x3F80) == 1 && floatFromBFloat16(0xC0A0) == -5 && floatFromBFloat16(0x7F80) == .infinity)
    }

    @Test func integerTensorsConvertOnlyWhenExact() throws {
        let bytes: [Int64] = [1 << 24, -(1 << 24), (1 << 24) + 1]
        bytes.withUnsafeBytes { raw in
            if case let .success(values) = ElementDecoder.floats(raw, count: 2, .int64) {
                #expect(values == [16_777_216, -16_777_216])
            } else {
                Issue.record("exact int64 values refused")
            }
            if case let .failure(lossy) = ElementDecoder.floats(raw, count: 3, .int64) {
                #expect(lossy.index == 2)
            } else {
                Issue.record("2^24 + 1 accepted as float32")
            }
        }
    }
}
