// Safetensors: read (memory-mapped; F32, F64, F16, BF16 widened to float32; integer and bool
// tensors converted only when every value is exactly a float32, otherwise refused) and write
// (F32, and U8 for images and masks; atomically). Layout: u64 little-endian header length N, N bytes of UTF-8 JSON
// {"name": {"dtype", "shape", "data_offsets": [begin, end]}, "__metadata__": {string: string}},
// padded with spaces to a multiple of 8, then the data; offsets count from the end of the header.
import Foundation

/// Named tensors with string metadata, as a safetensors file holds them.
public struct TensorFile: Sendable {
    public var tensors: [String: Tensor]
    public var metadata: [String: String]

    public init(tensors: [String: Tensor], metadata: [String: String] = [:]) {
        self.tensors = tensors
        self.metadata = metadata
    }
}

/// An 8-bit tensor to write (pictures and masks beside float tensors).
public struct ByteTensor: Sendable {
    public var shape: [Int]
    public var values: [UInt8]

    public init(shape: [Int], values: [UInt8]) {
        precondition(shape.reduce(1, *) == values.count, "ByteTensor: shape \(shape) for \(values.count) values")
        self.shape = shape
        self.values = values
    }
}

public enum Safetensors {
    /// Reads every tensor of a safetensors file.
    /// - Returns: tensors by name (float32, shape as stored) and the `__metadata__` map.
    /// - Throws: `WeightError` naming the file and the tensor, header field or byte offset.
    public static func read(contentsOf url: URL) throws -> TensorFile {
        let data = try MappedFile.bytes(of: url)
        return try reading(url.path) { try data.withUnsafeBytes { try parse($0) } }
    }

    /// Writes float32 tensors and metadata as a safetensors file: tensors sorted by name, data in
    /// that order, header space-padded to a multiple of 8. The file appears whole or not at all
    /// (written to a temporary file beside it, then renamed).
    /// - Throws: `WeightError` naming the file for an invalid name or a write failure.
    public static func write(_ tensors: [String: Tensor], bytes byteTensors: [String: ByteTensor] = [:],
                             metadata: [String: String] = [:], to url: URL) throws {
        let path = url.path
        let bytes = try reading(path) { try encode(tensors, bytes: byteTensors, metadata: metadata) }
        do {
            try bytes.write(to: url, options: .atomic)
        } catch {
            throw WeightError(file: path, reason: "cannot write the file (\(error.localizedDescription))")
        }
    }

    // MARK: - Reading

    static let dtypes: [String: ElementType] = [
        "F64": .float64, "F32": .float32, "F16": .float16, "BF16": .bfloat16,
        "I64": .int64, "I32": .int32, "I16": .int16, "I8": .int8,
        "U64": .uint64, "U32": .uint32, "U16": .uint16, "U8": .uint8, "BOOL": .bool,
    ]

    /// Largest header accepted (the reference implementation's limit is 100 MB).
    static let maximumHeader = 100_000_000

    static func parse(_ bytes: UnsafeRawBufferPointer) throws -> TensorFile {
        var cursor = ByteCursor(bytes)
        guard bytes.count >= 8 else {
            throw WeightError.at(0, "not a safetensors file: \(bytes.count) bytes, shorter than the 8-byte header length")
        }
        let declared = try cursor.u64("the header length")
        guard declared <= UInt64(bytes.count - 8) else {
            throw WeightError.at(0, "header length \(declared) goes beyond the end of the file (\(bytes.count) bytes)")
        }
        let headerLength = Int(declared)
        guard headerLength <= maximumHeader else { throw WeightError.at(0, "header length \(headerLength) is larger than \(maximumHeader)") }
        let headerBytes = try cursor.take(headerLength, "the header")
        guard headerBytes.first == UInt8(ascii: "{") else { throw WeightError.at(8, "header is not a JSON object (it does not start with '{')") }
        let json: Any
        do {
            json = try JSONSerialization.jsonObject(with: Data(headerBytes))
        } catch {
            throw WeightError.at(8, "header is not valid JSON")
        }
        guard let header = json as? [String: Any] else { throw WeightError.at(8, "header is not a JSON object") }

        var metadata: [String: String] = [:]
        if let raw = header["__metadata__"] {
            guard let map = raw as? [String: Any] else { throw WeightError(context: ["header field \"__metadata__\""], reason: "is not an object") }
            for (key, value) in map {
                guard let text = value as? String else {
                    throw WeightError(context: ["header field \"__metadata__.\(key)\""], reason: "is not a string")
                }
                metadata[key] = text
            }
        }

        let dataStart = 8 + headerLength
        let data = UnsafeRawBufferPointer(rebasing: bytes[dataStart...])
        var entries: [(name: String, type: ElementType, shape: [Int], begin: Int, end: Int)] = []
        for (name, raw) in header where name != "__metadata__" {
            let entry = try within("tensor \"\(name)\"") { try describe(raw, dataSize: data.count, dataStart: dataStart) }
            entries.append((name, entry.type, entry.shape, entry.begin, entry.end))
        }
        entries.sort { ($0.begin, $0.end, $0.name) < ($1.begin, $1.end, $1.name) }
        for (previous, next) in zip(entries, entries.dropFirst()) where next.begin < previous.end {
            throw WeightError.tensor(next.name, "data [\(next.begin), \(next.end)) overlaps tensor \"\(previous.name)\" [\(previous.begin), \(previous.end))")
        }

        var tensors: [String: Tensor] = [:]
        tensors.reserveCapacity(entries.count)
        for entry in entries {
            let count = elementCount(entry.shape) ?? 0
            let slice = UnsafeRawBufferPointer(rebasing: data[entry.begin..<entry.end])
            switch ElementDecoder.floats(slice, count: count, entry.type) {
            case let .success(values): tensors[entry.name] = Tensor(shape: entry.shape, storage: values)
            case let .failure(lossy): throw WeightError.tensor(entry.name, lossy.message)
            }
        }
        return TensorFile(tensors: tensors, metadata: metadata)
    }

