// TOMLReader: the TOML the studio's theme and key-map files are written in, read by a small strict
// parser of our own: tables ([a], [a.b]), keys (bare, quoted, dotted), basic and literal strings,
// integers, floats, booleans, arrays (over several lines, with comments) and inline tables. Dates,
// multi-line strings and arrays of tables are refused by name, as is anything else, with the line.
// It replaced TOMLKit 0.6, whose bundled toml++ 3.4.0 aborts (or, in release builds, runs into
// undefined behaviour) on crafted headers and arrays (`[=`, `a = [}`; toml++ #294, TOMLKit#30) and
// leaks what it returns (TOMLKit#26): all found by `make fuzz` (theme, keymap). Nesting is bounded
// while parsing; every read is bounds-checked.

/// A TOML value.
package indirect enum TOMLValue: Equatable, Sendable {
    case string(String)
    case integer(Int)
    case float(Double)
    case boolean(Bool)
    case array([TOMLValue])
    case table(TOMLTable)

    package var string: String? { if case let .string(value) = self { value } else { nil } }
    package var int: Int? { if case let .integer(value) = self { value } else { nil } }
    package var bool: Bool? { if case let .boolean(value) = self { value } else { nil } }
    package var array: [TOMLValue]? { if case let .array(value) = self { value } else { nil } }
    package var table: TOMLTable? { if case let .table(value) = self { value } else { nil } }
}

/// A TOML table: keys in the order the file gives them.
package struct TOMLTable: Equatable, Sendable {
    fileprivate var entries: [(key: String, value: TOMLValue)] = []

    package var keys: [String] { entries.map(\.key) }

    package subscript(key: String) -> TOMLValue? { entries.first { $0.key == key }?.value }

    package static func == (a: TOMLTable, b: TOMLTable) -> Bool {
        a.entries.count == b.entries.count && zip(a.entries, b.entries).allSatisfy { $0.key == $1.key && $0.value == $1.value }
    }
}

/// Why a text is not (posestudio's) TOML, and on which line (1-based).
package struct TOMLError: Error, Equatable, Sendable {
    package let line: Int
    package let message: String
}

