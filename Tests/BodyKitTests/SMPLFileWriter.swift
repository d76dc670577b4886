// Writes a body's arrays in the layouts of real SMPL model files, for tests only (never real SMPL
// data): a Python 2 protocol-2 pickle as SMPLify's `SMPL_NEUTRAL.pkl` / HMR's `smpl_model.pkl`
// (dense ndarrays, chumpy `Ch` for shapedirs/posedirs, scipy `csc_matrix` J_regressor) and an
// `.npz` (stored zip of .npy entries, dense J_regressor).
import BodyKit
import Foundation

struct SMPLArrays {
    var arrays: [(key: String, shape: [Int], values: [Double], dtype: String)]

    /// The arrays of `body` as a SMPL file holds them; `dropping` leaves a key out, `reshaping`
    /// replaces one key's shape and values.
    init(_ body: BodyModel, dropping: String? = nil, reshaping: (key: String, shape: [Int], values: [Double])? = nil) {
        let v = body.vertexCount
        var regressor = [Double](repeating: 0, count: 24 * v)
        for (j, row) in body.jointRegressor.enumerated() { for w in row { regressor[j * v + w.index] = w.weight } }
        var weights = [Double](repeating: 0, count: v * 24)
        for (i, row) in body.skinning.enumerated() { for w in row { weights[i * 24 + w.index] = w.weight } }
        // SMPL files carry more shape components than posestudio uses: add two of noise.
        var shapedirs: [Double] = []
        for row in 0..<(v * 3) {
            shapedirs += body.shapeDirections[(row * 10)..<(row * 10 + 10)]
            shapedirs += [0.5, -0.25]
        }
        arrays = [
            ("v_template", [v, 3], body.template, "<f8"),
            ("f", [body.faceCount, 3], body.faces.map(Double.init), "<u4"),
            ("shapedirs", [v, 3, 12], shapedirs, "<f8"),
            ("posedirs", [v, 3, 207], body.poseDirections.map(Double.init), "<f8"),
            ("J_regressor", [24, v], regressor, "<f8"),
            ("weights", [v, 24], weights, "<f8"),
            ("kintree_table", [2, 24], [4_294_967_295] + SMPLSkeleton.parents.dropFirst().map(Double.init) + (0..<24).map(Double.init), "<u4"),
        ]
        arrays.removeAll { $0.key == dropping }
        if let reshaping, let i = arrays.firstIndex(where: { $0.key == reshaping.key }) {
            arrays[i].shape = reshaping.shape
            arrays[i].values = reshaping.values
        }
    }

    static func bytes(_ values: [Double], dtype: String) -> [UInt8] {
        switch dtype {
        case "<u4": values.flatMap { withUnsafeBytes(of: UInt32($0).littleEndian, Array.init) }
        case "<i4": values.flatMap { withUnsafeBytes(of: Int32($0).littleEndian, Array.init) }
        default: values.flatMap { withUnsafeBytes(of: $0.bitPattern.littleEndian, Array.init) }
        }
    }

    // MARK: pickle

    func pickle() -> [UInt8] {
        var w = PickleWriter()
        w.bytes += [0x7D, 0x28]                                  // EMPTY_DICT, MARK
        for array in arrays {
            w.string(array.key)
            switch array.key {
            case "shapedirs", "posedirs": w.chumpy { $0.ndarray(array.shape, array.values, array.dtype) }
            case "J_regressor": w.cscMatrix(rows: array.shape[0], columns: array.shape.dropFirst().reduce(1, *), dense: array.values)
            default: w.ndarray(array.shape, array.values, array.dtype)
            }
        }
        w.string("bs_style"); w.string("lbs")
        w.bytes += [0x75, 0x2E]                                  // SETITEMS, STOP
        return w.bytes
    }

    // MARK: npz

    func npz() -> [UInt8] {
        var entries: [(String, [UInt8])] = []
        for array in arrays {
            let shape = array.shape.count == 1 ? "(\(array.shape[0]),)" : "(" + array.shape.map(String.init).joined(separator: ", ") + ")"
            var header = "{'descr': '\(array.dtype)', 'fortran_order': False, 'shape': \(shape), }"
            while (10 + header.utf8.count + 1) % 64 != 0 { header += " " }
            header += "\n"
            let npy = [0x93] + Array("NUMPY".utf8) + [1, 0] + [UInt8(header.utf8.count & 0xFF), UInt8(header.utf8.count >> 8)]
                + Array(header.utf8) + Self.bytes(array.values, dtype: array.dtype)
            entries.append((array.key + ".npy", npy))
        }
        return StoredZip.make(entries)
    }
}

struct PickleWriter {
    var bytes: [UInt8] = [0x80, 0x02]

    mutating func global(_ module: String, _ name: String) { bytes += [0x63] + Array("\(module)\n\(name)\n".utf8) }
    /// A Python 2 str (SHORT_BINSTRING / BINSTRING).
    mutating func string(_ text: String) { raw(Array(text.utf8)) }
    mutating func raw(_ data: [UInt8]) {
        if data.count < 256 { bytes += [0x55, UInt8(data.count)] + data } else { bytes += [0x54] + le32(data.count) + data }
    }
    mutating func int(_ value: Int) { bytes += [0x4A] + le32(value) }
    mutating func le32(_ value: Int) -> [UInt8] { withUnsafeBytes(of: Int32(truncatingIfNeeded: value).littleEndian, Array.init) }
    mutating func tuple(_ items: (inout PickleWriter) -> Void) {
        bytes.append(0x28)                                       // MARK
        items(&self)
        bytes.append(0x74)                                       // TUPLE
    }

