// TorchCheckpoint: reads what `torch.save(model.state_dict(), path)` writes — a zip holding
// `<top>/data.pkl` (the pickled dict; <top> varies with the file name and torch version),
// `<top>/data/<key>` (raw storages) and `<top>/byteorder`. Tensors are rebuilt from
// `torch._utils._rebuild_tensor_v2(storage, offset, size, stride, …)` honouring offset and strides;
// half / bfloat16 / double widen or narrow to float32, integer and bool tensors convert only when
// exact. Any global outside the known torch set is refused by name; nothing is ever executed.
import Foundation

public enum TorchCheckpoint {
    /// Reads every tensor of a PyTorch checkpoint — zip, or the legacy pre-1.6 format — holding a
    /// state_dict or a dict nesting them (nested keys are joined with "."). Non-tensor leaves
    /// (ints, strings, None) are skipped.
    /// - Returns: float32 tensors by key, shape as saved, values in row-major order.
    /// - Throws: `WeightError` naming the file and the zip entry, tensor, global or byte offset.
    public static func read(contentsOf url: URL) throws -> [String: Tensor] {
        let data = try MappedFile.bytes(of: url)
        return try reading(url.path) {
            try data.withUnsafeBytes { bytes in
                if ZipArchive.looksLikeZip(bytes) { return try parse(archive: try ZipArchive(bytes), bytes) }
                if bytes.count >= 2, bytes[0] == 0x80 { return try TorchLegacy.parse(bytes) }
                throw WeightError.at(0, "not a PyTorch checkpoint (neither a zip nor a legacy torch.save pickle)")
            }
        }
    }

    /// Storage classes named in persistent ids, and their element types.
    static let storageTypes: [String: ElementType] = [
        "FloatStorage": .float32, "DoubleStorage": .float64, "HalfStorage": .float16, "BFloat16Storage": .bfloat16,
        "LongStorage": .int64, "IntStorage": .int32, "ShortStorage": .int16, "CharStorage": .int8,
        "ByteStorage": .uint8, "BoolStorage": .bool,
    ]

    /// Globals a state_dict pickle may name; anything else is refused.
    static let knownGlobals: Set<String> = Set([
        "collections.OrderedDict", "torch._utils._rebuild_tensor_v2", "torch._utils._rebuild_tensor",
        "torch._utils._rebuild_parameter", "torch._utils._rebuild_parameter_with_state",
    ] + storageTypes.keys.map { "torch.\($0)" })

    /// The `<top>/data.pkl` entry of a checkpoint zip (top folder name varies), if any.
    static func pickleEntry(in archive: ZipArchive) -> ZipEntry? {
        archive.entries.first { entry in
            let parts = entry.name.split(separator: "/", omittingEmptySubsequences: false)
            return parts.count == 2 && parts[1] == "data.pkl" && !parts[0].isEmpty
        }
    }

    static func parse(archive: ZipArchive, _ bytes: UnsafeRawBufferPointer) throws -> [String: Tensor] {
        guard let pickleEntry = pickleEntry(in: archive) else {
            throw WeightError(reason: "not a checkpoint (no */data.pkl in the zip)")
        }
        let prefix = String(pickleEntry.name.dropLast("data.pkl".count))
        var bigEndian = false
        if let order = archive.entry(named: prefix + "byteorder") {
            let text = try within("entry \"\(order.name)\"") {
                try archive.withContents(of: order, in: bytes) { String(decoding: $0, as: UTF8.self) }
            }
            guard text == "little" || text == "big" else {
                throw WeightError(context: ["entry \"\(order.name)\""], reason: "byte order \"\(text)\" is neither little nor big")
            }
            bigEndian = text == "big"
        }
        let root = try within("entry \"\(pickleEntry.name)\"") {
            try archive.withContents(of: pickleEntry, in: bytes, verify: true) { pickle in
                try Pickle.load(pickle, from: 0).value
            }
        }
        try within("entry \"\(pickleEntry.name)\"") { try checkGlobals(root) }

        var storages: [String: ZipEntry] = [:]
        let dataPrefix = prefix + "data/"
        for entry in archive.entries where entry.name.hasPrefix(dataPrefix) {
            storages[String(entry.name.dropFirst(dataPrefix.count))] = entry
        }
        var tensors: [String: Tensor] = [:]
        try collect(root, key: nil, into: &tensors) { name, value in
            try within("tensor \"\(name)\"") {
                try rebuild(value, bigEndian: bigEndian, storageLabel: "data/") { key, body in
                    guard let entry = storages[key] else { throw WeightError(reason: "storage data/\(key) is missing from the zip") }
                    return try within("entry \"\(entry.name)\"") { try archive.withContents(of: entry, in: bytes, body) }
                }
            }
        }
        return tensors
    }

