// PickleValue: the value tree an unpickled stream describes, without running any Python. Class
// instances stay symbolic: a PickleObject names its class (or the callable REDUCE applies), its
// constructor arguments, the BUILD state and any items set on it (OrderedDict, list subclasses),
// so torch, numpy, scipy and chumpy objects can be interpreted by whoever knows them.

public indirect enum PickleValue: Sendable {
    case none
    case bool(Bool)
    case int(Int)
    /// An integer too wide for 64 bits: little-endian two's-complement bytes (LONG1 / LONG4).
    case bigInt([UInt8])
    case float(Double)
    /// A Python 3 `str` (unicode).
    case string(String)
    /// A Python 2 `str` (STRING / BINSTRING / SHORT_BINSTRING): raw bytes, read as latin-1 text.
    case byteString([UInt8])
    /// `bytes` or `bytearray`.
    case bytes([UInt8])
    case list([PickleValue])
    case tuple([PickleValue])
    /// `set` or `frozenset`, in stream order.
    case set([PickleValue])
    /// A dict's entries in insertion order (later SETITEMs of an existing key replace its value).
    case dict([PickleEntry])
    /// A reference to a module-level name: `module.name` (a class or a function).
    case global(module: String, name: String)
    case object(PickleObject)
    /// What a persistent-id opcode (PERSID / BINPERSID) referred to; meaning is up to the format.
    case persistentID(PickleValue)
}

public struct PickleEntry: Sendable {
    public var key: PickleValue
    public var value: PickleValue
}

/// The result of REDUCE (`callable(*arguments)`) or of NEWOBJ / OBJ / INST
/// (`cls.__new__(cls, *arguments)`), with what later opcodes did to it.
public struct PickleObject: Sendable {
    public enum Construction: Sendable { case reduce, newObject }

    public var callable: PickleValue
    public var arguments: [PickleValue]
    /// Keyword arguments of NEWOBJ_EX, when present.
    public var keywordArguments: PickleValue?
    public var construction: Construction
    /// The BUILD state (`__setstate__` argument or `__dict__` update), if any.
    public var state: PickleValue?
    /// Items set by SETITEM(S) on the object (e.g. an OrderedDict's entries).
    public var dictItems: [PickleEntry]
    /// Items added by APPEND(S) on the object (list subclasses).
    public var listItems: [PickleValue]

    /// `module.name` of the class or callable, when it is a global.
    public var className: String? { callable.globalName }
}

extension PickleValue {
    /// `module.name` for a global; for an object, its class or callable's name.
    public var globalName: String? {
        switch self {
        case let .global(module, name): "\(module).\(name)"
        case let .object(object): object.className
        default: nil
        }
    }

    public var object: PickleObject? {
        if case let .object(object) = self { return object }
        return nil
    }

    public var intValue: Int? {
        switch self {
        case let .int(value): value
        case let .bool(value): value ? 1 : 0
        default: nil
        }
    }

    /// A float, or an int widened to Double.
    public var doubleValue: Double? {
        switch self {
        case let .float(value): value
        case let .int(value): Double(value)
        default: nil
        }
    }

    public var boolValue: Bool? {
        switch self {
        case let .bool(value): value
        case let .int(value): value != 0
        default: nil
        }
    }

    /// Text of a unicode string, or of a Python 2 byte string decoded as latin-1.
    public var stringValue: String? {
        switch self {
        case let .string(text): text
        case let .byteString(bytes): String(bytes.map { Character(Unicode.Scalar($0)) })
        default: nil
        }
    }

    /// Raw bytes of `bytes` or of a Python 2 byte string.
    public var bytesValue: [UInt8]? {
        switch self {
        case let .bytes(bytes), let .byteString(bytes): bytes
        default: nil
        }
    }

    /// Elements of a list or tuple.
    public var elements: [PickleValue]? {
        switch self {
        case let .list(items), let .tuple(items): items
        default: nil
        }
    }

    /// Entries of a dict, or the items set on an object (OrderedDict and other dict subclasses).
    public var entries: [PickleEntry]? {
        switch self {
        case let .dict(entries): entries
        case let .object(object) where !object.dictItems.isEmpty || object.className?.hasSuffix("OrderedDict") == true:
            object.dictItems
        default: nil
        }
    }

    /// The value stored under a string key in a dict (or dict-like object).
    public subscript(key: String) -> PickleValue? {
        entries?.first { $0.key.stringValue == key }?.value
    }

    /// A short name for the kind of value, for error messages.
    public var kindName: String {
        switch self {
        case .none: "None"
        case .bool: "bool"
        case .int, .bigInt: "int"
        case .float: "float"
        case .string: "str"
        case .byteString: "str (Python 2 bytes)"
        case .bytes: "bytes"
        case .list: "list"
        case .tuple: "tuple"
        case .set: "set"
        case .dict: "dict"
        case let .global(module, name): "global \(module).\(name)"
        case let .object(object): "\(object.className ?? "object") instance"
        case .persistentID: "persistent id"
        }
    }
}
