// Pickle: a minimal, general unpickler (protocols 0–5, the opcodes state_dicts, numpy arrays and
// Python 2 pickles use) that builds a PickleValue tree and never executes anything: globals stay
// names, REDUCE / NEWOBJ / BUILD stay records. While reading, values are shared mutable nodes
// (the memo and later APPEND / SETITEM / BUILD must see the same object); at STOP the tree is
// frozen into values, refusing cycles, absurd depth and exponential sharing. Every read is
// bounds-checked; errors name the byte offset and the opcode.

public enum Pickle {
    /// Limits that keep hostile input from exhausting the stack or memory.
    static let maximumDepth = 200
    static let maximumValues = 10_000_000

    /// Unpickles one value from `bytes`.
    /// - Throws: `WeightError` naming the byte offset (inside `bytes`) and the problem.
    public static func load(_ bytes: [UInt8]) throws -> PickleValue {
        try bytes.withUnsafeBytes { try load($0, from: 0).value }
    }

    /// Unpickles one value starting at `offset`; returns it and the offset just after its STOP
    /// (a file may hold several pickles back to back, as the legacy torch format does).
    static func load(_ bytes: UnsafeRawBufferPointer, from offset: Int, origin: Int = 0,
                     maximumValues: Int = Pickle.maximumValues) throws -> (value: PickleValue, end: Int) {
        var machine = Machine(cursor: ByteCursor(bytes, at: offset, origin: origin))
        // Whatever happens, the node graph is taken apart node by node: it may hold cycles (a list
        // appended to itself) that would leak, or chains far deeper than the stack that would
        // overflow it if released recursively.
        defer { machine.arena.tearDown() }
        let root = try machine.run()
        var freezer = Freezer(limit: maximumValues)
        let value = try freezer.freeze(root, depth: 0)
        return (value, machine.cursor.position)
    }

    /// A value under construction.
    final class Node {
        enum Kind {
            case none, bool(Bool), int(Int), bigInt([UInt8]), float(Double), string(String), byteString([UInt8]), bytes([UInt8])
            case list, tuple, set, dict
            case global(module: String, name: String)
            case object(callable: Node, arguments: [Node], keywords: Node?, construction: PickleObject.Construction)
            case persistentID(Node)
        }
        var kind: Kind                              // var only so that Arena.tearDown can clear it
        var items: [Node] = []                      // list / tuple / set elements, APPENDs on objects
        var pairs: [(key: Node, value: Node)] = []  // dict entries, SETITEMs on objects
        var keyIndex: [String: Int] = [:]           // position of simple (str / int) keys in `pairs`
        var state: Node?

        init(_ kind: Kind, items: [Node] = []) {
            self.kind = kind
            self.items = items
        }

        var isObject: Bool { if case .object = kind { true } else { false } }
        var isDict: Bool { if case .dict = kind { true } else { false } }

        /// SETITEM semantics: replace the value of an equal simple key, else append.
        func set(_ key: Node, _ value: Node) {
            let simple: String? = switch key.kind {
            case let .string(text): "s" + text
            case let .int(number): "i\(number)"
            case let .byteString(bytes): "b" + bytes.map(String.init).joined(separator: ",")
            default: nil
            }
            if let simple, let index = keyIndex[simple] {
                pairs[index].value = value
                return
            }
            if let simple { keyIndex[simple] = pairs.count }
            pairs.append((key, value))
        }
    }

    /// Every node a machine made, so that they can be released without recursion.
    final class Arena {
        private var nodes: [Node] = []

        func make(_ kind: Node.Kind, items: [Node] = []) -> Node {
            let node = Node(kind, items: items)
            nodes.append(node)
            return node
        }

        /// Cuts every node's links to others, then lets them go: no cycle survives, and no release
        /// recurses.
        func tearDown() {
            for node in nodes {
                node.items = []
                node.pairs = []
                node.keyIndex = [:]
                node.state = nil
                node.kind = .none
            }
            nodes = []
        }
    }

    struct Machine {
        var cursor: ByteCursor
        let arena = Arena()
        var stack: [Node] = []
        var marks: [Int] = []
        var memo: [Int: Node] = [:]
        var opcodeOffset = 0

