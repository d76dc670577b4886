// Bad weight files, table-driven: each throws a WeightError whose message starts with the file's
// path and names the tensor, entry, field or byte offset; none traps. Then every cut point and
// many single-byte corruptions of small checkpoints, to show no input can trap the readers.
import Foundation
import Testing
@testable import TensorEngine
import TestSupport

struct BadWeightFile: CustomTestStringConvertible, Sendable {
    enum Reader: Sendable { case weightFile, safetensors, torch, npy, npz }
    var label: String
    var reader: Reader = .weightFile
    var fragments: [String]
    /// The file's bytes (nil: the file does not exist; a directory when `directory`).
    var bytes: @Sendable () throws -> Data?
    var directory = false

    var testDescription: String { label }
}

private func fixture(_ url: URL) throws -> Data { try Data(contentsOf: url) }
private let bdmmPth = WeightFixtures.bdmm.appendingPathComponent("generator_state_dict.pth")
private let bdmmSafetensors = WeightFixtures.bdmm.appendingPathComponent("generator_state_dict.safetensors")

private func cut(_ url: URL, _ at: @escaping @Sendable (Int) -> Int) -> @Sendable () throws -> Data? {
    { let data = try fixture(url); return data.prefix(at(data.count)) }
}

private func safetensorsHeaderLength(_ data: Data) -> Int {
    Int(data.prefix(8).withUnsafeBytes { $0.loadUnaligned(as: UInt64.self).littleEndian })
}