    /// Throws for the first global outside `knownGlobals`, naming it.
    static func checkGlobals(_ value: PickleValue) throws {
        switch value {
        case let .global(module, name):
            guard knownGlobals.contains("\(module).\(name)") else {
                throw WeightError(reason: "unknown global \"\(module).\(name)\" (a PyTorch state_dict holds only tensors and dicts; refusing to interpret it)")
            }
        case let .list(items), let .tuple(items), let .set(items): try items.forEach(checkGlobals)
        case let .dict(entries):
            for entry in entries { try checkGlobals(entry.key); try checkGlobals(entry.value) }
        case let .persistentID(inner): try checkGlobals(inner)
        case let .object(object):
            try checkGlobals(object.callable)
            try object.arguments.forEach(checkGlobals)
            try object.keywordArguments.map(checkGlobals)
            try object.state.map(checkGlobals)
            for entry in object.dictItems { try checkGlobals(entry.key); try checkGlobals(entry.value) }
            try object.listItems.forEach(checkGlobals)
        default: break
        }
    }

    /// Walks dicts (nested ones give dotted keys) and hands every tensor-like leaf to `rebuild`.
    static func collect(_ value: PickleValue, key: String?, into tensors: inout [String: Tensor],
                        _ rebuild: (String, PickleObject) throws -> Tensor) throws {
        if let object = value.object, object.className?.hasPrefix("torch._utils._rebuild_") == true {
            guard let key else { throw WeightError(reason: "the checkpoint is a single tensor, not a dict of tensors") }
            guard tensors[key] == nil else { throw WeightError.tensor(key, "appears twice") }
            tensors[key] = try rebuild(key, object)
            return
        }
        if let entries = value.entries {
            for entry in entries {
                guard let name = entry.key.stringValue ?? entry.key.intValue.map(String.init) else {
                    throw WeightError(context: key.map { ["key \"\($0)\""] } ?? [], reason: "a dict key is a \(entry.key.kindName), not a string")
                }
                try collect(entry.value, key: key.map { "\($0).\(name)" } ?? name, into: &tensors, rebuild)
            }
            return
        }
        guard key != nil else { throw WeightError(reason: "the pickled object is a \(value.kindName), not a dict of tensors") }
    }

    /// Lends the bytes of the storage with a given key to a body (zip entry or legacy file span).
    typealias StorageLender = (String, (UnsafeRawBufferPointer) throws -> Tensor) throws -> Tensor

    /// Rebuilds one tensor from `_rebuild_tensor_v2` / `_rebuild_tensor` / `_rebuild_parameter`.
    /// `storageLabel` prefixes storage keys in messages ("data/" for zip entries).
    static func rebuild(_ object: PickleObject, bigEndian: Bool, storageLabel: String, storage: StorageLender) throws -> Tensor {
        if object.className?.hasPrefix("torch._utils._rebuild_parameter") == true {
            guard let inner = object.arguments.first?.object else { throw WeightError(reason: "_rebuild_parameter without a tensor argument") }
            return try rebuild(inner, bigEndian: bigEndian, storageLabel: storageLabel, storage: storage)
        }
        let arguments = object.arguments
        guard arguments.count >= 4, case let .persistentID(pid) = arguments[0],
              let offset = arguments[1].intValue, let sizeItems = arguments[2].elements, let strideItems = arguments[3].elements else {
            throw WeightError(reason: "\(object.className ?? "rebuild call") arguments are not (storage, offset, size, stride, …)")
        }
        let size = sizeItems.compactMap(\.intValue), stride = strideItems.compactMap(\.intValue)
        guard size.count == sizeItems.count, stride.count == strideItems.count, size.count == stride.count,
              size.allSatisfy({ $0 >= 0 }), stride.allSatisfy({ $0 >= 0 }), offset >= 0 else {
            throw WeightError(reason: "size \(sizeItems.map(\.kindName)) / stride / offset \(offset) are not matching non-negative integers")
        }
        let (type, key) = try storageReference(pid)
        let label = storageLabel + key

        guard let count = elementCount(size) else { throw WeightError(reason: "size \(size) is impossibly large") }
        var lastIndex = offset
        for (dim, step) in zip(size, stride) where dim > 0 {
            let (span, overflowA) = (dim - 1).multipliedReportingOverflow(by: step)
            let (sum, overflowB) = lastIndex.addingReportingOverflow(span)
            guard !overflowA, !overflowB else { throw WeightError(reason: "size \(size) with stride \(stride) is impossibly large") }
            lastIndex = sum
        }
        // Bytes the view reaches: up to and including element `lastIndex` (nothing when empty).
        let (endElement, overflowA) = lastIndex.addingReportingOverflow(count == 0 ? 0 : 1)
        let (neededBytes, overflowB) = (count == 0 ? 0 : endElement).multipliedReportingOverflow(by: type.byteSize)
        guard !overflowA, !overflowB else { throw WeightError(reason: "size \(size) with stride \(stride) is impossibly large") }
        guard count == 0 || count - 1 <= max(lastIndex - offset, 1 << 24) else {
            throw WeightError(reason: "size \(size) with stride \(stride) repeats its storage into \(count) elements (refused above 2^24)")
        }
        return try storage(key) { bytes in
            guard bytes.count >= neededBytes else {
                throw WeightError(reason: "storage \(label) has \(bytes.count) bytes, needs \(neededBytes)")
            }
            return try StridedView(shape: size, stride: stride, offset: offset).gather(bytes, type, bigEndian: bigEndian)
        }
    }

