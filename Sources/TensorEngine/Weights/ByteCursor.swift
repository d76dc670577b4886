// ByteCursor: bounds-checked little-endian reads over borrowed bytes. Every read that would pass
// the end throws a WeightError naming the byte offset (relative to the start of the bytes plus
// `origin`, so nested readers report file offsets); nothing here can trap on bad input.

struct ByteCursor {
    let bytes: UnsafeRawBufferPointer
    var position: Int
    /// Added to positions in messages (the offset of `bytes` inside the enclosing file or entry).
    let origin: Int

    init(_ bytes: UnsafeRawBufferPointer, at position: Int = 0, origin: Int = 0) {
        self.bytes = bytes
        self.position = position
        self.origin = origin
    }

    var remaining: Int { bytes.count - position }
    var atEnd: Bool { position >= bytes.count }

    func fault(_ reason: String, at offset: Int? = nil) -> WeightError {
        .at(origin + (offset ?? position), reason)
    }

    /// Checks that `count` bytes are available at the current position.
    func need(_ count: Int, _ what: String) throws {
        guard count >= 0, count <= remaining else {
            throw fault("\(what) needs \(count) bytes, only \(max(remaining, 0)) left (truncated?)")
        }
    }

    mutating func u8(_ what: String = "a byte") throws -> UInt8 {
        try need(1, what)
        defer { position += 1 }
        return bytes[position]
    }

    mutating func u16(_ what: String = "a 2-byte integer") throws -> UInt16 {
        try need(2, what)
        defer { position += 2 }
        return bytes.loadUnaligned(fromByteOffset: position, as: UInt16.self).littleEndian
    }

    mutating func u32(_ what: String = "a 4-byte integer") throws -> UInt32 {
        try need(4, what)
        defer { position += 4 }
        return bytes.loadUnaligned(fromByteOffset: position, as: UInt32.self).littleEndian
    }

    mutating func u64(_ what: String = "an 8-byte integer") throws -> UInt64 {
        try need(8, what)
        defer { position += 8 }
        return bytes.loadUnaligned(fromByteOffset: position, as: UInt64.self).littleEndian
    }

    /// `count` bytes as a slice of the underlying buffer (no copy).
    mutating func take(_ count: Int, _ what: String) throws -> UnsafeRawBufferPointer {
        try need(count, what)
        defer { position += count }
        return UnsafeRawBufferPointer(rebasing: bytes[position..<(position + count)])
    }

    mutating func array(_ count: Int, _ what: String) throws -> [UInt8] {
        Array(try take(count, what))
    }

    mutating func skip(_ count: Int, _ what: String) throws {
        try need(count, what)
        position += count
    }

    /// Bytes up to (not including) the next `terminator`, which is consumed.
    mutating func line(until terminator: UInt8 = 0x0A, _ what: String) throws -> [UInt8] {
        var end = position
        while end < bytes.count, bytes[end] != terminator { end += 1 }
        guard end < bytes.count else { throw fault("\(what) has no end of line (truncated?)") }
        defer { position = end + 1 }
        return Array(bytes[position..<end])
    }
}

/// Converts a size field read from a file to Int, refusing values that cannot be an in-memory size.
func checkedSize(_ value: UInt64, _ what: String, at offset: Int) throws -> Int {
    guard value <= UInt64(Int.max / 2) else { throw WeightError.at(offset, "\(what) \(value) is impossibly large") }
    return Int(value)
}

/// Product of `shape`, or nil when it overflows or a dimension is negative.
func elementCount(_ shape: [Int]) -> Int? {
    var total = 1
    for dim in shape {
        guard dim >= 0 else { return nil }
        let (product, overflow) = total.multipliedReportingOverflow(by: dim)
        guard !overflow else { return nil }
        total = product
    }
    return total
}
