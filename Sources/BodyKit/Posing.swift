// The SMPL forward pass, written the obvious way after the reference (batch_smpl.py, meshflow
// README §6.2): shape blend shapes, joints regressed from the shaped unposed mesh, Rodrigues per
// joint, pose blend shapes from (R_j − I) of joints 1…23, the kinematic chain of 4×4 transforms,
// and linear blend skinning that blends the 4×4 matrices first. Float64 throughout. This is both
// the mesh path (renderer, previews) and the reference the fast keypoint evaluator is tested on.

/// A posed body in the model frame (after θ₀: camera-aligned, y down when θ₀ ≈ π about X).
public struct PosedBody: Sendable {
    /// V posed vertices.
    public var vertices: [SIMD3<Double>]
    /// 24 posed joints (translation of each kinematic transform).
    public var joints: [SIMD3<Double>]
    /// 25 BODY_25 keypoints.
    public var keypoints: [SIMD3<Double>]
}

/// A 4×4 rigid transform, row-major, last row (0, 0, 0, 1).
struct Mat4 {
    var m: [Double]
    init(rotation r: Mat3, translation t: SIMD3<Double>) {
        m = [r.r0.x, r.r0.y, r.r0.z, t.x, r.r1.x, r.r1.y, r.r1.z, t.y, r.r2.x, r.r2.y, r.r2.z, t.z, 0, 0, 0, 1]
    }
    init(_ m: [Double]) { self.m = m }
    static func * (a: Mat4, b: Mat4) -> Mat4 {
        var out = [Double](repeating: 0, count: 16)
        for r in 0..<4 {
            for c in 0..<4 {
                var s = 0.0
                for k in 0..<4 { s += a.m[4 * r + k] * b.m[4 * k + c] }
                out[4 * r + c] = s
            }
        }
        return Mat4(out)
    }
    var rotation: Mat3 { Mat3([m[0], m[1], m[2], m[4], m[5], m[6], m[8], m[9], m[10]]) }
    var translation: SIMD3<Double> { SIMD3(m[3], m[7], m[11]) }
    func apply(_ p: SIMD3<Double>) -> SIMD3<Double> {
        SIMD3(m[0] * p.x + m[1] * p.y + m[2] * p.z + m[3],
              m[4] * p.x + m[5] * p.y + m[6] * p.z + m[7],
              m[8] * p.x + m[9] * p.y + m[10] * p.z + m[11])
    }
}

extension BodyModel {
    /// The 24 rest joints of the shaped, unposed mesh: J = J_regressor · v_shaped.
    public func restJoints(shape: [Double]) -> [SIMD3<Double>] {
        precondition(shape.count == SMPLSkeleton.shapeCount, "β needs 10 values, got \(shape.count)")
        return jointRegressor.map { row in
            row.reduce(SIMD3<Double>(0, 0, 0)) { $0 + $1.weight * shapedVertex($1.index, shape: shape) }
        }
    }

    /// The 24 global transforms G_j of the kinematic chain for pose θ (72) and rest joints J.
    func chain(pose: [Double], restJoints joints: [SIMD3<Double>]) -> (rotations: [Mat3], transforms: [Mat4]) {
        precondition(pose.count == SMPLSkeleton.poseCount, "θ needs 72 values, got \(pose.count)")
        let rotations = (0..<SMPLSkeleton.jointCount).map { j in
            Rodrigues.matrix(SIMD3(pose[3 * j], pose[3 * j + 1], pose[3 * j + 2]))
        }
        var transforms: [Mat4] = []
        for j in 0..<SMPLSkeleton.jointCount {
            let parent = SMPLSkeleton.parents[j]
            if parent < 0 {
                transforms.append(Mat4(rotation: rotations[j], translation: joints[j]))
            } else {
                transforms.append(transforms[parent] * Mat4(rotation: rotations[j], translation: joints[j] - joints[parent]))
            }
        }
        return (rotations, transforms)
    }

    /// Poses the whole mesh (and its joints and keypoints).
    /// - Parameters: pose: θ, 72 values; shape: β, 10 values.
    public func posed(pose: [Double], shape: [Double]) -> PosedBody {
        let restJoints = restJoints(shape: shape)
        let (rotations, transforms) = chain(pose: pose, restJoints: restJoints)
        // Pose feature vector p[9(j−1) + 3·row + col] = (R_j − I)[row, col].
        var features = [Double](repeating: 0, count: SMPLSkeleton.poseFeatureCount)
        for j in 1..<SMPLSkeleton.jointCount {
            let entries = (rotations[j] - Mat3.identity).m
            for e in 0..<9 { features[9 * (j - 1) + e] = entries[e] }
        }
        // A_j: G_j with translation t_j − R_j·J_j.
        let skinTransforms = (0..<SMPLSkeleton.jointCount).map { j in
            let g = transforms[j]
            return Mat4(rotation: g.rotation, translation: g.translation - g.rotation * restJoints[j])
        }
        var vertices = [SIMD3<Double>](repeating: .zero, count: vertexCount)
        for i in 0..<vertexCount {
            var p = shapedVertex(i, shape: shape)
            if hasPoseBlendShapes {
                for axis in 0..<3 {
                    let base = (3 * i + axis) * SMPLSkeleton.poseFeatureCount
                    var sum = 0.0
                    for f in 0..<SMPLSkeleton.poseFeatureCount { sum += features[f] * Double(poseDirections[base + f]) }
                    p[axis] += sum
                }
            }
            var blended = [Double](repeating: 0, count: 16)
            for w in skinning[i] {
                for e in 0..<16 { blended[e] += w.weight * skinTransforms[w.index].m[e] }
            }
            vertices[i] = Mat4(blended).apply(p)
        }
        let joints = transforms.map(\.translation)
        return PosedBody(vertices: vertices, joints: joints, keypoints: keypointPositions(vertices: vertices, joints: joints))
    }

    /// The 25 BODY_25 keypoints of posed vertices and joints.
    public func keypointPositions(vertices: [SIMD3<Double>], joints: [SIMD3<Double>]) -> [SIMD3<Double>] {
        keypoints.map { terms in
            terms.reduce(SIMD3<Double>(0, 0, 0)) { sum, term in
                switch term.point {
                case let .joint(j): sum + term.weight * joints[j]
                case let .vertex(v): sum + term.weight * vertices[v]
                }
            }
        }
    }
}
