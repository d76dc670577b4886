// TorchLegacy: the pre-1.6 `torch.save` format (still written with
// `_use_new_zipfile_serialization=False`): five pickles back to back — magic number
// 0x1950a86a20f9469cfc6c, protocol version 1001, sys_info, the object (storages as persistent ids
// ('storage', torch.XStorage, key, location, numel, view_metadata)), the sorted storage keys —
// then each storage in that order as an int64 element count and its raw bytes.

enum TorchLegacy {
    /// 0x1950a86a20f9469cfc6c as LONG1 bytes (little-endian).
    static let magic: [UInt8] = [0x6C, 0xFC, 0x9C, 0x46, 0xF9, 0x20, 0x6A, 0xA8, 0x50, 0x19]

    static func parse(_ bytes: UnsafeRawBufferPointer) throws -> [String: Tensor] {
        let (magicValue, afterMagic) = try Pickle.load(bytes, from: 0)
        guard case let .bigInt(number) = magicValue, number == magic else {
            throw WeightError.at(0, "a pickle, but not a torch.save file (no legacy magic number; a zip checkpoint would start with PK)")
        }
        let (version, afterVersion) = try Pickle.load(bytes, from: afterMagic)
        guard version.intValue == 1001 else {
            throw WeightError.at(afterMagic, "legacy torch.save protocol \(version.intValue.map(String.init) ?? version.kindName) is not 1001")
        }
        let (systemInfo, afterInfo) = try Pickle.load(bytes, from: afterVersion)
        let bigEndian = systemInfo["little_endian"]?.boolValue == false
        let objectStart = afterInfo
        let (root, afterObject) = try within("pickled object at byte \(objectStart)") {
            let loaded = try Pickle.load(bytes, from: objectStart)
            try TorchCheckpoint.checkGlobals(loaded.value)
            return loaded
        }
        let (keyList, afterKeys) = try Pickle.load(bytes, from: afterObject)
        guard let keyValues = keyList.elements, case let keys = keyValues.compactMap(\.stringValue), keys.count == keyValues.count else {
            throw WeightError.at(afterObject, "the storage key list is not a list of strings")
        }

        var types: [String: ElementType] = [:]
        try collectStorageTypes(root, into: &types)
        var spans: [String: Range<Int>] = [:]
        var cursor = ByteCursor(bytes, at: afterKeys)
        for key in keys {
            try within("storage \(key)") {
                guard let type = types[key] else { throw WeightError(reason: "is listed but no tensor uses it") }
                let start = cursor.position
                let count = try checkedSize(try cursor.u64("the element count"), "element count", at: start)
                let (length, overflow) = count.multipliedReportingOverflow(by: type.byteSize)
                guard !overflow else { throw WeightError.at(start, "element count \(count) is impossibly large") }
                try cursor.skip(length, "its \(count) \(type) element(s)")
                spans[key] = (start + 8)..<(start + 8 + length)
            }
        }

        var tensors: [String: Tensor] = [:]
        try TorchCheckpoint.collect(root, key: nil, into: &tensors) { name, value in
            try within("tensor \"\(name)\"") {
                try TorchCheckpoint.rebuild(value, bigEndian: bigEndian, storageLabel: "") { key, body in
                    guard let span = spans[key] else { throw WeightError(reason: "storage \(key) is not in the file's storage list") }
                    return try body(UnsafeRawBufferPointer(rebasing: bytes[span]))
                }
            }
        }
        return tensors
    }

    /// Element type of every storage key referenced by a persistent id; refuses storage views.
    static func collectStorageTypes(_ value: PickleValue, into types: inout [String: ElementType]) throws {
        switch value {
        case let .persistentID(pid):
            let (type, key) = try TorchCheckpoint.storageReference(pid)
            if let fields = pid.elements, fields.count >= 6, case .tuple = fields[5] {
                throw WeightError(reason: "storage \(key) is a view of another storage (pre-1.0 torch.save); not supported")
            }
            types[key] = type
        case let .list(items), let .tuple(items), let .set(items): try items.forEach { try collectStorageTypes($0, into: &types) }
        case let .dict(entries): try entries.forEach { try collectStorageTypes($0.value, into: &types) }
        case let .object(object):
            try object.arguments.forEach { try collectStorageTypes($0, into: &types) }
            try object.dictItems.forEach { try collectStorageTypes($0.value, into: &types) }
            try object.listItems.forEach { try collectStorageTypes($0, into: &types) }
        default: break
        }
    }
}
