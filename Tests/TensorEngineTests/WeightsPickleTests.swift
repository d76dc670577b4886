// The unpickler against streams Python wrote (protocols 0–5 of the same list), shared references
// through the memo, Python 2 byte strings, and hostile streams (cycles, bad opcodes, cut streams).
import Foundation
import Testing
@testable import TensorEngine

/// A canonicalPickle text form of a value tree; `_codecs.encode(text, 'latin1')` (protocol ≤ 2 bytes) reads as bytes.
func canonicalPickle(_ value: PickleValue) -> String {
    func hex(_ bytes: [UInt8]) -> String { bytes.map { String(format: "%02x", $0) }.joined() }
    switch value {
    case .none: return "None"
    case let .bool(flag): return flag ? "True" : "False"
    case let .int(number): return "\(number)"
    case let .bigInt(bytes): return "big(\(hex(bytes)))"
    case let .float(number): return "\(number)"
    case let .string(text): return "'\(text)'"
    case let .byteString(bytes): return "str2(\(hex(bytes)))"
    case let .bytes(bytes): return "bytes(\(hex(bytes)))"
    case let .list(items): return "[" + items.map(canonicalPickle).joined(separator: ", ") + "]"
    case let .tuple(items): return "(" + items.map(canonicalPickle).joined(separator: ", ") + ")"
    case let .set(items): return "set(" + items.map(canonicalPickle).joined(separator: ", ") + ")"
    case let .dict(entries): return "{" + entries.map { "\(canonicalPickle($0.key)): \(canonicalPickle($0.value))" }.joined(separator: ", ") + "}"
    case let .global(module, name): return "\(module).\(name)"
    case let .persistentID(inner): return "pid\(canonicalPickle(inner))"
    case let .object(object):
        if object.className == "_codecs.encode", let bytes = try? NumPy.rawBytes(value) { return "bytes(\(hex(bytes)))" }
        return "\(object.className ?? "?")(\(object.arguments.map(canonicalPickle).joined(separator: ", ")))"
    }
}

func bytesFromHex(_ text: String) -> [UInt8] {
    var bytes: [UInt8] = []
    var index = text.startIndex
    while index < text.endIndex {
        let next = text.index(index, offsetBy: 2)
        bytes.append(UInt8(text[index..<next], radix: 16)!)
        index = next
    }
    return bytes
}

@Suite struct WeightsPickleTests {
    /// pickle.dumps([1, -2, 300, 70000, -70000, 2**40, 2**70, -3.5, 'hé', b'xy', (1,), (1, 2), (1, 2, 3), (), {'k': None},
    /// True, False, None], protocol=P) from CPython 3.11, for P = 0…5.
    static let streams: [(protocol: Int, hex: String)] = [
        (0, "286c70300a49310a61492d320a61493330300a614937303030300a61492d37303030300a614c313039393531313632373737364c0a614c313138303539313632303731373431313330333432344c0a61462d332e350a615668e90a70310a61635f636f646563730a656e636f64650a70320a285678790a70330a566c6174696e310a70340a7470350a5270360a612849310a7470370a612849310a49320a7470380a612849310a49320a49330a7470390a6128746128647031300a566b0a7031310a4e73614930310a614930300a614e612e"),
        (1, "5d7100284b014afeffffff4d2c014a701101004a90eefeff4c313039393531313632373737364c0a4c313138303539313632303731373431313330333432344c0a47c00c000000000000580300000068c3a97101635f636f646563730a656e636f64650a71022858020000007879710358060000006c6174696e317104747105527106284b01747107284b014b02747108284b014b024b03747109297d710a58010000006b710b4e734930310a4930300a4e652e"),
        (2, "80025d7100284b014afeffffff4d2c014a701101004a90eefeff8a060000000000018a0900000000000000004047c00c000000000000580300000068c3a97101635f636f646563730a656e636f64650a710258020000007879710358060000006c6174696e3171048671055271064b018571074b014b028671084b014b024b03877109297d710a58010000006b710b4e7388894e652e"),
        (3, "80035d7100284b014afeffffff4d2c014a701101004a90eefeff8a060000000000018a0900000000000000004047c00c000000000000580300000068c3a971014302787971024b018571034b014b028671044b014b024b03877105297d710658010000006b71074e7388894e652e"),
        (4, "8004955e000000000000005d94284b014afeffffff4d2c014a701101004a90eefeff8a060000000000018a0900000000000000004047c00c0000000000008c0368c3a99443027879944b0185944b014b0286944b014b024b038794297d948c016b944e7388894e652e"),
        (5, "8005955e000000000000005d94284b014afeffffff4d2c014a701101004a90eefeff8a060000000000018a0900000000000000004047c00c0000000000008c0368c3a99443027879944b0185944b014b0286944b014b024b038794297d948c016b944e7388894e652e"),
    ]
    static let expected = "[1, -2, 300, 70000, -70000, 1099511627776, big(000000000000000040), -3.5, 'hé', bytes(7879), (1), (1, 2), (1, 2, 3), (), {'k': None}, True, False, None]"

