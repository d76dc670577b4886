// The fast path of fitting: the 25 BODY_25 keypoints of a body for (θ, β) and their exact
// derivatives ∂/∂θ (72) and ∂/∂β (10), touching only the joints and the few vertices the
// keypoints use. Rotation derivatives use world axes: for a point carried by joint k's subtree,
// ∂X/∂θ_{k,i} = W_{k,i} × (X − t_k) with W_{k,i} = R_parent(k) · vee(∂R_k/∂θᵢ · R_kᵀ); pose blend
// shapes and β enter through the vertex and joint positions. `BodyModel.posed` is the reference.

public struct KeypointEvaluator: Sendable {
    /// Derivative slots: θ (72) then β (10).
    public static let parameterCount = SMPLSkeleton.poseCount + SMPLSkeleton.shapeCount

    struct VertexData: Sendable {
        var template: SIMD3<Double>
        var shapeDirections: [SIMD3<Double>]     // 10
        var poseDirections: [SIMD3<Double>]      // 207, or empty
        var skinning: [Weighted]
    }

    let keypointTerms: [[KeypointTerm]]
    /// For `.vertex` terms: index into `vertices`.
    let vertexSlot: [Int: Int]
    let vertices: [VertexData]
    let restJoints0: [SIMD3<Double>]
    /// ∂J_j/∂β_b, [j][b].
    let jointShapeDirections: [[SIMD3<Double>]]
    /// Per keypoint, the θ joints that can move it (ancestors of every point it uses), sorted.
    public let movingJoints: [[Int]]
    let parents = SMPLSkeleton.parents

    public init(body: BodyModel) {
        keypointTerms = body.keypoints
        var slot: [Int: Int] = [:]
        var vertices: [VertexData] = []
        for terms in body.keypoints {
            for term in terms {
                guard case let .vertex(v) = term.point, slot[v] == nil else { continue }
                slot[v] = vertices.count
                let pose: [SIMD3<Double>] = body.hasPoseBlendShapes ? (0..<SMPLSkeleton.poseFeatureCount).map { f in
                    SIMD3((0..<3).map { Double(body.poseDirections[(3 * v + $0) * SMPLSkeleton.poseFeatureCount + f]) })
                } : []
                vertices.append(VertexData(template: body.templateVertex(v),
                                           shapeDirections: (0..<SMPLSkeleton.shapeCount).map { body.shapeDirection(v, $0) },
                                           poseDirections: pose, skinning: body.skinning[v]))
            }
        }
        vertexSlot = slot
        self.vertices = vertices
        restJoints0 = body.restJoints(shape: [Double](repeating: 0, count: SMPLSkeleton.shapeCount))
        jointShapeDirections = body.jointRegressor.map { row in
            (0..<SMPLSkeleton.shapeCount).map { b in
                row.reduce(SIMD3<Double>(0, 0, 0)) { $0 + $1.weight * body.shapeDirection($1.index, b) }
            }
        }
        movingJoints = body.keypoints.map { terms in
            var joints = Set<Int>()
            for term in terms {
                let owners: [Int]
                switch term.point {
                case let .joint(j): owners = [j]
                case let .vertex(v): owners = body.skinning[v].map(\.index)
                }
                if case .vertex = term.point, body.hasPoseBlendShapes {
                    // Pose blend shapes let every joint's rotation move a vertex.
                    joints.formUnion(0..<SMPLSkeleton.jointCount)
                }
                for owner in owners {
                    // A joint point is not moved by its own rotation; a vertex is.
                    var k = term.point == .joint(owner) ? SMPLSkeleton.parents[owner] : owner
                    while k >= 0 {
                        joints.insert(k)
                        k = SMPLSkeleton.parents[k]
                    }
                }
            }
            return joints.sorted()
        }
    }

    /// Keypoints and, when asked, their derivatives.
    public struct Result: Sendable {
        /// 25 keypoints in the model frame.
        public var keypoints: [SIMD3<Double>]
        /// `derivatives[k * parameterCount + p]` = ∂keypoint_k/∂parameter_p (θ 0…71, β 72…81); empty when not asked.
        public var derivatives: [SIMD3<Double>]
    }

