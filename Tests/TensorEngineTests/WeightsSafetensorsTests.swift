// Safetensors: write → read round trip (metadata, awkward names, scalars, empty tensors, NaN
// bits), the on-disk layout (sorted, 8-byte padded header, deterministic bytes, atomic write),
// F16 / BF16 / F64 / integer reading from hand-built files, and header validation.
import Foundation
import Testing
@testable import TensorEngine
import TestSupport

/// A safetensors file built by hand: header JSON text and raw data bytes.
func rawSafetensors(_ header: String, _ data: [UInt8] = []) -> Data {
    var bytes = Data()
    withUnsafeBytes(of: UInt64(header.utf8.count).littleEndian) { bytes.append(contentsOf: $0) }
    bytes.append(contentsOf: Array(header.utf8))
    bytes.append(contentsOf: data)
    return bytes
}

func littleEndianBytes<T: FixedWidthInteger>(_ values: [T]) -> [UInt8] {
    values.flatMap { value in withUnsafeBytes(of: value.littleEndian, Array.init) }
}

@Suite struct WeightsSafetensorsTests {
    @Test func roundTrip() throws {
        let directory = TemporaryDirectory()
        let url = URL(fileURLWithPath: directory.file("round.safetensors"))
        let tensors: [String: Tensor] = [
            "conv.weight": Tensor(shape: [2, 1, 3], storage: [1, -2, 3.5, .infinity, -0.0, Float(bitPattern: 0x0001_1170)]),
            "name with \"quotes\", \\ and ü": Tensor(shape: [1], storage: [Float(bitPattern: 0x7FC0_1234)]),
            "scalar": Tensor(shape: [], storage: [42]),
            "empty": Tensor(shape: [0, 4], storage: []),
        ]
        let metadata = ["format": "pt", "note": "line\nbreak \"quoted\""]
        try Safetensors.write(tensors, metadata: metadata, to: url)
        let back = try Safetensors.read(contentsOf: url)
        #expect(back.metadata == metadata)
        #expect(Set(back.tensors.keys) == Set(tensors.keys))
        for (name, tensor) in tensors { #expect(back.tensors[name].map { sameBits($0, tensor) } == true, "\(name)") }

        let bytes = try Data(contentsOf: url)
        let headerLength = Int(bytes.prefix(8).withUnsafeBytes { $0.loadUnaligned(as: UInt64.self).littleEndian })
        #expect(headerLength % 8 == 0)
        let header = String(decoding: bytes[8..<(8 + headerLength)], as: UTF8.self)
        let order = ["\"conv.weight\"", "\"empty\"", "\"name with", "\"scalar\""].map { header.range(of: $0)!.lowerBound }
        #expect(order == order.sorted(), "tensors in name order")
        #expect(header.hasPrefix("{\"__metadata__\""))

        try Safetensors.write(tensors, metadata: metadata, to: url)
        #expect(try Data(contentsOf: url) == bytes, "writing twice gives identical bytes")
        #expect(try FileManager.default.contentsOfDirectory(atPath: directory.path) == ["round.safetensors"], "no temporary left")
    }

    /// 8-bit tensors (pictures, masks) are written as U8 beside F32 ones, in name order, and read
    /// back as their values; a name given as both kinds is refused.
    @Test func byteTensorsRoundTrip() throws {
        let directory = TemporaryDirectory()
        let url = URL(fileURLWithPath: directory.file("bytes.safetensors"))
        try Safetensors.write(["b": Tensor(shape: [2], storage: [0.5, -1])],
                              bytes: ["a": ByteTensor(shape: [3], values: [0, 7, 255]), "c": ByteTensor(shape: [1, 1], values: [9])], to: url)
        let bytes = [UInt8](try Data(contentsOf: url))
        let headerLength = Int(bytes[0]) | Int(bytes[1]) << 8
        let header = String(decoding: bytes[8 ..< 8 + headerLength], as: UTF8.self)
        #expect(header.contains("\"a\":{\"dtype\":\"U8\",\"shape\":[3],\"data_offsets\":[0,3]}"), "\(header)")
        #expect(header.contains("\"b\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[3,11]}"), "\(header)")
        let back = try Safetensors.read(contentsOf: url).tensors
        #expect(back["a"]?.storage == [0, 7, 255] && back["b"]?.storage == [0.5, -1] && back["c"]?.shape == [1, 1])
        #expect(throws: WeightError.self) {
            try Safetensors.write(["x": Tensor(zeros: [1])], bytes: ["x": ByteTensor(shape: [1], values: [1])], to: url)
        }
    }