    @Test(arguments: streams)
    func everyProtocolGivesTheSameTree(stream: (protocol: Int, hex: String)) throws {
        #expect(canonicalPickle(try Pickle.load(bytesFromHex(stream.hex))) == Self.expected, "protocol \(stream.protocol)")
    }

    @Test func memoSharesMutableValues() throws {
        // a = [1]; pickle.dumps([a, a], protocol=2): BINPUT before APPEND, BINGET after it.
        let value = try Pickle.load(bytesFromHex("80025d7100285d71014b01616801652e"))
        #expect(canonicalPickle(value) == "[[1], [1]]")
    }

    /// A chain far deeper than the stack (each BINPERSID wraps the value below it) is refused, and
    /// taking the half-built graph apart does not recurse: released node by node, it would
    /// overflow the stack long before a million levels.
    @Test func aMillionLevelChainIsRefusedWithoutOverflowingTheStack() {
        let bytes: [UInt8] = [0x80, 0x02, 0x4E] + [UInt8](repeating: 0x51, count: 1_000_000) + [0x2E]   // NONE, BINPERSID×10⁶, STOP
        #expect(throws: WeightError.self) { try Pickle.load(bytes) }
    }

    @Test func pythonTwoByteStringsKeepTheirBytes() throws {
        // protocol 2: SHORT_BINSTRING 'caf\xe9', BINSTRING of 3 bytes, STOP inside a TUPLE2
        let value = try Pickle.load([0x80, 0x02, 0x55, 0x04, 0x63, 0x61, 0x66, 0xE9, 0x54, 0x03, 0, 0, 0, 0x00, 0xFF, 0x41, 0x86, 0x2E])
        let items = try #require(value.elements)
        #expect(items[0].stringValue == "café")
        #expect(items[1].bytesValue == [0x00, 0xFF, 0x41])
    }

    @Test func protocolZeroTextForms() throws {
        // (S'a\\x41\\n' I-7 F0.25 L-1180591620717411303424L V\\u20ac g0 t.  — with PUT 0 after the first value
        let text = "(S'a\\x41\\n'\np0\nI-7\nF0.25\nL-1180591620717411303424L\nV\\u20ac\ng0\nt."
        let value = try Pickle.load(Array(text.utf8))
        #expect(canonicalPickle(value) == "(str2(61410a), -7, 0.25, big(0000000000000000c0), '€', str2(61410a))")
    }

    @Test func objectsKeepClassArgumentsStateAndItems() throws {
        // collections.OrderedDict() REDUCE, SETITEMS {'w': 1}, BUILD {'_metadata': {}}: as torch state_dicts are written
        let bytes: [UInt8] = [0x80, 0x02, 0x63] + Array("collections\nOrderedDict\n".utf8)
            + [0x29, 0x52, 0x28, 0x58, 1, 0, 0, 0, 0x77, 0x4B, 1, 0x75, 0x7D, 0x58, 9, 0, 0, 0] + Array("_metadata".utf8)
            + [0x7D, 0x73, 0x62, 0x2E]
        let value = try Pickle.load(bytes)
        let object = try #require(value.object)
        #expect(object.className == "collections.OrderedDict")
        #expect(object.construction == .reduce)
        #expect(value["w"]?.intValue == 1)
        #expect(object.state?["_metadata"] != nil)
    }

    @Test func bigIntegersFromText() {
        #expect(PickleText.twosComplement(decimal: "1180591620717411303424") == [0, 0, 0, 0, 0, 0, 0, 0, 0x40])
        #expect(PickleText.twosComplement(decimal: "-129") == [0x7F, 0xFF])
        #expect(PickleText.twosComplement(decimal: "128") == [0x80, 0x00])
        #expect(PickleText.twosComplement(decimal: "-0") == [0])
        #expect(PickleText.twosComplement(decimal: "12a") == nil)
    }

