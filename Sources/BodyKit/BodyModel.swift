// The one body-model interface: a mesh with SMPL's 24-joint contract. Everything a body needs to
// be posed by θ (72) and shaped by β (10) is data here — template, faces, shape and pose blend
// shapes, a sparse joint regressor, sparse skinning weights and the BODY_25 keypoints as sparse
// combinations of posed joints and vertices. SMPL files and the built-in body both produce one.
// Units: metres-like, canonical frame Y up, facing +Z, the subject's left at +X.

/// One entry of a sparse row: an index (vertex or joint) and its weight.
public struct Weighted: Hashable, Sendable {
    public var index: Int
    public var weight: Double
    public init(_ index: Int, _ weight: Double) {
        self.index = index
        self.weight = weight
    }
}

/// Which body a fit used; stored with a project.
public enum BodyKind: Hashable, Sendable, CustomStringConvertible {
    /// posestudio's own procedural stand-in body (the default).
    case builtin
    /// A SMPL model file the user supplied.
    case smpl(path: String)

    public var description: String {
        switch self {
        case .builtin: "builtin"
        case let .smpl(path): "SMPL model \(path)"
        }
    }
}

/// A point a keypoint is made of: a posed joint (translation of its kinematic transform) or a
/// posed (skinned) vertex.
public enum BodyPoint: Hashable, Sendable {
    case joint(Int)
    case vertex(Int)
}

/// One term of a keypoint: weight × point. A keypoint is the sum of its terms (weights sum to 1).
public struct KeypointTerm: Hashable, Sendable {
    public var point: BodyPoint
    public var weight: Double
    public init(_ point: BodyPoint, _ weight: Double = 1) {
        self.point = point
        self.weight = weight
    }
}

/// A model file or generated body that does not satisfy the contract.
public enum BodyModelError: Error, Equatable, CustomStringConvertible {
    /// `field` is the model file's key (or the builder's field); `why` says what is wrong.
    case invalid(source: String, field: String, why: String)
    case unreadable(source: String, why: String)

    public var description: String {
        switch self {
        case let .invalid(source, field, why): "\(source): \(field): \(why)"
        case let .unreadable(source, why): "\(source): \(why)"
        }
    }
}

public struct BodyModel: Sendable {
    public let kind: BodyKind
    /// Number of vertices V.
    public let vertexCount: Int
    /// Rest (template) vertices, V × 3 flat.
    public let template: [Double]
    /// Triangles, F × 3 flat, wound counter-clockwise seen from outside.
    public let faces: [Int32]
    /// Shape blend shapes, (V, 3, 10) flat: entry `(3 * v + axis) * 10 + b`.
    public let shapeDirections: [Double]
    /// Pose blend shapes, (V, 3, 207) flat, or empty for a body without them.
    public let poseDirections: [Float]
    /// 24 sparse rows: joint j = Σ weight · shaped vertex.
    public let jointRegressor: [[Weighted]]
    /// V sparse rows over the 24 joints, each summing to 1.
    public let skinning: [[Weighted]]
    /// The 25 BODY_25 keypoints (OpenPose order) as combinations of posed joints and vertices.
    public let keypoints: [[KeypointTerm]]

    public var faceCount: Int { faces.count / 3 }
    public var hasPoseBlendShapes: Bool { !poseDirections.isEmpty }

