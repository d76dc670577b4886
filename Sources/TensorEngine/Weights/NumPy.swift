// NumPy: `.npy` arrays (format versions 1–3; bool, int8–64, uint8–64, float16/32/64, either byte
// order, C or Fortran order) and `.npz` archives of them (stored or deflated entries). An array is
// kept as little-endian C-order bytes and converted on request to [Float], [Double] or [Int].
// Layout: "\x93NUMPY", major, minor, header length (u16 for v1, u32 for v2/v3), a Python dict
// literal {'descr': '<f4', 'fortran_order': False, 'shape': (2, 3)}, then the raw data.
import Foundation

/// An n-dimensional NumPy array: shape, element type and its data in row-major order.
public struct NumPyArray: Sendable {
    public let shape: [Int]
    public let type: ElementType
    /// Element bytes, little-endian, C (row-major) order; `count · type.byteSize` of them.
    public let data: [UInt8]

    public var count: Int { shape.reduce(1, *) }

    /// Builds an array from stored bytes, normalising byte order and Fortran order.
    /// - Precondition: `bytes` holds exactly `shape.product · type.byteSize` bytes.
    init(shape: [Int], type: ElementType, bytes: UnsafeRawBufferPointer, bigEndian: Bool, fortranOrder: Bool) {
        let size = type.byteSize
        precondition(bytes.count == (elementCount(shape) ?? -1) * size, "NumPyArray: \(bytes.count) bytes for shape \(shape) of \(type)")
        var data = Array(bytes)
        if bigEndian && size > 1 {
            for start in stride(from: 0, to: data.count, by: size) { data[start..<(start + size)].reverse() }
        }
        if fortranOrder && shape.count > 1 {
            // Fortran element (i0, i1, …) is stored at Σ ik · Π_{j<k} shape[j]; walk the Fortran
            // buffer in order (first axis fastest) and keep its C position up to date.
            var reordered = [UInt8](repeating: 0, count: data.count)
            var cStrides = [Int](repeating: 1, count: shape.count)
            for axis in stride(from: shape.count - 2, through: 0, by: -1) { cStrides[axis] = cStrides[axis + 1] * shape[axis + 1] }
            var index = [Int](repeating: 0, count: shape.count)
            var cPosition = 0
            data.withUnsafeBytes { source in
                reordered.withUnsafeMutableBytes { target in
                    for fortranPosition in 0..<(data.count / size) {
                        for byte in 0..<size { target[cPosition * size + byte] = source[fortranPosition * size + byte] }
                        for axis in shape.indices {
                            index[axis] += 1
                            cPosition += cStrides[axis]
                            if index[axis] < shape[axis] { break }
                            cPosition -= cStrides[axis] * shape[axis]
                            index[axis] = 0
                        }
                    }
                }
            }
            data = reordered
        }
        self.shape = shape
        self.type = type
        self.data = data
    }

    /// An array from values (float64), e.g. for tests and writers.
    public init(shape: [Int], doubles: [Double]) {
        precondition(shape.reduce(1, *) == doubles.count, "NumPyArray: shape \(shape) vs \(doubles.count) values")
        self.shape = shape
        self.type = .float64
        self.data = doubles.flatMap { value in withUnsafeBytes(of: value.bitPattern.littleEndian, Array.init) }
    }

    /// The values as float32 (float64 rounds; integers must be exact, |v| ≤ 2^24).
    /// - Throws: `WeightError` naming the first element a float32 cannot hold exactly.
    public func floats() throws -> [Float] {
        try data.withUnsafeBytes { bytes in
            switch ElementDecoder.floats(bytes, count: count, type) {
            case let .success(values): return values
            case let .failure(lossy): throw WeightError(reason: lossy.message)
            }
        }
    }

    /// The values as float64 (exact for every type but 64-bit integers beyond 2^53).
    public func doubles() -> [Double] {
        data.withUnsafeBytes { bytes in (0..<count).map { ElementDecoder.double(bytes, $0, type, bigEndian: false) } }
    }

    /// The values as Int; only for integer and bool arrays.
    /// - Throws: `WeightError` for a floating-point array or a uint64 beyond Int.max.
    public func integers() throws -> [Int] {
        guard !type.isFloatingPoint else { throw WeightError(reason: "array of \(type) has no integer values") }
        return try data.withUnsafeBytes { bytes in
            try (0..<count).map { index in
                guard let value = ElementDecoder.integer(bytes, index, type, bigEndian: false) else {
                    throw WeightError(reason: "uint64 element \(index) is larger than Int.max")
                }
                return value
            }
        }
    }

    /// The array as a float32 Tensor of the same shape.
    public func tensor() throws -> Tensor { Tensor(shape: shape, storage: try floats()) }
}