    /// Streams that must throw a WeightError naming the byte offset, never trap.
    static let hostile: [(name: String, bytes: [UInt8], fragment: String)] = [
        ("empty", [], "byte 0"),
        ("no STOP", [0x80, 0x02, 0x4E], "byte 3"),
        ("unknown opcode", [0x80, 0x02, 0xFF], "unknown pickle opcode 0xFF"),
        ("stack underflow", [0x80, 0x02, 0x52], "REDUCE: the stack is empty"),
        ("missing mark", [0x80, 0x02, 0x74], "TUPLE without a MARK"),
        ("memo miss", [0x80, 0x02, 0x68, 0x05], "memo entry 5 was never stored"),
        ("string past end", [0x80, 0x02, 0x58, 0xFF, 0xFF, 0xFF, 0x7F, 0x41], "BINUNICODE of 2147483647 bytes runs past the end"),
        ("bad utf8", [0x80, 0x02, 0x8C, 0x01, 0xFF, 0x2E], "not valid UTF-8"),
        ("negative BINSTRING", [0x80, 0x02, 0x54, 0xFF, 0xFF, 0xFF, 0xFF], "negative length"),
        ("self-containing list", [0x80, 0x02, 0x5D, 0x71, 0x00, 0x68, 0x00, 0x61, 0x2E], "contains itself"),
        ("future protocol", [0x80, 0x09, 0x2E], "protocol 9"),
        ("APPEND to a dict", [0x80, 0x02, 0x7D, 0x4E, 0x61, 0x2E], "APPEND on a value that is not a list"),
        ("BUILD on an int", [0x80, 0x02, 0x4B, 0x01, 0x4E, 0x62, 0x2E], "BUILD on a value that is not an object"),
        ("out-of-band buffer", [0x80, 0x05, 0x97, 0x2E], "out-of-band"),
    ]

    @Test(arguments: hostile)
    func hostileStreamsThrow(stream: (name: String, bytes: [UInt8], fragment: String)) {
        do {
            let value = try Pickle.load(stream.bytes)
            Issue.record("\(stream.name): expected an error, got \(canonicalPickle(value))")
        } catch let error as WeightError {
            #expect(error.description.contains(stream.fragment), "\(stream.name): \(error)")
        } catch {
            Issue.record("\(stream.name): not a WeightError: \(error)")
        }
    }

    @Test func exponentialSharingIsRefused() throws {
        // x = []; 26 times: x = (x, x) → 2^26 leaves if expanded naively; MEMOIZE gives step k index k + 1.
        var bytes: [UInt8] = [0x80, 0x02, 0x5D, 0x94]
        for step in 0..<26 { bytes += [0x68, UInt8(step), 0x68, UInt8(step), 0x86, 0x94] }
        bytes += [0x2E]
        let error = #expect(throws: WeightError.self) {
            try bytes.withUnsafeBytes { try Pickle.load($0, from: 0, maximumValues: 100_000) }
        }
        #expect(error?.reason.contains("expands to more than 100000 values") == true)
        // Eight doublings stay well inside the limit and load.
        bytes = [0x80, 0x02, 0x5D, 0x94]
        for step in 0..<8 { bytes += [0x68, UInt8(step), 0x68, UInt8(step), 0x86, 0x94] }
        bytes += [0x2E]
        _ = try Pickle.load(bytes)
    }

    @Test func everyCutOfARealPickleThrowsCleanly() throws {
        let bytes = try [UInt8](Data(contentsOf: WeightFixtures.weight("smpl_like_py2.pkl")))
        _ = try Pickle.load(bytes)
        for cut in 0..<(bytes.count - 1) {
            #expect(throws: WeightError.self, "cut at \(cut)") { try Pickle.load(Array(bytes[..<cut])) }
        }
    }

    @Test func byteFlipsNeverTrap() throws {
        let bytes = try [UInt8](Data(contentsOf: WeightFixtures.weight("smpl_like_py2.pkl")))
        var rng = WeightsRandom(seed: 7)
        for _ in 0..<2000 {
            var mutated = bytes
            mutated[rng.next(bytes.count)] = UInt8(rng.next(256))
            _ = try? Pickle.load(mutated)        // either a value or a WeightError; a trap fails the run
        }
    }
}

/// A tiny deterministic generator for mutation tests (SplitMix64).
struct WeightsRandom {
    var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next(_ bound: Int) -> Int {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return Int((z ^ (z >> 31)) % UInt64(bound))
    }
}