    /// numpy.core.multiarray._reconstruct(numpy.ndarray, (0,), 'b') + BUILD (1, shape, dtype, False, data).
    mutating func ndarray(_ shape: [Int], _ values: [Double], _ dtype: String) {
        global("numpy.core.multiarray", "_reconstruct")
        tuple { w in
            w.global("numpy", "ndarray")
            w.tuple { $0.int(0) }
            w.string("b")
        }
        bytes.append(0x52)                                       // REDUCE
        tuple { w in
            w.int(1)
            w.tuple { t in for n in shape { t.int(n) } }
            w.global("numpy", "dtype")
            w.tuple { t in t.string(String(dtype.dropFirst())); t.bytes.append(0x89); t.bytes.append(0x88) }
            w.bytes.append(0x52)
            w.tuple { t in
                t.int(3); t.string("<"); t.bytes += [0x4E, 0x4E, 0x4E]; t.int(-1); t.int(-1); t.int(0)
            }
            w.bytes.append(0x62)                                 // BUILD
            w.bytes.append(0x89)                                 // False (C order)
            w.raw(SMPLArrays.bytes(values, dtype: dtype))
        }
        bytes.append(0x62)                                       // BUILD
    }

    /// copy_reg._reconstructor(cls, object, None) + BUILD state dict.
    mutating func reconstructed(_ module: String, _ name: String, state: (inout PickleWriter) -> Void) {
        global("copy_reg", "_reconstructor")
        tuple { w in
            w.global(module, name)
            w.global("__builtin__", "object")
            w.bytes.append(0x4E)
        }
        bytes.append(0x52)
        bytes += [0x7D, 0x28]
        state(&self)
        bytes += [0x75, 0x62]                                    // SETITEMS, BUILD
    }

    mutating func chumpy(_ value: (inout PickleWriter) -> Void) {
        reconstructed("chumpy.ch", "Ch") { w in
            w.string("x"); value(&w)
            w.string("_itr"); w.bytes.append(0x4E)
        }
    }

    mutating func cscMatrix(rows: Int, columns: Int, dense: [Double]) {
        var data: [Double] = [], indices: [Double] = [], pointers: [Double] = [0]
        for c in 0..<columns {
            for r in 0..<rows where dense[r * columns + c] != 0 {
                data.append(dense[r * columns + c])
                indices.append(Double(r))
            }
            pointers.append(Double(data.count))
        }
        reconstructed("scipy.sparse.csc", "csc_matrix") { w in
            w.string("_shape"); w.tuple { $0.int(rows); $0.int(columns) }
            w.string("data"); w.ndarray([data.count], data, "<f8")
            w.string("indices"); w.ndarray([indices.count], indices, "<i4")
            w.string("indptr"); w.ndarray([pointers.count], pointers, "<i4")
            w.string("format"); w.string("csc")
            w.string("maxprint"); w.int(50)
        }
    }
}

/// A zip archive of stored (uncompressed) entries with CRC-32s, as `np.savez` writes.
enum StoredZip {
    static func crc32(_ bytes: [UInt8]) -> UInt32 {
        var crc: UInt32 = 0xFFFF_FFFF
        for byte in bytes {
            crc ^= UInt32(byte)
            for _ in 0..<8 { crc = crc & 1 != 0 ? (crc >> 1) ^ 0xEDB8_8320 : crc >> 1 }
        }
        return ~crc
    }

    static func make(_ entries: [(String, [UInt8])]) -> [UInt8] {
        func u16(_ v: Int) -> [UInt8] { [UInt8(v & 0xFF), UInt8((v >> 8) & 0xFF)] }
        func u32(_ v: UInt32) -> [UInt8] { withUnsafeBytes(of: v.littleEndian, Array.init) }
        var out: [UInt8] = [], directory: [UInt8] = []
        for (name, data) in entries {
            let offset = UInt32(out.count), crc = crc32(data), size = UInt32(data.count), nameBytes = Array(name.utf8)
            out += u32(0x0403_4B50) + u16(20) + u16(0) + u16(0) + u16(0) + u16(0) + u32(crc) + u32(size) + u32(size)
                + u16(nameBytes.count) + u16(0) + nameBytes + data
            directory += u32(0x0201_4B50) + u16(20) + u16(20) + u16(0) + u16(0) + u16(0) + u16(0) + u32(crc) + u32(size) + u32(size)
                + u16(nameBytes.count) + u16(0) + u16(0) + u16(0) + u16(0) + u32(0) + u32(offset) + nameBytes
        }
        let start = UInt32(out.count)
        out += directory
        out += u32(0x0605_4B50) + u16(0) + u16(0) + u16(entries.count) + u16(entries.count) + u32(UInt32(directory.count)) + u32(start) + u16(0)
        return out
    }
}