    /// Validates one header entry against the data section.
    private static func describe(_ raw: Any, dataSize: Int, dataStart: Int) throws -> (type: ElementType, shape: [Int], begin: Int, end: Int) {
        guard let fields = raw as? [String: Any] else { throw WeightError(reason: "header entry is not an object") }
        guard let dtypeName = fields["dtype"] as? String else { throw WeightError(reason: "field \"dtype\" is missing or not a string") }
        guard let type = dtypes[dtypeName] else {
            throw WeightError(reason: "dtype \"\(dtypeName)\" is not supported (supported: \(dtypes.keys.sorted().joined(separator: ", ")))")
        }
        guard let shapeList = fields["shape"] as? [Any] else { throw WeightError(reason: "field \"shape\" is missing or not a list") }
        let shape = try shapeList.map { item -> Int in
            guard let dim = exactInt(item), dim >= 0 else { throw WeightError(reason: "field \"shape\" holds \(item), not a non-negative integer") }
            return dim
        }
        guard let offsets = fields["data_offsets"] as? [Any], offsets.count == 2,
              let begin = exactInt(offsets[0]), let end = exactInt(offsets[1]) else {
            throw WeightError(reason: "field \"data_offsets\" is missing or not two integers")
        }
        guard 0 <= begin, begin <= end, end <= dataSize else {
            throw WeightError(reason: "data_offsets [\(begin), \(end)) lie outside the data section (\(dataSize) bytes from byte \(dataStart))")
        }
        let (needed, overflow) = (elementCount(shape) ?? Int.max).multipliedReportingOverflow(by: type.byteSize)
        guard !overflow, elementCount(shape) != nil else { throw WeightError(reason: "shape \(shape) is impossibly large") }
        guard end - begin == needed else {
            throw WeightError(reason: "data_offsets [\(begin), \(end)) hold \(end - begin) bytes, shape \(shape) of \(dtypeName) needs \(needed)")
        }
        return (type, shape, begin, end)
    }

    /// An integral JSON number as Int (JSONSerialization yields Int, Double or NSNumber by platform;
    /// NSNumber bridging cannot tell `true` from 1, so a JSON bool reads as 0 or 1).
    private static func exactInt(_ value: Any) -> Int? {
        if value is String { return nil }
        if let int = value as? Int { return int }
        if let double = value as? Double, double.rounded() == double, abs(double) < 0x1p53 { return Int(double) }
        return nil
    }

    // MARK: - Writing

    static func encode(_ tensors: [String: Tensor], bytes byteTensors: [String: ByteTensor] = [:], metadata: [String: String]) throws -> Data {
        let names = (Array(tensors.keys) + Array(byteTensors.keys)).sorted()
        var fields: [String] = []
        if !metadata.isEmpty {
            let pairs = metadata.keys.sorted().map { "\(jsonString($0)):\(jsonString(metadata[$0]!))" }
            fields.append("\"__metadata__\":{\(pairs.joined(separator: ","))}")
        }
        var offset = 0
        for name in names {
            guard !name.isEmpty, name != "__metadata__", tensors[name] == nil || byteTensors[name] == nil else {
                throw WeightError.tensor(name, "this name is reserved, empty or given twice and cannot be written")
            }
            let (dtype, shape, size) = tensors[name].map { ("F32", $0.shape, $0.count * 4) }
                ?? byteTensors[name].map { ("U8", $0.shape, $0.values.count) }!
            let dims = shape.map(String.init).joined(separator: ",")
            fields.append("\(jsonString(name)):{\"dtype\":\"\(dtype)\",\"shape\":[\(dims)],\"data_offsets\":[\(offset),\(offset + size)]}")
            offset += size
        }
        var header = Array("{\(fields.joined(separator: ","))}".utf8)
        header.append(contentsOf: repeatElement(UInt8(ascii: " "), count: (8 - header.count % 8) % 8))

        var data = Data(capacity: 8 + header.count + offset)
        withUnsafeBytes(of: UInt64(header.count).littleEndian) { data.append(contentsOf: $0) }
        data.append(contentsOf: header)
        for name in names {
            guard let storage = tensors[name]?.storage else {
                data.append(contentsOf: byteTensors[name]!.values)
                continue
            }
            if ElementDecoder.littleEndianHost {
                storage.withUnsafeBytes { data.append(contentsOf: $0) }
            } else {
                for value in storage { withUnsafeBytes(of: value.bitPattern.littleEndian) { data.append(contentsOf: $0) } }
            }
        }
        return data
    }

    /// A JSON string literal (quotes, backslashes and control characters escaped).
    static func jsonString(_ text: String) -> String {
        var out = "\""
        for scalar in text.unicodeScalars {
            switch scalar {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out += "\\t"
            case _ where scalar.value < 0x20: out += String(format: "\\u%04x", scalar.value)
            default: out.unicodeScalars.append(scalar)
            }
        }
        return out + "\""
    }
}