public enum NumPy {
    static let magic: [UInt8] = [0x93, 0x4E, 0x55, 0x4D, 0x50, 0x59]   // "\x93NUMPY"

    /// Reads one `.npy` file.
    /// - Throws: `WeightError` naming the file and the header field or byte offset.
    public static func read(contentsOf url: URL) throws -> NumPyArray {
        let data = try MappedFile.bytes(of: url)
        return try reading(url.path) { try data.withUnsafeBytes { try parse($0) } }
    }

    /// Reads every array of an `.npz` file (`np.savez` or `np.savez_compressed`), keyed by entry
    /// name without the `.npy` suffix.
    /// - Throws: `WeightError` naming the file, the entry and the field or byte offset.
    public static func readArchive(contentsOf url: URL) throws -> [String: NumPyArray] {
        let data = try MappedFile.bytes(of: url)
        return try reading(url.path) {
            try data.withUnsafeBytes { bytes in
                guard ZipArchive.looksLikeZip(bytes) else { throw WeightError.at(0, "not an .npz file (no zip signature at the start)") }
                return try parseArchive(try ZipArchive(bytes), bytes)
            }
        }
    }

    static func parseArchive(_ archive: ZipArchive, _ bytes: UnsafeRawBufferPointer) throws -> [String: NumPyArray] {
        var arrays: [String: NumPyArray] = [:]
        for entry in archive.entries where !entry.name.hasSuffix("/") {
            guard entry.name.hasSuffix(".npy") else {
                throw WeightError(context: ["entry \"\(entry.name)\""], reason: "is not an .npy file (an .npz holds only .npy entries)")
            }
            arrays[String(entry.name.dropLast(4))] = try within("entry \"\(entry.name)\"") {
                try archive.withContents(of: entry, in: bytes) { try parse($0) }
            }
        }
        return arrays
    }

    /// Parses the bytes of one `.npy` file.
    static func parse(_ bytes: UnsafeRawBufferPointer) throws -> NumPyArray {
        var cursor = ByteCursor(bytes)
        guard bytes.count >= 6, Array(bytes.prefix(6)) == magic else { throw WeightError.at(0, "not an .npy file (no \\x93NUMPY magic)") }
        try cursor.skip(6, "the magic")
        let major = try cursor.u8("the format version")
        _ = try cursor.u8("the format version")
        let headerLength: Int
        switch major {
        case 1: headerLength = Int(try cursor.u16("the header length"))
        case 2, 3: headerLength = Int(try cursor.u32("the header length"))
        default: throw WeightError.at(6, ".npy format version \(major) is not supported (1–3 are)")
        }
        let headerStart = cursor.position
        let headerBytes = try cursor.take(headerLength, "the header")
        let header = major == 3 ? String(decoding: headerBytes, as: UTF8.self) : String(headerBytes.map { Character(Unicode.Scalar($0)) })
        let dictionary: PickleValue
        do {
            var parser = LiteralParser(text: Array(header.unicodeScalars))
            dictionary = try parser.parse()
        } catch let error as WeightError {
            throw WeightError.at(headerStart, "header is not a Python dict literal (\(error.reason))")
        }
        guard case .dict = dictionary else { throw WeightError.at(headerStart, "header is not a Python dict literal") }
        func field(_ name: String) throws -> PickleValue {
            guard let value = dictionary[name] else { throw WeightError(context: ["header field \"\(name)\""], reason: "is missing") }
            return value
        }
        guard let descr = try field("descr").stringValue else {
            throw WeightError(context: ["header field \"descr\""], reason: "is not a simple type string (structured arrays are not supported)")
        }
        let (type, bigEndian) = try within("header field \"descr\"") { try elementType(descr) }
        guard let fortran = try field("fortran_order").boolValue, case .bool = try field("fortran_order") else {
            throw WeightError(context: ["header field \"fortran_order\""], reason: "is not True or False")
        }
        guard let dims = try field("shape").elements, case let shape = dims.compactMap(\.intValue), shape.count == dims.count,
              shape.allSatisfy({ $0 >= 0 }) else {
            throw WeightError(context: ["header field \"shape\""], reason: "is not a tuple of non-negative integers")
        }
        let dataStart = cursor.position
        guard let count = elementCount(shape), case let (needed, overflow) = count.multipliedReportingOverflow(by: type.byteSize), !overflow else {
            throw WeightError(context: ["header field \"shape\""], reason: "\(shape) is impossibly large")
        }
        guard bytes.count - dataStart == needed else {
            throw WeightError.at(dataStart, "data holds \(bytes.count - dataStart) bytes, shape \(shape) of \(descr) needs \(needed)\(bytes.count - dataStart < needed ? " (truncated?)" : "")")
        }
        return NumPyArray(shape: shape, type: type, bytes: UnsafeRawBufferPointer(rebasing: bytes[dataStart...]),
                          bigEndian: bigEndian, fortranOrder: fortran)
    }