        init(cursor: ByteCursor) { self.cursor = cursor }

        func fault(_ reason: String) -> WeightError { cursor.fault(reason, at: opcodeOffset) }

        mutating func pop(_ opcode: String) throws -> Node {
            guard let top = stack.popLast(), stack.count >= (marks.last ?? 0) else { throw fault("\(opcode): the stack is empty") }
            return top
        }

        func top(_ opcode: String) throws -> Node {
            guard let top = stack.last, stack.count > (marks.last ?? 0) else { throw fault("\(opcode): the stack is empty") }
            return top
        }

        /// Pops everything above the last MARK, and the mark.
        mutating func popMark(_ opcode: String) throws -> [Node] {
            guard let mark = marks.popLast() else { throw fault("\(opcode) without a MARK") }
            defer { stack.removeSubrange(mark...) }
            return Array(stack[mark...])
        }

        mutating func push(_ kind: Node.Kind) { stack.append(arena.make(kind)) }

        mutating func text(_ what: String) throws -> String {
            let bytes = try cursor.line(what)
            return String(decoding: bytes, as: UTF8.self)
        }

        mutating func utf8(_ count: Int, _ what: String) throws -> String {
            let bytes = try cursor.take(count, what)
            guard let text = String(validating: bytes, as: UTF8.self) else { throw fault("\(what) is not valid UTF-8") }
            return text
        }

        mutating func length(_ value: UInt64, _ what: String) throws -> Int {
            guard value <= UInt64(cursor.remaining) else {
                throw fault("\(what) of \(value) bytes runs past the end of the data (\(cursor.remaining) left; truncated?)")
            }
            return Int(value)
        }

        mutating func memoize(_ index: Int, _ opcode: String) throws {
            guard index >= 0 else { throw fault("\(opcode): negative memo index") }
            memo[index] = try top(opcode)
        }

        mutating func recall(_ index: Int, _ opcode: String) throws {
            guard let node = memo[index] else { throw fault("\(opcode): memo entry \(index) was never stored") }
            stack.append(node)
        }

        mutating func append(_ values: [Node], _ opcode: String) throws {
            let target = try top(opcode)
            switch target.kind {
            case .list: target.items.append(contentsOf: values)
            case .object: target.items.append(contentsOf: values)
            default: throw fault("\(opcode) on a value that is not a list")
            }
        }

        mutating func setItems(_ values: [Node], _ opcode: String) throws {
            guard values.count % 2 == 0 else { throw fault("\(opcode) with an odd number of keys and values") }
            let target = try top(opcode)
            guard target.isDict || target.isObject else { throw fault("\(opcode) on a value that is not a dict") }
            for pair in stride(from: 0, to: values.count, by: 2) { target.set(values[pair], values[pair + 1]) }
        }

        mutating func construct(_ callable: Node, _ arguments: Node, _ construction: PickleObject.Construction,
                                keywords: Node? = nil, _ opcode: String) throws {
            guard case .tuple = arguments.kind else { throw fault("\(opcode): the arguments are not a tuple") }
            stack.append(arena.make(.object(callable: callable, arguments: arguments.items, keywords: keywords, construction: construction)))
        }

        /// LONG1 / LONG4 payload: Int when it fits in 64 bits, else the raw bytes.
        func integer(fromLittleEndian bytes: UnsafeRawBufferPointer) -> Node.Kind {
            guard !bytes.isEmpty else { return .int(0) }
            let negative = bytes[bytes.count - 1] & 0x80 != 0
            if bytes.count > 8 {
                let filler: UInt8 = negative ? 0xFF : 0
                guard bytes[8...].allSatisfy({ $0 == filler }), (bytes[7] & 0x80 != 0) == negative else { return .bigInt(Array(bytes)) }
            }
            var value: UInt64 = negative ? ~0 : 0
            for (index, byte) in bytes.prefix(8).enumerated() {
                value &= ~(UInt64(0xFF) << UInt64(8 * index))
                value |= UInt64(byte) << UInt64(8 * index)
            }
            return .int(Int(Int64(bitPattern: value)))
        }