    /// - Parameters: pose: θ (72); shape: β (10).
    public func evaluate(pose: [Double], shape: [Double], derivatives wanted: Bool) -> Result {
        precondition(pose.count == 72 && shape.count == 10, "θ needs 72 values and β 10, got \(pose.count) and \(shape.count)")
        let nJ = SMPLSkeleton.jointCount, nB = SMPLSkeleton.shapeCount, nP = Self.parameterCount
        // Shaped rest joints.
        var joints = restJoints0
        for j in 0..<nJ {
            for b in 0..<nB where shape[b] != 0 { joints[j] += shape[b] * jointShapeDirections[j][b] }
        }
        // Local rotations, global chain.
        var local = [Mat3](repeating: .identity, count: nJ)
        var globalR = [Mat3](repeating: .identity, count: nJ)
        var globalT = [SIMD3<Double>](repeating: .zero, count: nJ)
        for j in 0..<nJ {
            local[j] = Rodrigues.matrix(SIMD3(pose[3 * j], pose[3 * j + 1], pose[3 * j + 2]))
            let p = parents[j]
            if p < 0 {
                globalR[j] = local[j]
                globalT[j] = joints[j]
            } else {
                globalR[j] = globalR[p] * local[j]
                globalT[j] = globalR[p] * (joints[j] - joints[p]) + globalT[p]
            }
        }
        // World rotation axes W[3k + i], ∂t_j/∂β_b and the pose features' derivative blocks.
        var axes = [SIMD3<Double>](repeating: .zero, count: 3 * nJ)
        var localDerivatives = [Mat3](repeating: .zero, count: 3 * nJ)
        var translationShape = [SIMD3<Double>](repeating: .zero, count: nJ * nB)
        if wanted {
            for k in 0..<nJ {
                let theta = SIMD3(pose[3 * k], pose[3 * k + 1], pose[3 * k + 2])
                let parentR = parents[k] < 0 ? Mat3.identity : globalR[parents[k]]
                let rt = local[k].transposed
                for i in 0..<3 {
                    let d = Rodrigues.derivative(theta, i)
                    localDerivatives[3 * k + i] = d
                    axes[3 * k + i] = parentR * (d * rt).vee
                }
                let p = parents[k]
                for b in 0..<nB {
                    translationShape[k * nB + b] = p < 0
                        ? jointShapeDirections[k][b]
                        : translationShape[p * nB + b] + globalR[p] * (jointShapeDirections[k][b] - jointShapeDirections[p][b])
                }
            }
        }
        var keypoints = [SIMD3<Double>](repeating: .zero, count: 25)
        var out = wanted ? [SIMD3<Double>](repeating: .zero, count: 25 * nP) : []
        for (k, terms) in keypointTerms.enumerated() {
            for term in terms {
                let w = term.weight
                switch term.point {
                case let .joint(j):
                    keypoints[k] += w * globalT[j]
                    guard wanted else { continue }
                    var a = parents[j]
                    while a >= 0 {
                        let lever = globalT[j] - globalT[a]
                        for i in 0..<3 { out[k * nP + 3 * a + i] += w * cross(axes[3 * a + i], lever) }
                        a = parents[a]
                    }
                    for b in 0..<nB { out[k * nP + 72 + b] += w * translationShape[j * nB + b] }
                case let .vertex(v):
                    let data = vertices[vertexSlot[v]!]
                    var shaped = data.template
                    for b in 0..<nB where shape[b] != 0 { shaped += shape[b] * data.shapeDirections[b] }
                    var posedRest = shaped
                    if !data.poseDirections.isEmpty {
                        for j in 1..<nJ {
                            posedRest += Self.contract(local[j] - Mat3.identity, data.poseDirections, 9 * (j - 1))
                        }
                    }
                    var blendedR = Mat3.zero
                    for s in data.skinning {
                        let j = s.index
                        let x = globalR[j] * (posedRest - joints[j]) + globalT[j]
                        keypoints[k] += w * s.weight * x
                        guard wanted else { continue }
                        blendedR = blendedR + s.weight * globalR[j]
                        var a = j
                        while a >= 0 {
                            let lever = x - globalT[a]
                            for i in 0..<3 { out[k * nP + 3 * a + i] += (w * s.weight) * cross(axes[3 * a + i], lever) }
                            a = parents[a]
                        }
                        for b in 0..<nB {
                            out[k * nP + 72 + b] += (w * s.weight) * (globalR[j] * (data.shapeDirections[b] - jointShapeDirections[j][b]) + translationShape[j * nB + b])
                        }
                    }
                    guard wanted, !data.poseDirections.isEmpty else { continue }
                    // Pose blend shapes: ∂v_posed/∂θ_{j,i} = Σ_e ∂R_j[e]/∂θ_i · posedirs[:, 9(j−1) + e].
                    for j in 1..<nJ {
                        for i in 0..<3 {
                            let dv = Self.contract(localDerivatives[3 * j + i], data.poseDirections, 9 * (j - 1))
                            out[k * nP + 3 * j + i] += w * (blendedR * dv)
                        }
                    }
                }
            }
        }
        return Result(keypoints: keypoints, derivatives: out)
    }

    /// Σ_e m[e] · directions[base + e] over the 9 entries of m, row-major.
    @inline(__always) static func contract(_ m: Mat3, _ directions: [SIMD3<Double>], _ base: Int) -> SIMD3<Double> {
        var sum: SIMD3<Double> = m.r0.x * directions[base]
        sum += m.r0.y * directions[base + 1]
        sum += m.r0.z * directions[base + 2]
        sum += m.r1.x * directions[base + 3]
        sum += m.r1.y * directions[base + 4]
        sum += m.r1.z * directions[base + 5]
        sum += m.r2.x * directions[base + 6]
        sum += m.r2.y * directions[base + 7]
        sum += m.r2.z * directions[base + 8]
        return sum
    }
}