package enum TOMLReader {
    /// How deeply arrays and inline tables may nest.
    static let maximumDepth = 32

    /// Parses a whole document.
    package static func parse(_ text: String) throws(TOMLError) -> TOMLTable {
        var parser = Parser(bytes: Array(text.utf8))
        return try parser.document()
    }

    private struct Parser {
        let bytes: [UInt8]
        var position = 0
        var line = 1
        var root = TOMLTable()
        var current: [String] = []          // the path of the last [table] header
        var explicitTables: Set<[String]> = []

        init(bytes: [UInt8]) {
            self.bytes = bytes
            if bytes.starts(with: [0xEF, 0xBB, 0xBF]) { position = 3 }    // a byte-order mark
        }

        func fail(_ message: String) -> TOMLError { TOMLError(line: line, message: message) }

        var peek: UInt8? { position < bytes.count ? bytes[position] : nil }

        func isByte(_ character: Unicode.Scalar) -> Bool { peek == UInt8(ascii: character) }

        mutating func skipBlanks() { while peek == 0x20 || peek == 0x09 { position += 1 } }

        /// True at a CR LF line break.
        var atCRLF: Bool { peek == 0x0D && position + 1 < bytes.count && bytes[position + 1] == 0x0A }

        /// Control characters other than tab, which TOML allows in neither comments nor strings.
        func isControl(_ byte: UInt8) -> Bool { byte < 0x20 && byte != 0x09 || byte == 0x7F }

        /// Skips a comment to the end of its line (not the line break). Control characters other
        /// than tab are not allowed in comments.
        mutating func skipComment() throws(TOMLError) {
            guard isByte("#") else { return }
            while let byte = peek, byte != 0x0A {
                if atCRLF { return }
                if isControl(byte) { throw fail("a control character in a comment") }
                position += 1
            }
        }

        /// After a header or key/value: blanks, maybe a comment, then a line break or the end.
        mutating func endOfLine() throws(TOMLError) {
            skipBlanks()
            try skipComment()
            guard let byte = peek else { return }
            if atCRLF { position += 1 }
            guard peek == 0x0A else { throw fail("expected the end of the line, found \(describe(byte))") }
            position += 1
            line += 1
        }

        /// Blanks, comments and line breaks (inside arrays).
        mutating func skipWhitespaceAndComments() throws(TOMLError) {
            while true {
                skipBlanks()
                try skipComment()
                if isByte("\n") {
                    position += 1
                    line += 1
                } else if atCRLF {
                    position += 2
                    line += 1
                } else {
                    return
                }
            }
        }

        func describe(_ byte: UInt8) -> String {
            (0x21...0x7E).contains(byte) ? "'\(Character(Unicode.Scalar(byte)))'" : "byte 0x\(String(byte, radix: 16))"
        }

        mutating func document() throws(TOMLError) -> TOMLTable {
            while true {
                try skipWhitespaceAndComments()
                guard let byte = peek else { return root }
                if byte == UInt8(ascii: "[") {
                    try header()
                } else {
                    try keyValue(into: current)
                }
                try endOfLine()
            }
        }

        mutating func header() throws(TOMLError) {
            position += 1
            if isByte("[") { throw fail("arrays of tables ([[…]]) are not supported in posestudio's config files") }
            skipBlanks()
            let path = try key()
            skipBlanks()
            guard isByte("]") else { throw fail("expected ']' to close the table header") }
            position += 1
            guard explicitTables.insert(path).inserted else { throw fail("table [\(path.joined(separator: "."))] is defined twice") }
            try ensureTable(at: path)
            current = path
        }

        /// A key: bare or quoted parts joined by dots.
        mutating func key() throws(TOMLError) -> [String] {
            var parts = [try simpleKey()]
            while true {
                skipBlanks()
                guard isByte(".") else { return parts }
                position += 1
                skipBlanks()
                parts.append(try simpleKey())
            }
        }

        mutating func simpleKey() throws(TOMLError) -> String {
            guard let byte = peek else { throw fail("expected a key, found the end of the file") }
            if byte == UInt8(ascii: "\"") { return try basicString() }
            if byte == UInt8(ascii: "'") { return try literalString() }
            let start = position
            while let b = peek, isBareKeyByte(b) { position += 1 }
            guard position > start else { throw fail("expected a key (letters, digits, '-', '_' or a quoted string), found \(describe(byte))") }
            return String(decoding: bytes[start..<position], as: UTF8.self)
        }

        func isBareKeyByte(_ b: UInt8) -> Bool {
            (0x41...0x5A).contains(b) || (0x61...0x7A).contains(b) || (0x30...0x39).contains(b) || b == 0x2D || b == 0x5F
        }

        mutating func keyValue(into base: [String]) throws(TOMLError) {
            let path = try key()
            skipBlanks()
            guard isByte("=") else { throw fail("expected '=' after the key \(path.joined(separator: "."))") }
            position += 1
            skipBlanks()
            let value = try self.value(depth: 0)
            try insert(value, at: base + path)
        }

        /// Makes sure the table at `path` exists (headers and dotted keys make the missing ones).
        mutating func ensureTable(at path: [String]) throws(TOMLError) {
            try Self.put(nil, at: path[...], in: &root, line: line, whole: path)
        }

        mutating func insert(_ value: TOMLValue, at path: [String]) throws(TOMLError) {
            try Self.put(value, at: path[...], in: &root, line: line, whole: path)
        }

        /// Puts `value` at `path` inside `table`, making tables on the way; a nil value only makes
        /// the tables. A key defined twice, or a value where a table is needed, is an error.
        static func put(_ value: TOMLValue?, at path: ArraySlice<String>, in table: inout TOMLTable, line: Int,
                        whole: [String]) throws(TOMLError) {
            guard let head = path.first else { return }
            let index = table.entries.firstIndex { $0.key == head }
            if path.count == 1, let value {
                guard index == nil else { throw TOMLError(line: line, message: "\(whole.joined(separator: ".")) is defined twice") }
                table.entries.append((head, value))
                return
            }
            var inner = TOMLTable()
            if let index {
                guard case let .table(existing) = table.entries[index].value else {
                    throw TOMLError(line: line, message: "\(head) is already a value, not a table")
                }
                inner = existing
            }
            try put(value, at: path.dropFirst(), in: &inner, line: line, whole: whole)
            if let index { table.entries[index].value = .table(inner) } else { table.entries.append((head, .table(inner))) }
        }

        mutating func value(depth: Int) throws(TOMLError) -> TOMLValue {
            guard depth < TOMLReader.maximumDepth else { throw fail("values nest deeper than \(TOMLReader.maximumDepth) levels") }
            guard let byte = peek else { throw fail("expected a value, found the end of the file") }
            switch byte {
            case UInt8(ascii: "\""), UInt8(ascii: "'"):
                if bytes[position...].starts(with: [byte, byte, byte]) { throw fail("multi-line strings are not supported in posestudio's config files") }
                return .string(byte == UInt8(ascii: "\"") ? try basicString() : try literalString())
            case UInt8(ascii: "["): return try array(depth: depth)
            case UInt8(ascii: "{"): return try inlineTable(depth: depth)
            case UInt8(ascii: "t"), UInt8(ascii: "f"):
                if bytes[position...].starts(with: Array("true".utf8)) { position += 4; return .boolean(true) }
                if bytes[position...].starts(with: Array("false".utf8)) { position += 5; return .boolean(false) }
                throw fail("expected a value, found \(describe(byte))")
            default: return try number()
            }
        }

        mutating func basicString() throws(TOMLError) -> String {
            position += 1
            var scalars = String.UnicodeScalarView()
            var start = position
            func flush(_ parser: Parser, into scalars: inout String.UnicodeScalarView, from start: Int) {
                scalars.append(contentsOf: String(decoding: parser.bytes[start..<parser.position], as: UTF8.self).unicodeScalars)
            }
            while true {
                guard let byte = peek, byte != 0x0A else { throw fail("a string is not closed on its line") }
                if byte == UInt8(ascii: "\"") {
                    flush(self, into: &scalars, from: start)
                    position += 1
                    return String(scalars)
                }
                if isControl(byte) { throw fail("a control character in a string (write it as an escape)") }
                if byte != UInt8(ascii: "\\") {
                    position += 1
                    continue
                }
                flush(self, into: &scalars, from: start)
                position += 1
                guard let escape = peek else { throw fail("a string is not closed on its line") }
                position += 1
                switch escape {
                case UInt8(ascii: "b"): scalars.append("\u{8}")
                case UInt8(ascii: "t"): scalars.append("\t")
                case UInt8(ascii: "n"): scalars.append("\n")
                case UInt8(ascii: "f"): scalars.append("\u{C}")
                case UInt8(ascii: "r"): scalars.append("\r")
                case UInt8(ascii: "\""): scalars.append("\"")
                case UInt8(ascii: "\\"): scalars.append("\\")
                case UInt8(ascii: "u"), UInt8(ascii: "U"):
                    let count = escape == UInt8(ascii: "u") ? 4 : 8
                    guard position + count <= bytes.count,
                          let code = UInt32(String(decoding: bytes[position..<(position + count)], as: UTF8.self), radix: 16),
                          bytes[position..<(position + count)].allSatisfy({ ($0 >= 0x30 && $0 <= 0x39) || ($0 | 0x20 >= 0x61 && $0 | 0x20 <= 0x66) }),
                          let scalar = Unicode.Scalar(code) else {
                        throw fail("\\\(Character(Unicode.Scalar(escape))) needs \(count) hexadecimal digits of a Unicode scalar")
                    }
                    scalars.append(scalar)
                    position += count
                default: throw fail("unknown escape \\\(describe(escape)) in a string")
                }
                start = position
            }
        }

        mutating func literalString() throws(TOMLError) -> String {
            position += 1
            let start = position
            while true {
                guard let byte = peek, byte != 0x0A else { throw fail("a string is not closed on its line") }
                if byte == UInt8(ascii: "'") { break }
                if isControl(byte) { throw fail("a control character in a string") }
                position += 1
            }
            defer { position += 1 }
            return String(decoding: bytes[start..<position], as: UTF8.self)
        }

        mutating func array(depth: Int) throws(TOMLError) -> TOMLValue {
            position += 1
            var items: [TOMLValue] = []
            while true {
                try skipWhitespaceAndComments()
                if isByte("]") {
                    position += 1
                    return .array(items)
                }
                items.append(try value(depth: depth + 1))
                try skipWhitespaceAndComments()
                if isByte(",") {
                    position += 1
                } else if !isByte("]") {
                    throw fail(peek.map { "expected ',' or ']' in an array, found \(describe($0))" } ?? "an array is not closed")
                }
            }
        }

        mutating func inlineTable(depth: Int) throws(TOMLError) -> TOMLValue {
            position += 1
            var table = TOMLTable()
            skipBlanks()
            if isByte("}") {
                position += 1
                return .table(table)
            }
            while true {
                skipBlanks()
                let path = try key()
                skipBlanks()
                guard isByte("=") else { throw fail("expected '=' after the key \(path.joined(separator: ".")) in an inline table") }
                position += 1
                skipBlanks()
                let item = try value(depth: depth + 1)
                // Inline tables take plain keys only here: dotted keys inside them are refused.
                guard path.count == 1 else { throw fail("dotted keys inside an inline table are not supported in posestudio's config files") }
                guard table[path[0]] == nil else { throw fail("\(path[0]) is defined twice in an inline table") }
                table.entries.append((path[0], item))
                skipBlanks()
                if isByte(",") {
                    position += 1
                } else if isByte("}") {
                    position += 1
                    return .table(table)
                } else {
                    throw fail(peek.map { "expected ',' or '}' in an inline table, found \(describe($0))" } ?? "an inline table is not closed")
                }
            }
        }

        /// An integer (decimal with sign and underscores, or 0x / 0o / 0b) or a float (with a
        /// fraction or exponent, inf, nan). Dates and times are refused by name.
        mutating func number() throws(TOMLError) -> TOMLValue {
            let start = position
            while let b = peek, isBareKeyByte(b) || b == UInt8(ascii: "+") || b == UInt8(ascii: ".") || b == UInt8(ascii: ":") {
                position += 1
            }
            let text = String(decoding: bytes[start..<position], as: UTF8.self)
            guard !text.isEmpty else { throw fail("expected a value, found \(peek.map(describe) ?? "the end of the file")") }
            if text.contains(":") || (text.count >= 10 && text.dropFirst(4).first == "-") {
                throw fail("dates and times are not supported in posestudio's config files")
            }
            let sign = text.first == "-" ? -1 : 1
            let unsigned = text.first == "-" || text.first == "+" ? text.dropFirst() : Substring(text)
            func digits(_ s: Substring, radix: Int) -> Int? {
                guard !s.isEmpty, !s.hasPrefix("_"), !s.hasSuffix("_"), !s.contains("__") else { return nil }
                return Int(String(s.filter { $0 != "_" }), radix: radix)
            }
            for (prefix, radix) in [("0x", 16), ("0o", 8), ("0b", 2)] where unsigned.hasPrefix(prefix) {
                guard unsigned.count == text.count, let value = digits(unsigned.dropFirst(2), radix: radix) else { break }
                return .integer(value)
            }
            if unsigned == "inf" { return .float(Double(sign) * .infinity) }
            if unsigned == "nan" { return .float(.nan) }
            if unsigned.allSatisfy({ $0.isASCII && ($0.isNumber || $0 == "_") }) {
                guard unsigned == "0" || !unsigned.hasPrefix("0"), let value = digits(unsigned, radix: 10) else {
                    throw fail("'\(text)' is not a valid integer")
                }
                return .integer(sign * value)
            }
            let plain = String(unsigned.filter { $0 != "_" })
            if !unsigned.hasPrefix("_"), !unsigned.contains("__"), let value = Double(plain), value.isFinite,
               plain.allSatisfy({ $0.isASCII && ($0.isNumber || "eE.+-".contains($0)) }) {
                return .float(Double(sign) * value)
            }
            throw fail("'\(text)' is not a value (strings need quotes)")
        }
    }
}