        /// Runs opcodes until STOP; returns the top of the stack.
        mutating func run() throws -> Node {
            while true {
                opcodeOffset = cursor.origin + cursor.position
                let opcode = try cursor.u8("an opcode")
                switch opcode {
                case 0x80: // PROTO
                    let version = try cursor.u8("the protocol version")
                    guard version <= 5 else { throw fault("pickle protocol \(version) is newer than 5") }
                case 0x95: try cursor.skip(8, "FRAME length")                  // FRAME: frames are read inline
                case 0x2E: // STOP
                    guard let result = stack.last, marks.isEmpty else { throw fault("STOP with an empty stack or an open MARK") }
                    return result
                case 0x28: marks.append(stack.count)                           // MARK
                case 0x30: _ = try pop("POP")
                case 0x31: _ = try popMark("POP_MARK")
                case 0x32: stack.append(try top("DUP"))

                case 0x4E: push(.none)                                          // NONE
                case 0x88: push(.bool(true))                                    // NEWTRUE
                case 0x89: push(.bool(false))                                   // NEWFALSE
                case 0x4A: push(.int(Int(Int32(bitPattern: try cursor.u32("BININT")))))
                case 0x4B: push(.int(Int(try cursor.u8("BININT1"))))
                case 0x4D: push(.int(Int(try cursor.u16("BININT2"))))
                case 0x8A: // LONG1
                    let count = Int(try cursor.u8("LONG1 length"))
                    push(integer(fromLittleEndian: try cursor.take(count, "LONG1")))
                case 0x8B: // LONG4
                    let count = try length(UInt64(try cursor.u32("LONG4 length")), "LONG4")
                    push(integer(fromLittleEndian: try cursor.take(count, "LONG4")))
                case 0x47: // BINFLOAT: big-endian double
                    let bits = try cursor.u64("BINFLOAT")
                    push(.float(Double(bitPattern: bits.byteSwapped)))
                case 0x49: // INT (text; "01"/"00" are True/False)
                    let line = try text("INT")
                    if line == "01" { push(.bool(true)) } else if line == "00" { push(.bool(false)) } else {
                        guard let value = Int(line) else { throw fault("INT \"\(line)\" is not an integer") }
                        push(.int(value))
                    }
                case 0x4C: // LONG (text, trailing L)
                    let line = try text("LONG")
                    let digits = line.hasSuffix("L") ? String(line.dropLast()) : line
                    if let value = Int(digits) {
                        push(.int(value))
                    } else {
                        push(.bigInt(try PickleText.twosComplement(decimal: digits).orThrow(fault("LONG \"\(line)\" is not an integer"))))
                    }
                case 0x46: // FLOAT (text)
                    let line = try text("FLOAT")
                    guard let value = Double(line) else { throw fault("FLOAT \"\(line)\" is not a number") }
                    push(.float(value))

                case 0x58: push(.string(try utf8(try length(UInt64(try cursor.u32("BINUNICODE length")), "BINUNICODE"), "BINUNICODE")))
                case 0x8C: push(.string(try utf8(Int(try cursor.u8("SHORT_BINUNICODE length")), "SHORT_BINUNICODE")))
                case 0x8D: push(.string(try utf8(try length(try cursor.u64("BINUNICODE8 length"), "BINUNICODE8"), "BINUNICODE8")))
                case 0x56: push(.string(try PickleText.rawUnicodeEscape(try cursor.line("UNICODE")).orThrow(fault("UNICODE: bad escape")))) // UNICODE
                case 0x54: // BINSTRING
                    let declared = Int32(bitPattern: try cursor.u32("BINSTRING length"))
                    guard declared >= 0 else { throw fault("BINSTRING: negative length") }
                    push(.byteString(try cursor.array(try length(UInt64(declared), "BINSTRING"), "BINSTRING")))
                case 0x55: push(.byteString(try cursor.array(Int(try cursor.u8("SHORT_BINSTRING length")), "SHORT_BINSTRING")))
                case 0x53: push(.byteString(try PickleText.quoted(try cursor.line("STRING")).orThrow(fault("STRING: not a quoted string literal"))))
                case 0x42: push(.bytes(try cursor.array(try length(UInt64(try cursor.u32("BINBYTES length")), "BINBYTES"), "BINBYTES")))
                case 0x43: push(.bytes(try cursor.array(Int(try cursor.u8("SHORT_BINBYTES length")), "SHORT_BINBYTES")))
                case 0x8E: push(.bytes(try cursor.array(try length(try cursor.u64("BINBYTES8 length"), "BINBYTES8"), "BINBYTES8")))
                case 0x96: push(.bytes(try cursor.array(try length(try cursor.u64("BYTEARRAY8 length"), "BYTEARRAY8"), "BYTEARRAY8")))
                case 0x97: throw fault("NEXT_BUFFER: out-of-band buffers are not supported")
                case 0x98: _ = try top("READONLY_BUFFER")                      // READONLY_BUFFER: no-op here

                case 0x5D: push(.list)                                          // EMPTY_LIST
                case 0x29: push(.tuple)                                         // EMPTY_TUPLE
                case 0x7D: push(.dict)                                          // EMPTY_DICT
                case 0x8F: push(.set)                                           // EMPTY_SET
                case 0x6C: stack.append(arena.make(.list, items: try popMark("LIST"))) // LIST
                case 0x74: stack.append(arena.make(.tuple, items: try popMark("TUPLE"))) // TUPLE
                case 0x91: stack.append(arena.make(.set, items: try popMark("FROZENSET"))) // FROZENSET
                case 0x85, 0x86, 0x87: // TUPLE1, TUPLE2, TUPLE3
                    let count = Int(opcode - 0x84)
                    guard stack.count - (marks.last ?? 0) >= count else { throw fault("TUPLE\(count): the stack holds too few values") }
                    let items = Array(stack.suffix(count))
                    stack.removeLast(count)
                    stack.append(arena.make(.tuple, items: items))
                case 0x64: // DICT
                    let values = try popMark("DICT")
                    stack.append(arena.make(.dict))
                    try setItems(values, "DICT")
                case 0x61: try append([try pop("APPEND")], "APPEND")             // APPEND
                case 0x65: try append(try popMark("APPENDS"), "APPENDS")         // APPENDS
                case 0x73: // SETITEM
                    let value = try pop("SETITEM"), key = try pop("SETITEM")
                    try setItems([key, value], "SETITEM")
                case 0x75: try setItems(try popMark("SETITEMS"), "SETITEMS")     // SETITEMS
                case 0x90: // ADDITEMS
                    let values = try popMark("ADDITEMS")
                    let target = try top("ADDITEMS")
                    guard case .set = target.kind else { throw fault("ADDITEMS on a value that is not a set") }
                    target.items.append(contentsOf: values)

                case 0x63: // GLOBAL
                    let module = try text("GLOBAL module"), name = try text("GLOBAL name")
                    push(.global(module: module, name: name))
                case 0x93: // STACK_GLOBAL
                    let name = try pop("STACK_GLOBAL"), module = try pop("STACK_GLOBAL")
                    guard case let .string(nameText) = name.kind, case let .string(moduleText) = module.kind else {
                        throw fault("STACK_GLOBAL: module and name are not strings")
                    }
                    push(.global(module: moduleText, name: nameText))
                case 0x82, 0x83, 0x84: throw fault("EXT\(opcode == 0x82 ? 1 : opcode == 0x83 ? 2 : 4): the extension registry is not supported")
                case 0x52: // REDUCE
                    let arguments = try pop("REDUCE"), callable = try pop("REDUCE")
                    try construct(callable, arguments, .reduce, "REDUCE")
                case 0x81: // NEWOBJ
                    let arguments = try pop("NEWOBJ"), cls = try pop("NEWOBJ")
                    try construct(cls, arguments, .newObject, "NEWOBJ")
                case 0x92: // NEWOBJ_EX
                    let keywords = try pop("NEWOBJ_EX"), arguments = try pop("NEWOBJ_EX"), cls = try pop("NEWOBJ_EX")
                    try construct(cls, arguments, .newObject, keywords: keywords, "NEWOBJ_EX")
                case 0x6F: // OBJ
                    let items = try popMark("OBJ")
                    guard let cls = items.first else { throw fault("OBJ without a class") }
                    stack.append(arena.make(.object(callable: cls, arguments: Array(items.dropFirst()), keywords: nil, construction: .newObject)))
                case 0x69: // INST
                    let module = try text("INST module"), name = try text("INST name")
                    let arguments = try popMark("INST")
                    stack.append(arena.make(.object(callable: arena.make(.global(module: module, name: name)), arguments: arguments,
                                              keywords: nil, construction: .newObject)))
                case 0x62: // BUILD
                    let state = try pop("BUILD")
                    let target = try top("BUILD")
                    guard target.isObject else { throw fault("BUILD on a value that is not an object") }
                    target.state = state
                case 0x51: push(.persistentID(try pop("BINPERSID")))             // BINPERSID
                case 0x50: push(.persistentID(arena.make(.string(try text("PERSID")))))  // PERSID

                case 0x94: try memoize(memo.count, "MEMOIZE")                   // MEMOIZE
                case 0x71: try memoize(Int(try cursor.u8("BINPUT index")), "BINPUT")
                case 0x72: try memoize(Int(try cursor.u32("LONG_BINPUT index")), "LONG_BINPUT")
                case 0x70: // PUT
                    let line = try text("PUT")
                    guard let index = Int(line) else { throw fault("PUT \"\(line)\" is not an index") }
                    try memoize(index, "PUT")
                case 0x68: try recall(Int(try cursor.u8("BINGET index")), "BINGET")
                case 0x6A: try recall(Int(try cursor.u32("LONG_BINGET index")), "LONG_BINGET")
                case 0x67: // GET
                    let line = try text("GET")
                    guard let index = Int(line) else { throw fault("GET \"\(line)\" is not an index") }
                    try recall(index, "GET")
                default:
                    throw fault("unknown pickle opcode 0x\(String(opcode, radix: 16, uppercase: true)) (not a pickle, or a damaged one)")
                }
            }
        }
    }

