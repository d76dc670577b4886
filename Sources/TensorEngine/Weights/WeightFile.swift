// WeightFile: opens a weight file whatever its format, sniffed from its content (never its name):
// a zip with */data.pkl is a PyTorch checkpoint, a zip of .npy files an .npz, an 8-byte length
// followed by '{' a safetensors file, a bare pickle a legacy (pre-1.6) torch.save file.
import Foundation

public enum WeightFile {
    /// What the first bytes say a file is (a zip is then told apart by its entries).
    enum Format {
        case safetensors, zip, torchLegacy
    }

    /// Reads every tensor of a safetensors file, a PyTorch checkpoint (zip or legacy) or an .npz.
    /// - Returns: float32 tensors by name.
    /// - Throws: `WeightError` naming the file (and the tensor or offset); for a file of none of
    ///   these formats, says so and what it looks like instead.
    public static func read(contentsOf url: URL) throws -> [String: Tensor] {
        let data = try MappedFile.bytes(of: url)
        return try reading(url.path) { try data.withUnsafeBytes { try parse($0) } }
    }

    /// `read` on bytes already in memory (errors carry no file name).
    static func parse(_ bytes: UnsafeRawBufferPointer) throws -> [String: Tensor] {
        switch try format(of: bytes) {
        case .safetensors: return try Safetensors.parse(bytes).tensors
        case .torchLegacy: return try TorchLegacy.parse(bytes)
        case .zip:
            let archive = try ZipArchive(bytes)
            if TorchCheckpoint.pickleEntry(in: archive) == nil, archive.entries.contains(where: { $0.name.hasSuffix(".npy") }) {
                var tensors: [String: Tensor] = [:]
                for (name, array) in try NumPy.parseArchive(archive, bytes) {
                    tensors[name] = try within("array \"\(name)\"") { try array.tensor() }
                }
                return tensors
            }
            return try TorchCheckpoint.parse(archive: archive, bytes)
        }
    }

    /// The format the bytes look like.
    /// - Throws: `WeightError` describing the bytes when they match no known format.
    static func format(of bytes: UnsafeRawBufferPointer) throws -> Format {
        guard !bytes.isEmpty else { throw WeightError(reason: "the file is empty") }
        if ZipArchive.looksLikeZip(bytes) { return .zip }
        if bytes.count >= 9 {
            let length = bytes.loadUnaligned(as: UInt64.self).littleEndian
            // A JSON object after a plausible length: safetensors, even when the length then
            // points past the end (the safetensors reader reports that precisely).
            if length < 1 << 32, bytes[8] == UInt8(ascii: "{") { return .safetensors }
        }
        if bytes.count >= 2, bytes[0] == 0x80, bytes[1] <= 5 { return .torchLegacy }
        if bytes.count >= 6, Array(bytes.prefix(6)) == NumPy.magic {
            throw WeightError(reason: "is a single .npy array, not a weight file (read it with NumPy.read)")
        }
        let head = bytes.prefix(16).map { String(format: "%02x", $0) }.joined(separator: " ")
        let printable = bytes.prefix(512).allSatisfy { (0x20..<0x7F).contains($0) || $0 == 0x0A || $0 == 0x0D || $0 == 0x09 }
        let looks = printable ? "it looks like a text file" : "it starts with bytes \(head)"
        throw WeightError(reason: "neither a safetensors file nor a PyTorch checkpoint (\(looks))")
    }
}