    @Test func fixtureSurvivesARewrite() throws {
        let original = try Safetensors.read(contentsOf: WeightFixtures.bdmm.appendingPathComponent("generator_state_dict.safetensors"))
        let directory = TemporaryDirectory()
        let url = URL(fileURLWithPath: directory.file("copy.safetensors"))
        try Safetensors.write(original.tensors, metadata: original.metadata, to: url)
        let copy = try Safetensors.read(contentsOf: url)
        #expect(copy.metadata == original.metadata)
        #expect(copy.tensors.count == 241)
        #expect(copy.tensors.allSatisfy { name, tensor in original.tensors[name].map { sameBits($0, tensor) } ?? false })
    }

    @Test func failedWriteNamesTheFileAndLeavesNothing() {
        let url = URL(fileURLWithPath: "/nonexistent-dir-\(UUID().uuidString)/out.safetensors")
        let error = #expect(throws: WeightError.self) { try Safetensors.write(["a": Tensor(zeros: [1])], to: url) }
        #expect(error?.description.hasPrefix(url.path) == true)
        #expect(throws: WeightError.self) { try Safetensors.write(["__metadata__": Tensor(zeros: [1])], to: url) }
    }

    @Test func otherDtypesWiden() throws {
        // F16 [1, -2.5, 65504], BF16 [1, -5], F64 [0.1], I32 [-7, 16777216], U8 [255], BOOL [1, 0]
        let f16 = littleEndianBytes([UInt16(0x3C00), 0xC100, 0x7BFF])
        let bf16 = littleEndianBytes([UInt16(0x3F80), 0xC0A0])
        let f64 = littleEndianBytes([Double(0.1).bitPattern])
        let i32 = littleEndianBytes([UInt32(bitPattern: -7), 16_777_216])
        let data = f16 + bf16 + f64 + i32 + [255, 1, 0]
        var offset = 0
        func span(_ count: Int) -> String { defer { offset += count }; return "[\(offset),\(offset + count)]" }
        let header = """
        {"h":{"dtype":"F16","shape":[3],"data_offsets":\(span(6))},"b":{"dtype":"BF16","shape":[2],"data_offsets":\(span(4))},\
        "d":{"dtype":"F64","shape":[],"data_offsets":\(span(8))},"i":{"dtype":"I32","shape":[2,1],"data_offsets":\(span(8))},\
        "u":{"dtype":"U8","shape":[1],"data_offsets":\(span(1))},"t":{"dtype":"BOOL","shape":[2],"data_offsets":\(span(2))}}
        """
        let directory = TemporaryDirectory()
        let url = URL(fileURLWithPath: directory.file("mixed.safetensors"))
        try rawSafetensors(header, data).write(to: url)
        let tensors = try Safetensors.read(contentsOf: url).tensors
        #expect(tensors["h"]?.storage == [1, -2.5, 65504])
        #expect(tensors["b"]?.storage == [1, -5])
        #expect(tensors["d"]?.storage == [Float(0.1)] && tensors["d"]?.shape == [])
        #expect(tensors["i"]?.storage == [-7, 16_777_216] && tensors["i"]?.shape == [2, 1])
        #expect(tensors["u"]?.storage == [255])
        #expect(tensors["t"]?.storage == [1, 0])
    }
}
