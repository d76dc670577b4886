// Inflate: a DEFLATE (RFC 1951) decoder for zip entries (np.savez_compressed, zipped checkpoints),
// written after the structure of zlib's `puff.c`: canonical Huffman codes decoded bit by bit,
// clear and bounds-checked rather than fast. Output is capped at the size the zip directory
// declares, so a corrupt or hostile stream can neither overrun nor balloon. Also CRC-32.

package enum Inflate {
    /// Decompresses a raw DEFLATE stream that must produce exactly `expectedSize` bytes.
    /// - Throws: `WeightError` with the byte offset inside `input` where the stream went wrong.
    package static func decompress(_ input: UnsafeRawBufferPointer, expectedSize: Int) throws -> [UInt8] {
        // A size no stream of this length can produce is refused before anything is allocated
        // for it (a hostile directory would otherwise reserve gigabytes for a few bytes).
        guard expectedSize >= 0, expectedSize <= maximumOutput(ofInput: input.count) else {
            throw WeightError.at(0, "deflate stream: the zip directory declares \(expectedSize) bytes, more than a \(input.count)-byte stream can hold")
        }
        var state = State(input: input, expected: expectedSize)
        var last = false
        while !last {
            last = try state.bits(1) == 1
            switch try state.bits(2) {
            case 0: try state.stored()
            case 1: try state.codes(Tables.fixedLengths, Tables.fixedDistances)
            case 2: try state.dynamic()
            default: throw state.fault("invalid block type 3")
            }
        }
        guard state.output.count == expectedSize else {
            throw state.fault("stream ends after \(state.output.count) bytes, the zip directory says \(expectedSize)")
        }
        return state.output
    }

    /// The most `count` bytes of DEFLATE can inflate to: a length-258 match costs at least one bit
    /// with dynamic codes (258 × 8 per byte), plus a stored block's worth of slack for tiny streams.
    static func maximumOutput(ofInput count: Int) -> Int {
        count.multipliedReportingOverflow(by: 258 * 8).overflow ? Int.max : count * 258 * 8 + 65_535
    }

    /// A canonical Huffman code: how many codes of each length, and the symbols in code order.
    struct Huffman {
        var counts = [Int](repeating: 0, count: 16)
        var symbols: [Int]

        /// Builds the code from per-symbol lengths (0 = unused); nil if over-subscribed.
        init?(lengths: ArraySlice<Int>) {
            symbols = [Int](repeating: 0, count: lengths.count)
            for length in lengths { counts[length] += 1 }
            var left = 1
            for length in 1..<16 {
                left <<= 1
                left -= counts[length]
                if left < 0 { return nil }
            }
            var offsets = [Int](repeating: 0, count: 16)
            for length in 1..<15 { offsets[length + 1] = offsets[length] + counts[length] }
            for (symbol, length) in lengths.enumerated() where length != 0 {
                symbols[offsets[length]] = symbol
                offsets[length] += 1
            }
        }
    }

    enum Tables {
        static let lengthBase = [3, 4, 5, 6, 7, 8, 9, 10, 11, 13, 15, 17, 19, 23, 27, 31, 35, 43, 51, 59, 67, 83, 99, 115, 131, 163, 195, 227, 258]
        static let lengthExtra = [0, 0, 0, 0, 0, 0, 0, 0, 1, 1, 1, 1, 2, 2, 2, 2, 3, 3, 3, 3, 4, 4, 4, 4, 5, 5, 5, 5, 0]
        static let distanceBase = [1, 2, 3, 4, 5, 7, 9, 13, 17, 25, 33, 49, 65, 97, 129, 193, 257, 385, 513, 769, 1025, 1537,
                                   2049, 3073, 4097, 6145, 8193, 12289, 16385, 24577]
        static let distanceExtra = [0, 0, 0, 0, 1, 1, 2, 2, 3, 3, 4, 4, 5, 5, 6, 6, 7, 7, 8, 8, 9, 9, 10, 10, 11, 11, 12, 12, 13, 13]
        static let codeLengthOrder = [16, 17, 18, 0, 8, 7, 9, 6, 10, 5, 11, 4, 12, 3, 13, 2, 14, 1, 15]
        static let fixedLengths: Huffman = {
            var lengths = [Int](repeating: 8, count: 288)
            for symbol in 144..<256 { lengths[symbol] = 9 }
            for symbol in 256..<280 { lengths[symbol] = 7 }
            return Huffman(lengths: lengths[...])!
        }()
        static let fixedDistances = Huffman(lengths: [Int](repeating: 5, count: 30)[...])!
    }

    struct State {
        let input: UnsafeRawBufferPointer
        let expected: Int
        var position = 0
        var bitBuffer: UInt64 = 0
        var bitCount = 0
        var output: [UInt8] = []

        init(input: UnsafeRawBufferPointer, expected: Int) {
            self.input = input
            self.expected = expected
            output.reserveCapacity(expected)
        }

        func fault(_ reason: String) -> WeightError { .at(position, "deflate stream: \(reason)") }

        mutating func bits(_ count: Int) throws -> Int {
            while bitCount < count {
                guard position < input.count else { throw fault("ends early (truncated?)") }
                bitBuffer |= UInt64(input[position]) << UInt64(bitCount)
                position += 1
                bitCount += 8
            }
            let value = Int(bitBuffer & ((1 << UInt64(count)) - 1))
            bitBuffer >>= UInt64(count)
            bitCount -= count
            return value
        }

        mutating func emit(_ byte: UInt8) throws {
            guard output.count < expected else { throw fault("produces more than the \(expected) bytes the zip directory declares") }
            output.append(byte)
        }

        mutating func stored() throws {
            bitBuffer = 0
            bitCount = 0                                   // stored blocks start on a byte boundary
            guard input.count - position >= 4 else { throw fault("stored block header ends early (truncated?)") }
            let length = Int(input[position]) | Int(input[position + 1]) << 8
            let complement = Int(input[position + 2]) | Int(input[position + 3]) << 8
            guard length == ~complement & 0xFFFF else { throw fault("stored block length check fails") }
            position += 4
            guard input.count - position >= length else { throw fault("stored block ends early (truncated?)") }
            guard output.count + length <= expected else { throw fault("produces more than the \(expected) bytes the zip directory declares") }
            output.append(contentsOf: input[position..<(position + length)])
            position += length
        }

        mutating func decode(_ code: Huffman) throws -> Int {
            var value = 0, first = 0, index = 0
            for length in 1..<16 {
                value |= try bits(1)
                let count = code.counts[length]
                if value - count < first { return code.symbols[index + (value - first)] }
                index += count
                first += count
                first <<= 1
                value <<= 1
            }
            throw fault("invalid Huffman code")
        }

        mutating func codes(_ lengths: Huffman, _ distances: Huffman) throws {
            while true {
                let symbol = try decode(lengths)
                if symbol < 256 { try emit(UInt8(symbol)); continue }
                if symbol == 256 { return }
                let lengthIndex = symbol - 257
                guard lengthIndex < Tables.lengthBase.count else { throw fault("invalid length symbol \(symbol)") }
                let length = Tables.lengthBase[lengthIndex] + (try bits(Tables.lengthExtra[lengthIndex]))
                let distanceSymbol = try decode(distances)
                guard distanceSymbol < Tables.distanceBase.count else { throw fault("invalid distance symbol \(distanceSymbol)") }
                let distance = Tables.distanceBase[distanceSymbol] + (try bits(Tables.distanceExtra[distanceSymbol]))
                guard distance <= output.count else { throw fault("distance \(distance) reaches before the start of the output") }
                guard output.count + length <= expected else { throw fault("produces more than the \(expected) bytes the zip directory declares") }
                let start = output.count - distance
                for i in 0..<length { output.append(output[start + i]) }
            }
        }

        mutating func dynamic() throws {
            let literalCount = try bits(5) + 257
            let distanceCount = try bits(5) + 1
            let codeLengthCount = try bits(4) + 4
            guard literalCount <= 286, distanceCount <= 30 else { throw fault("too many length or distance codes") }
            var codeLengthLengths = [Int](repeating: 0, count: 19)
            for i in 0..<codeLengthCount { codeLengthLengths[Tables.codeLengthOrder[i]] = try bits(3) }
            guard let codeLengthCode = Huffman(lengths: codeLengthLengths[...]) else { throw fault("over-subscribed code-length code") }

            var lengths: [Int] = []
            lengths.reserveCapacity(literalCount + distanceCount)
            while lengths.count < literalCount + distanceCount {
                let symbol = try decode(codeLengthCode)
                var repeated = 0, count = 0
                switch symbol {
                case 0..<16: lengths.append(symbol); continue
                case 16:
                    guard let previous = lengths.last else { throw fault("repeat with no previous length") }
                    repeated = previous
                    count = 3 + (try bits(2))
                case 17: count = 3 + (try bits(3))
                default: count = 11 + (try bits(7))
                }
                guard lengths.count + count <= literalCount + distanceCount else { throw fault("code lengths overflow the table") }
                lengths.append(contentsOf: repeatElement(repeated, count: count))
            }
            guard lengths[256] != 0 else { throw fault("no end-of-block code") }
            guard let literal = Huffman(lengths: lengths[0..<literalCount]),
                  let distance = Huffman(lengths: lengths[literalCount...]) else { throw fault("over-subscribed literal or distance code") }
            try codes(literal, distance)
        }
    }
}

/// CRC-32 (IEEE 802.3, as zip uses it).
enum CRC32 {
    static let table: [UInt32] = (0..<256).map { index in
        var value = UInt32(index)
        for _ in 0..<8 { value = value & 1 == 1 ? 0xEDB8_8320 ^ (value >> 1) : value >> 1 }
        return value
    }

    static func checksum(_ bytes: UnsafeRawBufferPointer) -> UInt32 {
        var crc: UInt32 = 0xFFFF_FFFF
        table.withUnsafeBufferPointer { table in
            for byte in bytes { crc = table[Int((crc ^ UInt32(byte)) & 0xFF)] ^ (crc >> 8) }
        }
        return ~crc
    }
}
