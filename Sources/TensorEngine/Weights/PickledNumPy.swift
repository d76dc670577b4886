// NumPy arrays found inside pickles (SMPL .pkl files, Python 2 and 3): the ndarray reduce
// protocol `numpy.core.multiarray._reconstruct(numpy.ndarray, (0,), b'b')` + BUILD state
// `(version, shape, dtype, is_fortran, rawdata)` with `dtype = numpy.dtype('f8', False, True)` +
// BUILD `(3, '<', …)`; protocol 5's `numpy.core.numeric._frombuffer(data, dtype, shape, order)`;
// and 0-d `numpy.core.multiarray.scalar(dtype, data)`. `numpy._core.*` (NumPy 2) too.
// Raw data may be bytes, a Python 2 str, or `_codecs.encode(text, 'latin1')` (Python 3, protocol 2).

extension NumPy {
    static let reconstructNames: Set<String> = ["numpy.core.multiarray._reconstruct", "numpy._core.multiarray._reconstruct"]
    static let frombufferNames: Set<String> = ["numpy.core.numeric._frombuffer", "numpy._core.numeric._frombuffer"]
    static let scalarNames: Set<String> = ["numpy.core.multiarray.scalar", "numpy._core.multiarray.scalar"]

    /// True when `value` is a pickled ndarray (or NumPy scalar) that `array(fromPickle:)` reads.
    public static func isArray(_ value: PickleValue) -> Bool {
        guard let name = value.globalName, value.object != nil else { return false }
        return reconstructNames.contains(name) || frombufferNames.contains(name) || scalarNames.contains(name)
    }

    /// The NumPy array a pickled ndarray describes.
    /// - Throws: `WeightError` saying which part (state, dtype, data size) is not as expected;
    ///   object, string and structured arrays are refused.
    public static func array(fromPickle value: PickleValue) throws -> NumPyArray {
        guard let object = value.object, let name = object.className else {
            throw WeightError(reason: "a \(value.kindName) is not a pickled NumPy array")
        }
        if reconstructNames.contains(name) {
            guard let state = object.state?.elements, state.count == 4 || state.count == 5 else {
                throw WeightError(reason: "ndarray state is not (version, shape, dtype, is_fortran, data)")
            }
            let fields = state.suffix(4).map { $0 }
            return try build(shape: fields[0], dtype: fields[1], fortran: fields[2].boolValue, data: fields[3])
        }
        if frombufferNames.contains(name) {
            let arguments = object.arguments
            guard arguments.count == 4, let order = arguments[3].stringValue else {
                throw WeightError(reason: "_frombuffer arguments are not (data, dtype, shape, order)")
            }
            return try build(shape: arguments[2], dtype: arguments[1], fortran: order == "F", data: arguments[0])
        }
        if scalarNames.contains(name) {
            guard object.arguments.count == 2 else { throw WeightError(reason: "scalar arguments are not (dtype, data)") }
            return try build(shape: .tuple([]), dtype: object.arguments[0], fortran: false, data: object.arguments[1])
        }
        throw WeightError(reason: "a \(name) object is not a pickled NumPy array")
    }

    private static func build(shape shapeValue: PickleValue, dtype: PickleValue, fortran: Bool?, data: PickleValue) throws -> NumPyArray {
        guard let dims = shapeValue.elements, case let shape = dims.compactMap(\.intValue), shape.count == dims.count,
              shape.allSatisfy({ $0 >= 0 }) else {
            throw WeightError(reason: "ndarray shape is not a tuple of non-negative integers")
        }
        guard let fortran else { throw WeightError(reason: "ndarray is_fortran flag is not a bool") }
        let (type, bigEndian) = try elementType(ofPickledDType: dtype)
        let bytes = try rawBytes(data)
        guard let count = elementCount(shape), case let (needed, overflow) = count.multipliedReportingOverflow(by: type.byteSize),
              !overflow, bytes.count == needed else {
            throw WeightError(reason: "ndarray data holds \(bytes.count) bytes, shape \(shape) of \(type) needs \((elementCount(shape) ?? 0) &* type.byteSize)")
        }
        return bytes.withUnsafeBytes { NumPyArray(shape: shape, type: type, bytes: $0, bigEndian: bigEndian, fortranOrder: fortran) }
    }

    /// `numpy.dtype('f8', False, True)` with BUILD state `(version, '<', …)` → type and byte order.
    static func elementType(ofPickledDType dtype: PickleValue) throws -> (ElementType, bigEndian: Bool) {
        guard let object = dtype.object, let name = object.className, name.hasPrefix("numpy") && name.hasSuffix(".dtype"),
              let typeString = object.arguments.first?.stringValue else {
            throw WeightError(reason: "ndarray dtype is a \(dtype.kindName), not numpy.dtype(…)")
        }
        var order: Character = "|"
        if let state = object.state?.elements, state.count >= 2, let text = state[1].stringValue, let first = text.first {
            order = first
        }
        if typeString.hasPrefix("O") { throw WeightError(reason: "ndarray of Python objects (dtype \(typeString)) cannot be read as numbers") }
        return try elementType(String(order) + typeString)
    }

    /// The bytes of an ndarray's raw data, whichever way the pickle spelled them.
    static func rawBytes(_ value: PickleValue) throws -> [UInt8] {
        if let bytes = value.bytesValue { return bytes }
        if let object = value.object, object.className == "_codecs.encode", let text = object.arguments.first?.stringValue {
            let encoding = object.arguments.count > 1 ? object.arguments[1].stringValue?.lowercased() : "utf-8"
            if encoding == "latin1" || encoding == "latin-1" || encoding == "iso-8859-1" {
                var bytes: [UInt8] = []
                bytes.reserveCapacity(text.unicodeScalars.count)
                for scalar in text.unicodeScalars {
                    guard scalar.value < 256 else { throw WeightError(reason: "ndarray data: latin-1 text holds U+\(String(scalar.value, radix: 16))") }
                    bytes.append(UInt8(scalar.value))
                }
                return bytes
            }
            return Array(text.utf8)
        }
        throw WeightError(reason: "ndarray data is a \(value.kindName), not bytes (object arrays are not supported)")
    }
}