    /// Turns the node graph into values.
    struct Freezer {
        let limit: Int
        var inProgress = Set<ObjectIdentifier>()
        var produced = 0

        init(limit: Int) { self.limit = limit }

        mutating func freeze(_ node: Node, depth: Int) throws -> PickleValue {
            guard depth < Pickle.maximumDepth else { throw WeightError(reason: "pickle nests deeper than \(Pickle.maximumDepth) levels") }
            produced += 1
            guard produced <= limit else {
                throw WeightError(reason: "pickle expands to more than \(limit) values (shared references blow up)")
            }
            let id = ObjectIdentifier(node)
            guard inProgress.insert(id).inserted else { throw WeightError(reason: "pickle holds a value that contains itself (not supported)") }
            defer { inProgress.remove(id) }
            func all(_ nodes: [Node]) throws -> [PickleValue] { try nodes.map { try freeze($0, depth: depth + 1) } }
            func entries() throws -> [PickleEntry] {
                try node.pairs.map { PickleEntry(key: try freeze($0.key, depth: depth + 1), value: try freeze($0.value, depth: depth + 1)) }
            }
            switch node.kind {
            case .none: return .none
            case let .bool(value): return .bool(value)
            case let .int(value): return .int(value)
            case let .bigInt(bytes): return .bigInt(bytes)
            case let .float(value): return .float(value)
            case let .string(value): return .string(value)
            case let .byteString(value): return .byteString(value)
            case let .bytes(value): return .bytes(value)
            case .list: return .list(try all(node.items))
            case .tuple: return .tuple(try all(node.items))
            case .set: return .set(try all(node.items))
            case .dict: return .dict(try entries())
            case let .global(module, name): return .global(module: module, name: name)
            case let .persistentID(inner): return .persistentID(try freeze(inner, depth: depth + 1))
            case let .object(callable, arguments, keywords, construction):
                return .object(PickleObject(
                    callable: try freeze(callable, depth: depth + 1),
                    arguments: try all(arguments),
                    keywordArguments: try keywords.map { try freeze($0, depth: depth + 1) },
                    construction: construction,
                    state: try node.state.map { try freeze($0, depth: depth + 1) },
                    dictItems: try entries(),
                    listItems: try all(node.items)))
            }
        }
    }
}