    /// The element type and key of a persistent id `('storage', torch.XStorage, key, location, numel, …)`.
    static func storageReference(_ pid: PickleValue) throws -> (type: ElementType, key: String) {
        guard let fields = pid.elements, fields.count >= 5, fields[0].stringValue == "storage",
              case let .global(_, storageName) = fields[1], let key = fields[2].stringValue else {
            throw WeightError(reason: "persistent id is not ('storage', type, key, location, numel)")
        }
        guard let type = storageTypes[storageName] else {
            throw WeightError(reason: "storage type torch.\(storageName) is not supported (supported: \(storageTypes.keys.sorted().joined(separator: ", ")))")
        }
        return (type, key)
    }
}

/// A strided view of a storage: element (i0, i1, …) lives at offset + Σ ik · stride[k].
struct StridedView {
    var shape: [Int]
    var stride: [Int]
    var offset: Int

    var isContiguous: Bool {
        var expected = 1
        for axis in shape.indices.reversed() where shape[axis] != 1 {
            guard stride[axis] == expected else { return false }
            expected *= shape[axis]
        }
        return true
    }

    /// The view's elements in row-major order as float32 (the caller has checked the bounds).
    func gather(_ storage: UnsafeRawBufferPointer, _ type: ElementType, bigEndian: Bool) throws -> Tensor {
        let count = shape.reduce(1, *)
        if count == 0 { return Tensor(shape: shape, storage: []) }
        if isContiguous {
            return Tensor(shape: shape, storage: try floats(storage, first: offset, count: count, type, bigEndian))
        }
        let span = zip(shape, stride).reduce(1) { $0 + ($1.0 - 1) * $1.1 }
        let source = try floats(storage, first: offset, count: span, type, bigEndian)
        var values = [Float](repeating: 0, count: count)
        var index = [Int](repeating: 0, count: shape.count)
        var position = 0
        for out in 0..<count {
            values[out] = source[position]
            var axis = shape.count - 1
            while axis >= 0 {                                 // odometer: bump the last axis, carry left
                index[axis] += 1
                position += stride[axis]
                if index[axis] < shape[axis] { break }
                position -= stride[axis] * shape[axis]
                index[axis] = 0
                axis -= 1
            }
        }
        return Tensor(shape: shape, storage: values)
    }

    /// Slow obvious reference for `gather`: each element's storage index from its multi-index.
    func gatherReference(_ storage: [Float]) -> [Float] {
        let count = shape.reduce(1, *)
        return (0..<count).map { flat in
            var rest = flat, position = offset
            for axis in shape.indices.reversed() {
                position += (rest % shape[axis]) * stride[axis]
                rest /= shape[axis]
            }
            return storage[position]
        }
    }

    private func floats(_ storage: UnsafeRawBufferPointer, first: Int, count: Int, _ type: ElementType, _ bigEndian: Bool) throws -> [Float] {
        switch ElementDecoder.floats(storage, first: first, count: count, type, bigEndian: bigEndian) {
        case let .success(values): return values
        case let .failure(lossy): throw WeightError(reason: lossy.message)
        }
    }
}
