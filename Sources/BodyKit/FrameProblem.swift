// One frame's least-squares problem: unknowns x = [θ (72), s, tx, ty] with β fixed. Residuals
// (in this order): per observed keypoint √(c·w)·(projection − observation) in crop pixels, with
// w the Geman–McClure IRLS weight frozen at the linearisation point; the pose prior; the hinge
// limits; smoothness towards each neighbour's θ and camera. `residuals`/`jacobian` are the
// obvious dense reference; `normalEquations` is the fast path the solver uses (sparse columns).

/// A keypoint seen in a frame, in pixels of the frame's 256 crop.
public struct Observation: Hashable, Sendable {
    public var joint: Int
    public var point: SIMD2<Double>
    public var confidence: Double
    public init(joint: Int, point: SIMD2<Double>, confidence: Double) {
        self.joint = joint
        self.point = point
        self.confidence = confidence
    }
}

/// A neighbouring frame's solution, its camera already expressed in this frame's crop.
struct Neighbour {
    var pose: [Double]
    var camera: WeakPerspectiveCamera
}

struct FrameProblem {
    static let unknowns = 75
    let evaluator: KeypointEvaluator
    let settings: FitSettings
    let shape: [Double]
    let observations: [Observation]
    let neighbours: [Neighbour]
    /// Geman–McClure scale of this stage.
    let sigma: Double

    static let half = Double(CropBox.resolution) / 2

    func projections(_ x: [Double], _ keypoints: [SIMD3<Double>]) -> [SIMD2<Double>] {
        let camera = WeakPerspectiveCamera(s: x[72], tx: x[73], ty: x[74])
        return keypoints.map { camera.cropPixel($0) }
    }

    /// Reprojection errors (crop pixels) of each observation.
    func errors(_ x: [Double]) -> [Double] {
        let projected = projections(x, evaluator.evaluate(pose: Array(x[0..<72]), shape: shape, derivatives: false).keypoints)
        return observations.map { o in
            let d = projected[o.joint] - o.point
            return (d * d).sum().squareRoot()
        }
    }

    /// IRLS weights ρ'(e)/(2e) = σ⁴/(σ² + e²)².
    func robustWeights(errors: [Double]) -> [Double] {
        let s2 = sigma * sigma
        return errors.map { e in s2 * s2 / ((s2 + e * e) * (s2 + e * e)) }
    }

    /// The true energy: Σ c·ρ(e) + the squared prior and smoothness residuals.
    func cost(_ x: [Double]) -> Double {
        let s2 = sigma * sigma
        var total = 0.0
        for (o, e) in zip(observations, errors(x)) { total += o.confidence * s2 * e * e / (s2 + e * e) }
        for r in priorResiduals(x) { total += r * r }
        return total
    }

    /// Prior, hinge and smoothness residuals (everything but the data term).
    func priorResiduals(_ x: [Double]) -> [Double] {
        var r: [Double] = []
        for p in 3..<72 { r.append(settings.poseWeights[p] * x[p]) }
        for hinge in FitSettings.hinges {
            r.append(settings.hingeWeight * min(0, hinge.sign * x[3 * hinge.joint + hinge.axis]))
        }
        for n in neighbours {
            for p in 0..<72 { r.append(settings.smoothPose * (x[p] - n.pose[p])) }
            r.append(settings.smoothScale * (x[72] - n.camera.s) / n.camera.s)
            r.append(settings.smoothTranslation * (x[73] - n.camera.tx))
            r.append(settings.smoothTranslation * (x[74] - n.camera.ty))
        }
        return r
    }

    // MARK: reference (dense)

    /// All residuals, data rows weighted by `weights` (one per observation).
    func residuals(_ x: [Double], weights: [Double]) -> [Double] {
        let projected = projections(x, evaluator.evaluate(pose: Array(x[0..<72]), shape: shape, derivatives: false).keypoints)
        var r: [Double] = []
        for (o, w) in zip(observations, weights) {
            let d = projected[o.joint] - o.point
            let f = (o.confidence * w).squareRoot()
            r += [f * d.x, f * d.y]
        }
        return r + priorResiduals(x)
    }