    /// Checks every array against the contract.
    /// - Throws: `BodyModelError.invalid` naming the field (`source` names the file or builder).
    public init(kind: BodyKind, source: String, template: [Double], faces: [Int32], shapeDirections: [Double],
                poseDirections: [Float], jointRegressor: [[Weighted]], skinning: [[Weighted]],
                keypoints: [[KeypointTerm]]) throws(BodyModelError) {
        func invalid(_ field: String, _ why: String) -> BodyModelError { .invalid(source: source, field: field, why: why) }
        guard template.count % 3 == 0, template.count >= 3 else {
            throw invalid("v_template", "needs shape (V, 3), has \(template.count) values")
        }
        let v = template.count / 3
        guard template.allSatisfy(\.isFinite) else { throw invalid("v_template", "has a non-finite value") }
        guard faces.count % 3 == 0, !faces.isEmpty else { throw invalid("f", "needs shape (F, 3), has \(faces.count) values") }
        if let bad = faces.first(where: { $0 < 0 || Int($0) >= v }) {
            throw invalid("f", "vertex index \(bad) is outside 0…\(v - 1)")
        }
        guard shapeDirections.count == v * 3 * SMPLSkeleton.shapeCount else {
            throw invalid("shapedirs", "needs shape (\(v), 3, \(SMPLSkeleton.shapeCount)), has \(shapeDirections.count) values")
        }
        guard shapeDirections.allSatisfy(\.isFinite) else { throw invalid("shapedirs", "has a non-finite value") }
        guard poseDirections.isEmpty || poseDirections.count == v * 3 * SMPLSkeleton.poseFeatureCount else {
            throw invalid("posedirs", "needs shape (\(v), 3, \(SMPLSkeleton.poseFeatureCount)), has \(poseDirections.count) values")
        }
        guard poseDirections.allSatisfy(\.isFinite) else { throw invalid("posedirs", "has a non-finite value") }
        guard jointRegressor.count == SMPLSkeleton.jointCount else {
            throw invalid("J_regressor", "needs \(SMPLSkeleton.jointCount) rows, has \(jointRegressor.count)")
        }
        for (j, row) in jointRegressor.enumerated() {
            guard !row.isEmpty, row.allSatisfy({ (0..<v).contains($0.index) && $0.weight.isFinite }) else {
                throw invalid("J_regressor", "row \(j) is empty or refers to a vertex outside 0…\(v - 1)")
            }
        }
        guard skinning.count == v else { throw invalid("weights", "needs \(v) rows, has \(skinning.count)") }
        for (i, row) in skinning.enumerated() {
            let total = row.reduce(0) { $0 + $1.weight }
            guard row.allSatisfy({ (0..<SMPLSkeleton.jointCount).contains($0.index) && $0.weight.isFinite }),
                  abs(total - 1) < 1e-3 else {
                throw invalid("weights", "row \(i) must hold weights over joints 0…23 summing to 1 (sum \(total))")
            }
        }
        guard keypoints.count == 25 else { throw invalid("keypoints", "needs 25 BODY_25 keypoints, has \(keypoints.count)") }
        for (k, terms) in keypoints.enumerated() {
            for term in terms {
                switch term.point {
                case let .joint(j) where !(0..<SMPLSkeleton.jointCount).contains(j),
                     let .vertex(j) where !(0..<v).contains(j):
                    throw invalid("keypoints", "keypoint \(k) refers to \(term.point), which does not exist")
                default: break
                }
            }
            guard abs(terms.reduce(0) { $0 + $1.weight } - 1) < 1e-9 else {
                throw invalid("keypoints", "keypoint \(k): weights must sum to 1")
            }
        }
        self.kind = kind
        self.vertexCount = v
        self.template = template
        self.faces = faces
        self.shapeDirections = shapeDirections
        self.poseDirections = poseDirections
        self.jointRegressor = jointRegressor
        self.skinning = skinning
        self.keypoints = keypoints
    }

    @inline(__always) func templateVertex(_ i: Int) -> SIMD3<Double> {
        SIMD3(template[3 * i], template[3 * i + 1], template[3 * i + 2])
    }

    /// v_template + Σ βᵢ·shapedirs[:, :, i] for one vertex.
    @inline(__always) func shapedVertex(_ i: Int, shape: [Double]) -> SIMD3<Double> {
        var p = templateVertex(i)
        for axis in 0..<3 {
            let base = (3 * i + axis) * SMPLSkeleton.shapeCount
            var sum = 0.0
            for b in 0..<SMPLSkeleton.shapeCount { sum += shape[b] * shapeDirections[base + b] }
            p[axis] += sum
        }
        return p
    }

    /// ∂(shaped vertex i)/∂β_b.
    @inline(__always) func shapeDirection(_ i: Int, _ b: Int) -> SIMD3<Double> {
        SIMD3(shapeDirections[(3 * i) * 10 + b], shapeDirections[(3 * i + 1) * 10 + b], shapeDirections[(3 * i + 2) * 10 + b])
    }
}