extension Optional {
    /// The wrapped value, or `error` thrown.
    func orThrow(_ error: @autoclosure () -> WeightError) throws -> Wrapped {
        guard let value = self else { throw error() }
        return value
    }
}

/// Text forms of protocol 0: quoted string literals (STRING) and raw-unicode-escape (UNICODE).
enum PickleText {
    /// `'abc\n'` or `"abc"` with Python escapes → bytes.
    static func quoted(_ line: [UInt8]) -> [UInt8]? {
        guard line.count >= 2, let quote = line.first, quote == line.last, quote == 0x27 || quote == 0x22 else { return nil }
        var out: [UInt8] = []
        var index = 1
        let end = line.count - 1
        while index < end {
            let byte = line[index]
            index += 1
            guard byte == 0x5C else { out.append(byte); continue }        // backslash
            guard index < end else { return nil }
            let escape = line[index]
            index += 1
            switch escape {
            case UInt8(ascii: "n"): out.append(0x0A)
            case UInt8(ascii: "r"): out.append(0x0D)
            case UInt8(ascii: "t"): out.append(0x09)
            case UInt8(ascii: "0")...UInt8(ascii: "7"):
                var value = Int(escape - 0x30)
                var digits = 1
                while digits < 3, index < end, (0x30...0x37).contains(line[index]) {
                    value = value * 8 + Int(line[index] - 0x30)
                    index += 1
                    digits += 1
                }
                out.append(UInt8(truncatingIfNeeded: value))
            case UInt8(ascii: "x"):
                guard index + 2 <= end, let value = UInt8(String(decoding: line[index..<(index + 2)], as: UTF8.self), radix: 16) else { return nil }
                out.append(value)
                index += 2
            default: out.append(escape)                                   // \\ \' \" and unknown escapes
            }
        }
        return out
    }