@Suite struct WeightsBadFileTests {
    static let cases: [BadWeightFile] = [
        BadWeightFile(label: "empty file", fragments: ["the file is empty"], bytes: { Data() }),
        BadWeightFile(label: "missing file", fragments: ["no such file"], bytes: { nil }),
        BadWeightFile(label: "a directory", fragments: ["is a directory"], bytes: { Data() }, directory: true),
        BadWeightFile(label: ".pth cut to 3 bytes", fragments: ["neither a safetensors file nor a PyTorch checkpoint", "50 4b 03"],
                bytes: cut(bdmmPth) { _ in 3 }),
        BadWeightFile(label: ".pth cut to 100 bytes", fragments: ["no end-of-central-directory record (truncated zip?)"], bytes: cut(bdmmPth) { _ in 100 }),
        BadWeightFile(label: ".pth cut in half", fragments: ["no end-of-central-directory record (truncated zip?)"], bytes: cut(bdmmPth) { $0 / 2 }),
        BadWeightFile(label: ".pth missing its last byte", fragments: ["truncated"], bytes: cut(bdmmPth) { $0 - 1 }),
        BadWeightFile(label: ".pth missing 23 bytes", fragments: ["truncated"], bytes: cut(bdmmPth) { $0 - 23 }),
        BadWeightFile(label: ".pth with its middle cut out", fragments: ["byte "], bytes: {
            let data = try fixture(bdmmPth)
            return data.prefix(200_000) + data.suffix(60_000)
        }),
        BadWeightFile(label: ".pth with a damaged pickle", fragments: ["entry \"dtypes/data.pkl\"", "CRC-32 mismatch"], bytes: {
            var data = try fixture(WeightFixtures.weight("dtypes.pth"))
            let nameLength = Int(data[26]) | Int(data[27]) << 8, extraLength = Int(data[28]) | Int(data[29]) << 8
            data[30 + nameLength + extraLength + 20] ^= 0x5A
            return data
        }),
        BadWeightFile(label: "storage shorter than its tensor", reader: .torch, fragments: ["tensor \"f32\"", "storage data/0 has 40 bytes, needs 96"],
                bytes: { try fixture(WeightFixtures.weight("short_storage.pth")) }),
        BadWeightFile(label: "pickle with an unknown global", reader: .torch,
                fragments: ["entry \"unknown_global/data.pkl\"", "unknown global \"evil_module.NotATensor\""],
                bytes: { try fixture(WeightFixtures.weight("unknown_global.pth")) }),
        BadWeightFile(label: "empty zip", fragments: ["not a checkpoint (no */data.pkl in the zip)"],
                bytes: { Data([0x50, 0x4B, 0x05, 0x06] + [UInt8](repeating: 0, count: 18)) }),
        BadWeightFile(label: "zip without data.pkl", fragments: ["not a checkpoint (no */data.pkl in the zip)"],
                bytes: { try fixture(WeightFixtures.weight("no_pickle.zip")) }),
        BadWeightFile(label: "legacy .pth cut short", fragments: ["storage ", "truncated"], bytes: cut(WeightFixtures.weight("dtypes_legacy.pth")) { $0 - 10 }),
        BadWeightFile(label: "random bytes", fragments: ["neither a safetensors file nor a PyTorch checkpoint", "starts with bytes"], bytes: {
            var rng = WeightsRandom(seed: 3)
            return Data((0..<4096).map { _ in UInt8(rng.next(256)) })
        }),
        BadWeightFile(label: "text file", fragments: ["looks like a text file"], bytes: { Data("model weights go here\nsee README\n".utf8) }),
        BadWeightFile(label: "safetensors cut to 4 bytes", reader: .safetensors, fragments: ["byte 0", "shorter than the 8-byte header length"],
                bytes: cut(bdmmSafetensors) { _ in 4 }),
        BadWeightFile(label: "safetensors cut inside its header", fragments: ["byte 0", "goes beyond the end of the file"], bytes: {
            let data = try fixture(bdmmSafetensors)
            return data.prefix(8 + safetensorsHeaderLength(data) / 2)
        }),
        BadWeightFile(label: "safetensors cut inside its data", fragments: ["tensor \"", "lie outside the data section"], bytes: {
            let data = try fixture(bdmmSafetensors)
            return data.prefix(8 + safetensorsHeaderLength(data) + 1000)
        }),
        BadWeightFile(label: "header length beyond the file", fragments: ["byte 0", "header length 1000000 goes beyond the end of the file (10 bytes)"],
                bytes: { rawSafetensors("{}").replacingLength(1_000_000) }),
        BadWeightFile(label: "header not JSON", fragments: ["byte 8", "header is not valid JSON"], bytes: { rawSafetensors("{garbage") }),
        BadWeightFile(label: "header not an object", reader: .safetensors, fragments: ["byte 8", "header is not"], bytes: { rawSafetensors("[1, 2, 3]") }),
        BadWeightFile(label: "overlapping tensors", fragments: ["tensor \"b\"", "overlaps tensor \"a\""], bytes: {
            rawSafetensors(#"{"a":{"dtype":"F32","shape":[2],"data_offsets":[0,8]},"b":{"dtype":"F32","shape":[1],"data_offsets":[4,8]}}"#, [UInt8](repeating: 0, count: 8))
        }),
        BadWeightFile(label: "size not matching shape", fragments: ["tensor \"w\"", "hold 8 bytes, shape [3] of F32 needs 12"], bytes: {
            rawSafetensors(#"{"w":{"dtype":"F32","shape":[3],"data_offsets":[0,8]}}"#, [UInt8](repeating: 0, count: 8))
        }),
        BadWeightFile(label: "unsupported dtype", fragments: ["tensor \"w\"", "dtype \"F8_E4M3\" is not supported"], bytes: {
            rawSafetensors(#"{"w":{"dtype":"F8_E4M3","shape":[1],"data_offsets":[0,1]}}"#, [0])
        }),
        BadWeightFile(label: "missing field", fragments: ["tensor \"w\"", "field \"data_offsets\" is missing"], bytes: {
            rawSafetensors(#"{"w":{"dtype":"F32","shape":[1]}}"#, [0, 0, 0, 0])
        }),
        BadWeightFile(label: "negative dimension", fragments: ["tensor \"w\"", "field \"shape\" holds -1"], bytes: {
            rawSafetensors(#"{"w":{"dtype":"F32","shape":[-1],"data_offsets":[0,0]}}"#)
        }),
        BadWeightFile(label: "impossibly large shape", fragments: ["tensor \"w\"", "impossibly large"], bytes: {
            rawSafetensors(#"{"w":{"dtype":"F32","shape":[4294967296,4294967296],"data_offsets":[0,0]}}"#)
        }),
        BadWeightFile(label: "metadata not strings", fragments: ["header field \"__metadata__.seed\"", "is not a string"], bytes: {
            rawSafetensors(#"{"__metadata__":{"seed":1}}"#)
        }),
        BadWeightFile(label: "int64 beyond float32", fragments: ["tensor \"n\"", "int64 element 0 is not exactly representable"], bytes: {
            rawSafetensors(#"{"n":{"dtype":"I64","shape":[1],"data_offsets":[0,8]}}"#, littleEndianBytes([Int64(1) << 40]))
        }),
        BadWeightFile(label: ".npy given as weights", fragments: ["is a single .npy array"], bytes: { try fixture(WeightFixtures.weight("f4_c.npy")) }),
        BadWeightFile(label: ".npy cut short", reader: .npy, fragments: ["byte 128", "data holds 20 bytes", "needs 48 (truncated?)"],
                bytes: cut(WeightFixtures.weight("f4_c.npy")) { _ in 148 }),
        BadWeightFile(label: ".npy of complex numbers", reader: .npy, fragments: ["header field \"descr\"", "dtype \"<c16\" is not supported"], bytes: {
            var header = Array("{'descr': '<c16', 'fortran_order': False, 'shape': (1,), }".utf8)
            header += [UInt8](repeating: 0x20, count: 118 - header.count) + [0x0A]
            return Data(NumPy.magic + [1, 0, UInt8(header.count), 0] + header + [UInt8](repeating: 0, count: 16))
        }),
        BadWeightFile(label: ".npy header missing shape", reader: .npy, fragments: ["header field \"shape\"", "is missing"], bytes: {
            let header = Array("{'descr': '<f4', 'fortran_order': False}\n".utf8)
            return Data(NumPy.magic + [1, 0, UInt8(header.count), 0] + header)
        }),
        BadWeightFile(label: ".npz with damaged deflate data", reader: .npz, fragments: ["entry \""], bytes: {
            var data = try fixture(WeightFixtures.weight("arrays_compressed.npz"))
            for offset in 60..<90 { data[offset] ^= 0xA5 }
            return data
        }),
    ]

    @Test(arguments: cases)
    func throwsANamedError(_ bad: BadWeightFile) throws {
        let directory = TemporaryDirectory()
        let url = URL(fileURLWithPath: directory.file("bad-\(bad.label.replacingOccurrences(of: " ", with: "_")).bin"))
        if bad.directory {
            try FileManager.default.createDirectory(at: url, withIntermediateDirectories: false)
        } else if let bytes = try bad.bytes() {
            try bytes.write(to: url)
        }
        do {
            switch bad.reader {
            case .weightFile: _ = try WeightFile.read(contentsOf: url)
            case .safetensors: _ = try Safetensors.read(contentsOf: url)
            case .torch: _ = try TorchCheckpoint.read(contentsOf: url)
            case .npy: _ = try NumPy.read(contentsOf: url)
            case .npz: _ = try NumPy.readArchive(contentsOf: url)
            }
            Issue.record("\(bad.label): no error")
        } catch let error as WeightError {
            #expect(error.description.hasPrefix(url.path + ": "), "\(bad.label): \(error)")
            for fragment in bad.fragments {
                #expect(error.description.contains(fragment), "\(bad.label): \"\(fragment)\" not in: \(error)")
            }
        }
    }

    @Test(arguments: ["dtypes.pth", "dtypes_legacy.pth", "deflated.pth", "arrays_compressed.npz", "dtypes_expected.safetensors"])
    func everyCutThrows(name: String) throws {
        let bytes = try [UInt8](fixture(WeightFixtures.weight(name)))
        _ = try bytes.withUnsafeBytes { try WeightFile.parse($0) }
        for cut in 0..<bytes.count {
            #expect(throws: WeightError.self, "\(name) cut at \(cut)") {
                try bytes.withUnsafeBytes { try WeightFile.parse(UnsafeRawBufferPointer(rebasing: $0[..<cut])) }
            }
        }
    }

    @Test(arguments: ["dtypes_legacy.pth", "deflated.pth", "dtypes.pth", "dtypes_expected.safetensors"])
    func corruptionNeverTraps(name: String) throws {
        let bytes = try [UInt8](fixture(WeightFixtures.weight(name)))
        var rng = WeightsRandom(seed: 5)
        for _ in 0..<3000 {
            var mutated = bytes
            for _ in 0..<(1 + rng.next(3)) { mutated[rng.next(bytes.count)] = UInt8(rng.next(256)) }
            _ = try? mutated.withUnsafeBytes { try WeightFile.parse($0) }    // a value or a WeightError; a trap fails the run
        }
    }
}

private extension Data {
    /// The same bytes with the first 8 (a safetensors header length) replaced.
    func replacingLength(_ length: UInt64) -> Data {
        var copy = self
        Swift.withUnsafeBytes(of: length.littleEndian) { copy.replaceSubrange(0..<8, with: $0) }
        return copy
    }
}
