// ZipArchive: a minimal zip reader for PyTorch checkpoints and .npz files. Reads the central
// directory (ZIP64 records and extra fields included), resolves each entry's local header, and
// lends an entry's bytes: stored entries without a copy, deflated ones inflated and CRC-checked.
// Encrypted entries and other compression methods are refused by name. Offsets are file offsets.

package struct ZipEntry: Sendable {
    package var name: String
    var method: UInt16
    var compressedSize: Int
    var uncompressedSize: Int
    var crc32: UInt32
    /// File offset of the first data byte (after the local header).
    var dataOffset: Int
}

package struct ZipArchive {
    package let entries: [ZipEntry]

    static let localSignature: UInt32 = 0x0403_4B50
    static let centralSignature: UInt32 = 0x0201_4B50
    static let endSignature: UInt32 = 0x0605_4B50
    static let zip64EndSignature: UInt32 = 0x0606_4B50
    static let zip64LocatorSignature: UInt32 = 0x0706_4B50

    /// True when the bytes start like a zip file (a local header, or the end record of an empty zip).
    static func looksLikeZip(_ bytes: UnsafeRawBufferPointer) -> Bool {
        guard bytes.count >= 4 else { return false }
        let magic = bytes.loadUnaligned(as: UInt32.self).littleEndian
        return magic == localSignature || magic == endSignature
    }

    /// Parses the directory of the zip held in `bytes`.
    package init(_ bytes: UnsafeRawBufferPointer) throws {
        let end = try Self.findEnd(bytes)
        var cursor = ByteCursor(bytes, at: end + 10)
        var entryCount = UInt64(try cursor.u16())
        var directorySize = UInt64(try cursor.u32())
        var directoryOffset = UInt64(try cursor.u32())

        if entryCount == 0xFFFF || directorySize == 0xFFFF_FFFF || directoryOffset == 0xFFFF_FFFF, end >= 20,
           bytes.loadUnaligned(fromByteOffset: end - 20, as: UInt32.self).littleEndian == Self.zip64LocatorSignature {
            var locator = ByteCursor(bytes, at: end - 20 + 8)
            let recordOffset = try checkedSize(try locator.u64("the ZIP64 end record offset"), "ZIP64 end record offset", at: end - 12)
            var record = ByteCursor(bytes, at: recordOffset)
            guard recordOffset < bytes.count, try record.u32("the ZIP64 end record") == Self.zip64EndSignature else {
                throw WeightError.at(recordOffset, "no ZIP64 end-of-central-directory record where the locator points")
            }
            try record.skip(28, "the ZIP64 end record")     // size, versions, disk numbers, entries on this disk
            entryCount = try record.u64("the ZIP64 entry count")
            directorySize = try record.u64("the ZIP64 directory size")
            directoryOffset = try record.u64("the ZIP64 directory offset")
        }
        let offset = try checkedSize(directoryOffset, "central directory offset", at: end + 16)
        let size = try checkedSize(directorySize, "central directory size", at: end + 12)
        guard offset <= bytes.count, size <= bytes.count - offset else {
            throw WeightError.at(end, "the central directory [\(offset), \(offset + size)) lies beyond the end of the file (\(bytes.count) bytes; truncated?)")
        }
        let count = try checkedSize(entryCount, "entry count", at: end + 10)
        guard count <= size / 46 else {
            throw WeightError.at(end, "\(count) entries cannot fit in a \(size)-byte central directory")
        }
        var directory = ByteCursor(bytes, at: offset)
        var entries: [ZipEntry] = []
        entries.reserveCapacity(count)
        for _ in 0..<count { entries.append(try Self.readEntry(&directory, in: bytes)) }
        self.entries = entries
    }

    /// Offset of the end-of-central-directory record (searched backwards over a possible comment).
    private static func findEnd(_ bytes: UnsafeRawBufferPointer) throws -> Int {
        guard bytes.count >= 22 else { throw WeightError.at(0, "not a zip file: \(bytes.count) bytes, shorter than an end record") }
        let lowest = max(0, bytes.count - 22 - 0xFFFF)
        var at = bytes.count - 22
        while at >= lowest {
            if bytes.loadUnaligned(fromByteOffset: at, as: UInt32.self).littleEndian == endSignature { return at }
            at -= 1
        }
        throw WeightError.at(bytes.count, "no end-of-central-directory record (truncated zip?)")
    }

    private static func readEntry(_ directory: inout ByteCursor, in bytes: UnsafeRawBufferPointer) throws -> ZipEntry {
        let start = directory.position
        guard try directory.u32("a central directory entry") == centralSignature else {
            throw WeightError.at(start, "bad central directory entry signature")
        }
        try directory.skip(4, "a central directory entry")
        let flags = try directory.u16()
        let method = try directory.u16()
        try directory.skip(4, "a central directory entry")
        let crc = try directory.u32()
        var compressed = UInt64(try directory.u32())
        var uncompressed = UInt64(try directory.u32())
        let nameLength = Int(try directory.u16())
        let extraLength = Int(try directory.u16())
        let commentLength = Int(try directory.u16())
        try directory.skip(8, "a central directory entry")
        var localOffset = UInt64(try directory.u32())
        let name = String(decoding: try directory.take(nameLength, "an entry name"), as: UTF8.self)
        var extra = ByteCursor(try directory.take(extraLength, "an entry's extra field"), origin: directory.position - extraLength)
        try directory.skip(commentLength, "an entry comment")

        while extra.remaining >= 4 {
            let id = try extra.u16()
            let length = Int(try extra.u16())
            var field = ByteCursor(try extra.take(length, "a ZIP64 extra field"), origin: extra.origin + extra.position - length)
            guard id == 0x0001 else { continue }
            if uncompressed == 0xFFFF_FFFF { uncompressed = try field.u64("the ZIP64 uncompressed size") }
            if compressed == 0xFFFF_FFFF { compressed = try field.u64("the ZIP64 compressed size") }
            if localOffset == 0xFFFF_FFFF { localOffset = try field.u64("the ZIP64 local header offset") }
        }
        return try within("entry \"\(name)\"") {
            guard flags & 1 == 0 else { throw WeightError(reason: "is encrypted") }
            let compressedSize = try checkedSize(compressed, "compressed size", at: start + 20)
            let uncompressedSize = try checkedSize(uncompressed, "uncompressed size", at: start + 24)
            let local = try checkedSize(localOffset, "local header offset", at: start + 42)
            var header = ByteCursor(bytes, at: local)
            guard local <= bytes.count - 30, try header.u32() == localSignature else {
                throw WeightError.at(local, "no local header here (truncated or damaged zip?)")
            }
            try header.skip(22, "a local header")
            let localName = Int(try header.u16())
            let localExtra = Int(try header.u16())
            try header.skip(localName + localExtra, "a local header")
            let dataOffset = header.position
            guard compressedSize <= bytes.count - dataOffset else {
                throw WeightError.at(dataOffset, "data of \(compressedSize) bytes runs past the end of the file (\(bytes.count) bytes; truncated?)")
            }
            if method == 0, compressedSize != uncompressedSize {
                throw WeightError(reason: "stored entry has compressed size \(compressedSize) but uncompressed size \(uncompressedSize)")
            }
            return ZipEntry(name: name, method: method, compressedSize: compressedSize, uncompressedSize: uncompressedSize,
                            crc32: crc, dataOffset: dataOffset)
        }
    }

    /// The entry named exactly `name`.
    func entry(named name: String) -> ZipEntry? { entries.first { $0.name == name } }

    /// Lends the uncompressed bytes of `entry` to `body`. Stored entries are a view of `bytes`
    /// (not CRC-checked unless `verify`, to keep large checkpoints fast); deflated ones are
    /// inflated and checked. Errors carry file offsets but not the entry name: callers add it.
    package func withContents<R>(of entry: ZipEntry, in bytes: UnsafeRawBufferPointer, verify: Bool = false,
                         _ body: (UnsafeRawBufferPointer) throws -> R) throws -> R {
        let raw = UnsafeRawBufferPointer(rebasing: bytes[entry.dataOffset..<(entry.dataOffset + entry.compressedSize)])
        switch entry.method {
        case 0:
            if verify, CRC32.checksum(raw) != entry.crc32 { throw WeightError(reason: "CRC-32 mismatch (damaged file)") }
            return try body(raw)
        case 8:
            let inflated: [UInt8]
            do {
                inflated = try Inflate.decompress(raw, expectedSize: entry.uncompressedSize)
            } catch var error as WeightError {
                if let place = error.context.first, place.hasPrefix("byte "), let offset = Int(place.dropFirst(5)) {
                    error.context[0] = "byte \(entry.dataOffset + offset)"
                }
                throw error
            }
            return try inflated.withUnsafeBytes { inflated in
                guard CRC32.checksum(inflated) == entry.crc32 else { throw WeightError(reason: "CRC-32 mismatch after inflating (damaged file)") }
                return try body(inflated)
            }
        default:
            throw WeightError(reason: "uses compression method \(entry.method); only stored (0) and deflate (8) are supported")
        }
    }
}
