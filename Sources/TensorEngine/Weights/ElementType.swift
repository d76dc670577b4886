// ElementType: the element types found in weight files, and their decoding from little- or
// big-endian bytes to Float / Double / Int. Half (IEEE binary16) and bfloat16 are widened to
// float32 by bit manipulation (no Float16 type needed, so every platform behaves the same).
// Integer and bool elements convert to Float only when exactly representable (|v| ≤ 2^24).

/// The element type of a stored array.
public enum ElementType: String, Sendable, CaseIterable {
    case float16, bfloat16, float32, float64
    case int8, int16, int32, int64
    case uint8, uint16, uint32, uint64
    case bool

    /// Bytes per element.
    public var byteSize: Int {
        switch self {
        case .int8, .uint8, .bool: 1
        case .float16, .bfloat16, .int16, .uint16: 2
        case .float32, .int32, .uint32: 4
        case .float64, .int64, .uint64: 8
        }
    }

    public var isFloatingPoint: Bool {
        switch self {
        case .float16, .bfloat16, .float32, .float64: true
        default: false
        }
    }
}

/// IEEE binary16 bits → Float (exact: every half value is a float value).
@inline(__always)
func floatFromHalf(_ bits: UInt16) -> Float {
    let sign: UInt32 = UInt32(bits & 0x8000) << 16
    let exponent = Int((bits >> 10) & 0x1F)
    let mantissa = UInt32(bits & 0x3FF)
    if exponent == 0 {
        let magnitude = Float(mantissa) * 0x1p-24            // zero or subnormal: mantissa · 2^-24
        return sign == 0 ? magnitude : -magnitude
    }
    if exponent == 31 {
        return Float(bitPattern: sign | 0x7F80_0000 | (mantissa << 13))   // inf / nan (payload kept)
    }
    return Float(bitPattern: sign | (UInt32(exponent + 112) << 23) | (mantissa << 13))
}

/// bfloat16 bits → Float (the upper half of a float32).
@inline(__always)
func floatFromBFloat16(_ bits: UInt16) -> Float {
    Float(bitPattern: UInt32(bits) << 16)
}

/// Decodes elements of stored bytes. `bytes` holds at least `count · type.byteSize` bytes; the
/// caller has checked that (these functions only assert it).
enum ElementDecoder {
    /// Largest integer magnitude a Float holds exactly.
    static let exactFloatLimit = 1 << 24

    /// Element `index` as a Double (exact for every type but 64-bit integers beyond 2^53).
    @inline(__always)
    static func double(_ bytes: UnsafeRawBufferPointer, _ index: Int, _ type: ElementType, bigEndian: Bool) -> Double {
        let at = index * type.byteSize
        switch type {
        case .float32: return Double(Float(bitPattern: load(bytes, at, UInt32.self, bigEndian)))
        case .float64: return Double(bitPattern: load(bytes, at, UInt64.self, bigEndian))
        case .float16: return Double(floatFromHalf(load(bytes, at, UInt16.self, bigEndian)))
        case .bfloat16: return Double(floatFromBFloat16(load(bytes, at, UInt16.self, bigEndian)))
        default: return Double(integer(bytes, index, type, bigEndian: bigEndian) ?? 0)
        }
    }

    /// Element `index` of an integer or bool type as an Int (nil for floats and for uint64 > Int.max).
    @inline(__always)
    static func integer(_ bytes: UnsafeRawBufferPointer, _ index: Int, _ type: ElementType, bigEndian: Bool) -> Int? {
        let at = index * type.byteSize
        switch type {
        case .int8: return Int(Int8(bitPattern: bytes[at]))
        case .uint8: return Int(bytes[at])
        case .bool: return bytes[at] == 0 ? 0 : 1
        case .int16: return Int(Int16(bitPattern: load(bytes, at, UInt16.self, bigEndian)))
        case .uint16: return Int(load(bytes, at, UInt16.self, bigEndian))
        case .int32: return Int(Int32(bitPattern: load(bytes, at, UInt32.self, bigEndian)))
        case .uint32: return Int(load(bytes, at, UInt32.self, bigEndian))
        case .int64: return Int(Int64(bitPattern: load(bytes, at, UInt64.self, bigEndian)))
        case .uint64:
            let value = load(bytes, at, UInt64.self, bigEndian)
            return value <= UInt64(Int.max) ? Int(value) : nil
        case .float16, .bfloat16, .float32, .float64: return nil
        }
    }

    @inline(__always)
    static func load<T: FixedWidthInteger>(_ bytes: UnsafeRawBufferPointer, _ at: Int, _: T.Type, _ bigEndian: Bool) -> T {
        let raw = bytes.loadUnaligned(fromByteOffset: at, as: T.self)
        return bigEndian ? T(bigEndian: raw) : T(littleEndian: raw)
    }

    /// `count` elements starting at element `first` as Floats; nil when an integer element is
    /// not exactly representable (its index is reported through `badIndex`).
    static func floats(_ bytes: UnsafeRawBufferPointer, first: Int = 0, count: Int, _ type: ElementType,
                       bigEndian: Bool = false) -> Result<[Float], LossyElement> {
        precondition(first >= 0 && count >= 0 && (first + count) * type.byteSize <= bytes.count,
                     "ElementDecoder.floats: \(count) \(type) elements from \(first) exceed \(bytes.count) bytes")
        if type == .float32 && !bigEndian && littleEndianHost {
            let values = [Float](unsafeUninitializedCapacity: count) { buffer, initialized in
                if count > 0 {
                    UnsafeMutableRawBufferPointer(buffer).copyMemory(
                        from: UnsafeRawBufferPointer(rebasing: bytes[(first * 4)..<((first + count) * 4)]))
                }
                initialized = count
            }
            return .success(values)
        }
        var lossy: LossyElement?
        let values = [Float](unsafeUninitializedCapacity: count) { buffer, initialized in
            for i in 0..<count {
                let index = first + i
                switch type {
                case .float32: buffer[i] = Float(bitPattern: load(bytes, index * 4, UInt32.self, bigEndian))
                case .float64: buffer[i] = Float(Double(bitPattern: load(bytes, index * 8, UInt64.self, bigEndian)))
                case .float16: buffer[i] = floatFromHalf(load(bytes, index * 2, UInt16.self, bigEndian))
                case .bfloat16: buffer[i] = floatFromBFloat16(load(bytes, index * 2, UInt16.self, bigEndian))
                default:
                    let value = integer(bytes, index, type, bigEndian: bigEndian)
                    if let value, abs(value) <= exactFloatLimit {
                        buffer[i] = Float(value)
                    } else {
                        if lossy == nil { lossy = LossyElement(index: index, type: type) }
                        buffer[i] = 0
                    }
                }
            }
            initialized = count
        }
        if let lossy { return .failure(lossy) }
        return .success(values)
    }

    static let littleEndianHost = 1.littleEndian == 1
}

/// An integer element that a Float cannot hold exactly.
struct LossyElement: Error {
    var index: Int
    var type: ElementType
    var message: String { "\(type) element \(index) is not exactly representable as float32 (|v| > 2^24)" }
}