    /// A NumPy type string (`<f4`, `|u1`, `>i8`, `f8`, `=f4`) → element type and byte order.
    static func elementType(_ descr: String, defaultOrder: Character = "<") throws -> (ElementType, bigEndian: Bool) {
        var text = Substring(descr)
        var order = defaultOrder
        if let first = text.first, "<>|=".contains(first) {
            order = first
            text = text.dropFirst()
        }
        let types: [String: ElementType] = [
            "f2": .float16, "f4": .float32, "f8": .float64,
            "i1": .int8, "i2": .int16, "i4": .int32, "i8": .int64,
            "u1": .uint8, "u2": .uint16, "u4": .uint32, "u8": .uint64, "b1": .bool,
        ]
        guard let type = types[String(text)] else {
            throw WeightError(reason: "dtype \"\(descr)\" is not supported (bool, int8–64, uint8–64, float16/32/64 are)")
        }
        let bigEndian = order == ">" || (order == "=" && !ElementDecoder.littleEndianHost)
        return (type, bigEndian)
    }
}

/// Parses the Python literals an .npy header uses: dicts, tuples, lists, strings, ints, True,
/// False, None. Values come back as PickleValues (the same tree the unpickler builds).
struct LiteralParser {
    let text: [Unicode.Scalar]
    var position = 0

    init(text: [Unicode.Scalar]) { self.text = text }

    func fault(_ reason: String) -> WeightError { WeightError(reason: "\(reason) at character \(position)") }

    mutating func skipSpace() {
        while position < text.count, text[position].properties.isWhitespace { position += 1 }
    }

    mutating func parse() throws -> PickleValue {
        let value = try parseValue(depth: 0)
        skipSpace()
        guard position == text.count else { throw fault("unexpected text after the value") }
        return value
    }

    mutating func parseValue(depth: Int) throws -> PickleValue {
        guard depth < 32 else { throw fault("nesting too deep") }
        skipSpace()
        guard position < text.count else { throw fault("unexpected end") }
        switch text[position] {
        case "{":
            position += 1
            var entries: [PickleEntry] = []
            for item in try parseItems(until: "}", depth: depth, pairs: true) { entries.append(PickleEntry(key: item.0, value: item.1!)) }
            return .dict(entries)
        case "(": position += 1; return .tuple(try parseItems(until: ")", depth: depth, pairs: false).map(\.0))
        case "[": position += 1; return .list(try parseItems(until: "]", depth: depth, pairs: false).map(\.0))
        case "'", "\"": return .string(try parseString())
        default:
            let start = position
            while position < text.count, text[position] == "-" || text[position] == "_" || text[position].properties.isAlphabetic
                    || ("0"..."9").contains(text[position]) { position += 1 }
            let word = String(String.UnicodeScalarView(text[start..<position]))
            switch word {
            case "True": return .bool(true)
            case "False": return .bool(false)
            case "None": return .none
            default:
                guard let value = Int(word.hasSuffix("L") ? String(word.dropLast()) : word) else { throw fault("unexpected \"\(word)\"") }
                return .int(value)
            }
        }
    }

    mutating func parseItems(until close: Unicode.Scalar, depth: Int, pairs: Bool) throws -> [(PickleValue, PickleValue?)] {
        var items: [(PickleValue, PickleValue?)] = []
        while true {
            skipSpace()
            guard position < text.count else { throw fault("missing \"\(close)\"") }
            if text[position] == close { position += 1; return items }
            let key = try parseValue(depth: depth + 1)
            var value: PickleValue?
            if pairs {
                skipSpace()
                guard position < text.count, text[position] == ":" else { throw fault("missing \":\"") }
                position += 1
                value = try parseValue(depth: depth + 1)
            }
            items.append((key, value))
            skipSpace()
            guard position < text.count else { throw fault("missing \"\(close)\"") }
            if text[position] == "," { position += 1 } else if text[position] != close { throw fault("expected \",\" or \"\(close)\"") }
        }
    }

    mutating func parseString() throws -> String {
        let quote = text[position]
        position += 1
        var scalars = String.UnicodeScalarView()
        while position < text.count, text[position] != quote {
            if text[position] == "\\", position + 1 < text.count { position += 1 }
            scalars.append(text[position])
            position += 1
        }
        guard position < text.count else { throw fault("unterminated string") }
        position += 1
        return String(scalars)
    }
}
