// Reading a user's SMPL model file into a BodyModel: HMR's `smpl_model.pkl`, the common
// `SMPL_NEUTRAL.pkl` (Python 2 pickles: dense ndarrays, chumpy `Ch` objects whose value is the
// ndarray in their state's `x`, scipy `csc_matrix`/`csr_matrix` J_regressor) and `.npz` archives.
// Keys read: v_template (V,3), f (F,3), shapedirs (V,3,≥10; the first 10 used), posedirs
// (V,3,207), J_regressor (24,V), weights (V,24), kintree_table (2,24; must be SMPL's tree).
// BODY_25 keypoints: Neck = mid-shoulders, MidHip = mid-hips and the limbs at SMPL's joints (as for
// the built-in body); nose, eyes, ears, toes and heels at the standard SMPL vertices (SPIN/smplx:
// 332, 6260, 2800, 4071, 583, 3216, 3226, 3387, 6617, 6624, 6787) when V = 6890, else at the head,
// foot and ankle joints (meshes that are not SMPL's topology have no standard vertices).
import Foundation
import TensorEngine

public enum SMPLFile {
    /// SMPL's vertex count; the standard keypoint vertices exist only on this topology.
    static let smplVertexCount = 6890
    /// BODY_25 index → standard SMPL vertex (smplx `vertex_ids["smplh"]`).
    static let keypointVertices: [Int: Int] = [
        0: 332, 15: 6260, 16: 2800, 17: 4071, 18: 583,
        19: 3216, 20: 3226, 21: 3387, 22: 6617, 23: 6624, 24: 6787,
    ]
    /// BODY_25 index → joint, for meshes without SMPL's topology.
    static let keypointFallbackJoints: [Int: Int] = {
        typealias J = SMPLSkeleton.J
        return [0: J.head, 15: J.head, 16: J.head, 17: J.head, 18: J.head,
                19: J.leftFoot, 20: J.leftFoot, 21: J.leftAnkle, 22: J.rightFoot, 23: J.rightFoot, 24: J.rightAnkle]
    }()

    /// Loads `path` (.pkl or .npz, by content).
    /// - Throws: `BodyModelError.unreadable` (not a pickle/npz, damaged), `.invalid` naming the
    ///   key that is missing or has the wrong shape.
    public static func load(path: String) throws(BodyModelError) -> BodyModel {
        let arrays: [String: NumPyArray]
        do {
            guard let data = FileManager.default.contents(atPath: path) else {
                throw BodyModelError.unreadable(source: path, why: "cannot read the file")
            }
            let bytes = [UInt8](data)
            if bytes.starts(with: [0x50, 0x4B]) {
                arrays = try NumPy.readArchive(contentsOf: URL(fileURLWithPath: path))
            } else if bytes.first == 0x80 || bytes.first == UInt8(ascii: "(") || bytes.first == UInt8(ascii: "}") {
                arrays = try arraysOfPickle(try Pickle.load(bytes), path: path)
            } else {
                throw BodyModelError.unreadable(source: path, why: "not a SMPL model file (neither a Python pickle nor an .npz archive)")
            }
        } catch let error as BodyModelError {
            throw error
        } catch {
            throw .unreadable(source: path, why: "cannot read it as a SMPL model file: \(error)")
        }
        return try model(arrays, path: path)
    }

    // MARK: pickles

    /// The model dict's arrays; sparse matrices become dense.
    static func arraysOfPickle(_ root: PickleValue, path: String) throws -> [String: NumPyArray] {
        guard let entries = root.entries else {
            throw BodyModelError.unreadable(source: path, why: "the pickle holds a \(root.kindName), not the SMPL model dict")
        }
        var arrays: [String: NumPyArray] = [:]
        for entry in entries {
            guard let key = entry.key.stringValue, wanted.contains(key) else { continue }
            do {
                arrays[key] = try array(entry.value)
            } catch {
                throw BodyModelError.invalid(source: path, field: key, why: "\(error)")
            }
        }
        return arrays
    }

    static let wanted: Set<String> = ["v_template", "f", "shapedirs", "posedirs", "J_regressor", "weights", "kintree_table"]

    /// An ndarray, a chumpy object (its `x`), or a scipy sparse matrix (made dense).
    static func array(_ value: PickleValue) throws -> NumPyArray {
        if NumPy.isArray(value) { return try NumPy.array(fromPickle: value) }
        guard let object = value.object else { throw WeightError(reason: "a \(value.kindName) is not an array") }
        var className = object.className ?? ""
        if className.hasSuffix("_reconstructor"), let cls = object.arguments.first?.globalName { className = cls }
        var state = object.state
        if case let .tuple(parts)? = state, let first = parts.first { state = first }   // (dict, slots)
        if className.hasPrefix("chumpy") {
            guard let x = state?["x"] else { throw WeightError(reason: "chumpy \(className) has no stored value (x)") }
            return try array(x)
        }
        if className.hasPrefix("scipy.sparse") {
            return try dense(sparse: state, className: className)
        }
        throw WeightError(reason: "a \(className) object is not an array, chumpy value or scipy sparse matrix")
    }