    /// The analytic Jacobian of `residuals`, rows × 75, row-major.
    func jacobian(_ x: [Double], weights: [Double]) -> [[Double]] {
        let eval = evaluator.evaluate(pose: Array(x[0..<72]), shape: shape, derivatives: true)
        let (s, tx, ty) = (x[72], x[73], x[74])
        let nP = KeypointEvaluator.parameterCount
        var rows: [[Double]] = []
        for (o, w) in zip(observations, weights) {
            let f = (o.confidence * w).squareRoot()
            let X = eval.keypoints[o.joint]
            var rx = [Double](repeating: 0, count: Self.unknowns), ry = rx
            for p in 0..<72 {
                let d = eval.derivatives[o.joint * nP + p]
                rx[p] = f * Self.half * s * d.x
                ry[p] = f * Self.half * s * d.y
            }
            rx[72] = f * Self.half * (X.x + tx)
            ry[72] = f * Self.half * (X.y + ty)
            rx[73] = f * Self.half * s
            ry[74] = f * Self.half * s
            rows += [rx, ry]
        }
        func unit(_ p: Int, _ value: Double) -> [Double] {
            var row = [Double](repeating: 0, count: Self.unknowns)
            row[p] = value
            return row
        }
        for p in 3..<72 { rows.append(unit(p, settings.poseWeights[p])) }
        for hinge in FitSettings.hinges {
            let p = 3 * hinge.joint + hinge.axis
            rows.append(unit(p, hinge.sign * x[p] < 0 ? settings.hingeWeight * hinge.sign : 0))
        }
        for n in neighbours {
            for p in 0..<72 { rows.append(unit(p, settings.smoothPose)) }
            rows.append(unit(72, settings.smoothScale / n.camera.s))
            rows.append(unit(73, settings.smoothTranslation))
            rows.append(unit(74, settings.smoothTranslation))
        }
        return rows
    }

    // MARK: fast path

    /// Gauss–Newton normal equations H = JᵀJ (75 × 75) and gradient g = Jᵀr at `x`, with the IRLS
    /// weights of the current errors; also returns those errors. Only the columns that can move
    /// each keypoint are visited.
    func normalEquations(_ x: [Double]) -> (h: [Double], g: [Double], errors: [Double]) {
        let n = Self.unknowns
        let eval = evaluator.evaluate(pose: Array(x[0..<72]), shape: shape, derivatives: true)
        let (s, tx, ty) = (x[72], x[73], x[74])
        let nP = KeypointEvaluator.parameterCount
        var h = [Double](repeating: 0, count: n * n)
        var g = [Double](repeating: 0, count: n)
        var errors: [Double] = []
        errors.reserveCapacity(observations.count)
        let s2 = sigma * sigma
        var columns: [Int] = []
        var jx: [Double] = [], jy: [Double] = []
        for o in observations {
            let X = eval.keypoints[o.joint]
            let projected = SIMD2(Self.half * s * (X.x + tx) + Self.half - 0.5, Self.half * s * (X.y + ty) + Self.half - 0.5)
            let d = projected - o.point
            let e2 = (d * d).sum()
            errors.append(e2.squareRoot())
            let weight = o.confidence * s2 * s2 / ((s2 + e2) * (s2 + e2))
            columns.removeAll(keepingCapacity: true)
            jx.removeAll(keepingCapacity: true)
            jy.removeAll(keepingCapacity: true)
            for joint in evaluator.movingJoints[o.joint] {
                for i in 0..<3 {
                    let p = 3 * joint + i
                    let dX = eval.derivatives[o.joint * nP + p]
                    columns.append(p)
                    jx.append(Self.half * s * dX.x)
                    jy.append(Self.half * s * dX.y)
                }
            }
            columns += [72, 73, 74]
            jx += [Self.half * (X.x + tx), Self.half * s, 0]
            jy += [Self.half * (X.y + ty), 0, Self.half * s]
            for a in 0..<columns.count {
                let ca = columns[a]
                let wxa = weight * jx[a], wya = weight * jy[a]
                g[ca] += wxa * d.x + wya * d.y
                for b in 0...a {
                    let value = wxa * jx[b] + wya * jy[b]
                    h[ca * n + columns[b]] += value
                }
            }
        }
        // Mirror: entries were accumulated at (max, min) of the column order, which is increasing.
        for i in 0..<n {
            for j in 0..<i {
                let sum = h[i * n + j] + h[j * n + i]
                h[i * n + j] = sum
                h[j * n + i] = sum
            }
        }
        func diagonal(_ p: Int, _ lambda: Double, _ residual: Double) {
            h[p * n + p] += lambda * lambda
            g[p] += lambda * residual
        }
        for p in 3..<72 { diagonal(p, settings.poseWeights[p], settings.poseWeights[p] * x[p]) }
        for hinge in FitSettings.hinges {
            let p = 3 * hinge.joint + hinge.axis
            if hinge.sign * x[p] < 0 {
                diagonal(p, settings.hingeWeight * hinge.sign, settings.hingeWeight * hinge.sign * x[p])
            }
        }
        for nb in neighbours {
            for p in 0..<72 { diagonal(p, settings.smoothPose, settings.smoothPose * (x[p] - nb.pose[p])) }
            diagonal(72, settings.smoothScale / nb.camera.s, settings.smoothScale * (x[72] - nb.camera.s) / nb.camera.s)
            diagonal(73, settings.smoothTranslation, settings.smoothTranslation * (x[73] - nb.camera.tx))
            diagonal(74, settings.smoothTranslation, settings.smoothTranslation * (x[74] - nb.camera.ty))
        }
        return (h, g, errors)
    }
}