    /// A decimal integer → minimal little-endian two's-complement bytes (as LONG1 spells it).
    static func twosComplement(decimal text: String) -> [UInt8]? {
        let negative = text.hasPrefix("-")
        let digits = negative || text.hasPrefix("+") ? text.dropFirst() : Substring(text)
        guard !digits.isEmpty, digits.allSatisfy({ $0.isASCII && $0.isNumber }) else { return nil }
        var magnitude: [UInt8] = []                                      // little-endian
        for digit in digits.utf8 {
            var carry = Int(digit - 0x30)
            for index in magnitude.indices {
                let value = Int(magnitude[index]) * 10 + carry
                magnitude[index] = UInt8(value & 0xFF)
                carry = value >> 8
            }
            while carry > 0 { magnitude.append(UInt8(carry & 0xFF)); carry >>= 8 }
        }
        if magnitude.allSatisfy({ $0 == 0 }) { return [0] }
        if negative {                                                   // two's complement: invert, add one
            var carry = 1
            for index in magnitude.indices {
                let value = Int(~magnitude[index]) + carry
                magnitude[index] = UInt8(value & 0xFF)
                carry = value >> 8
            }
            if magnitude.last! & 0x80 == 0 { magnitude.append(0xFF) }
        } else if magnitude.last! & 0x80 != 0 {
            magnitude.append(0)
        }
        return magnitude
    }

    /// raw-unicode-escape: bytes are latin-1 except `\uXXXX` and `\UXXXXXXXX`.
    static func rawUnicodeEscape(_ line: [UInt8]) -> String? {
        var scalars = String.UnicodeScalarView()
        var index = 0
        while index < line.count {
            let byte = line[index]
            if byte == 0x5C, index + 1 < line.count, line[index + 1] == UInt8(ascii: "u") || line[index + 1] == UInt8(ascii: "U") {
                let digits = line[index + 1] == UInt8(ascii: "u") ? 4 : 8
                guard index + 2 + digits <= line.count,
                      let value = UInt32(String(decoding: line[(index + 2)..<(index + 2 + digits)], as: UTF8.self), radix: 16),
                      let scalar = Unicode.Scalar(value) else { return nil }
                scalars.append(scalar)
                index += 2 + digits
            } else {
                scalars.append(Unicode.Scalar(byte))
                index += 1
            }
        }
        return String(scalars)
    }
}