    /// A scipy `csc_matrix` / `csr_matrix` state (`_shape`, `data`, `indices`, `indptr`) as a dense array.
    static func dense(sparse state: PickleValue?, className: String) throws -> NumPyArray {
        guard let state, let shapeValue = state["_shape"]?.elements, shapeValue.count == 2,
              let rows = shapeValue[0].intValue, let columns = shapeValue[1].intValue,
              let dataValue = state["data"], let indicesValue = state["indices"], let pointersValue = state["indptr"] else {
            throw WeightError(reason: "\(className) state lacks _shape, data, indices or indptr")
        }
        let format = state["format"]?.stringValue ?? (className.contains("csr") ? "csr" : "csc")
        guard format == "csc" || format == "csr" else { throw WeightError(reason: "\(format) sparse matrices are not supported (csc or csr)") }
        let data = try array(dataValue).doubles()
        let indices = try array(indicesValue).integers()
        let pointers = try array(pointersValue).integers()
        let outer = format == "csc" ? columns : rows, inner = format == "csc" ? rows : columns
        guard rows >= 0, columns >= 0, rows * columns <= 1 << 28, pointers.count == outer + 1, data.count == indices.count,
              pointers.first == 0, pointers.last == data.count, zip(pointers, pointers.dropFirst()).allSatisfy({ $0 <= $1 }),
              indices.allSatisfy({ (0..<inner).contains($0) }) else {
            throw WeightError(reason: "\(className) (\(rows)×\(columns)) has inconsistent data, indices and indptr")
        }
        var dense = [Double](repeating: 0, count: rows * columns)
        for o in 0..<outer {
            for k in pointers[o]..<pointers[o + 1] {
                let (r, c) = format == "csc" ? (indices[k], o) : (o, indices[k])
                dense[r * columns + c] += data[k]
            }
        }
        return NumPyArray(shape: [rows, columns], doubles: dense)
    }

    // MARK: the model

    static func model(_ arrays: [String: NumPyArray], path: String) throws(BodyModelError) -> BodyModel {
        func invalid(_ key: String, _ why: String) -> BodyModelError { .invalid(source: path, field: key, why: why) }
        func get(_ key: String) throws(BodyModelError) -> NumPyArray {
            guard let array = arrays[key] else { throw invalid(key, "missing (a SMPL model file has v_template, f, shapedirs, posedirs, J_regressor, weights, kintree_table)") }
            return array
        }
        func shaped(_ key: String, _ expected: [Int?]) throws(BodyModelError) -> NumPyArray {
            let array = try get(key)
            let matches = array.shape.count == expected.count && zip(array.shape, expected).allSatisfy { $1 == nil || $0 == $1! }
            guard matches else {
                let text = expected.map { $0.map(String.init) ?? "·" }.joined(separator: ", ")
                throw invalid(key, "has shape \(array.shape), needs (\(text))")
            }
            return array
        }
        let template = try shaped("v_template", [nil, 3])
        let v = template.shape[0]
        guard v > 0 else { throw invalid("v_template", "has no vertices") }
        let faces = try shaped("f", [nil, 3])
        let shapeDirs = try shaped("shapedirs", [v, 3, nil])
        guard shapeDirs.shape[2] >= SMPLSkeleton.shapeCount else {
            throw invalid("shapedirs", "has \(shapeDirs.shape[2]) shape components, needs at least \(SMPLSkeleton.shapeCount)")
        }
        let poseDirs = try shaped("posedirs", [v, 3, SMPLSkeleton.poseFeatureCount])
        let regressor = try shaped("J_regressor", [SMPLSkeleton.jointCount, v])
        let weights = try shaped("weights", [v, SMPLSkeleton.jointCount])
        let tree = try shaped("kintree_table", [2, SMPLSkeleton.jointCount])
        let parents: [Int]
        do { parents = Array(try tree.integers().prefix(SMPLSkeleton.jointCount)) } catch {
            throw invalid("kintree_table", "is not an integer array")
        }
        // Row 0 holds the parents; the root's is any "none" marker (−1 or 2³²−1).
        guard parents.dropFirst().elementsEqual(SMPLSkeleton.parents.dropFirst()) else {
            throw invalid("kintree_table", "parents \(parents.dropFirst()) are not SMPL's 24-joint tree")
        }
        let faceIndices: [Int32]
        do { faceIndices = try faces.integers().map { Int32(clamping: $0) } } catch { throw invalid("f", "is not an integer array") }

        let k = shapeDirs.shape[2]
        let allShape = shapeDirs.doubles()
        var shapeDirections = [Double](repeating: 0, count: v * 3 * SMPLSkeleton.shapeCount)
        for row in 0..<(v * 3) {
            for b in 0..<SMPLSkeleton.shapeCount { shapeDirections[row * SMPLSkeleton.shapeCount + b] = allShape[row * k + b] }
        }
        let regressorValues = regressor.doubles()
        let jointRegressor = (0..<SMPLSkeleton.jointCount).map { j in
            (0..<v).compactMap { i in regressorValues[j * v + i] != 0 ? Weighted(i, regressorValues[j * v + i]) : nil }
        }
        let weightValues = weights.doubles()
        let skinning = (0..<v).map { i in
            (0..<SMPLSkeleton.jointCount).compactMap { j in weightValues[i * 24 + j] != 0 ? Weighted(j, weightValues[i * 24 + j]) : nil }
        }
        let keypoints = (0..<25).map { index -> [KeypointTerm] in
            if let terms = BuiltinBody.keypointJoints[index] { return terms }
            if v == smplVertexCount, let vertex = keypointVertices[index] { return [KeypointTerm(.vertex(vertex))] }
            return [KeypointTerm(.joint(keypointFallbackJoints[index]!))]
        }
        return try BodyModel(kind: .smpl(path: path), source: path, template: template.doubles(), faces: faceIndices,
                             shapeDirections: shapeDirections, poseDirections: poseDirs.doubles().map { Float($0) },
                             jointRegressor: jointRegressor, skinning: skinning, keypoints: keypoints)
    }
}
