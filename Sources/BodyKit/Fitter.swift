// Fitting a body to BODY_25 keypoints: θ and the camera per frame, β shared by the sequence.
// Per frame: Levenberg–Marquardt on FrameProblem, first with a coarse robust scale then the fine
// one; cold frames start from an A-pose facing the way the shoulders and hips say, warm frames
// from their neighbour. A sequence is swept `passes` times (the first sweep sees only the previous
// frame, later ones both neighbours) with a Gauss–Newton update of β after each sweep.
// Crops: per frame, the square 1.3× box around its keypoints. Missing points are not observed.
import PoseKit

/// One frame's fit.
public struct FrameFit: Hashable, Sendable {
    public var pose: [Double]
    public var camera: WeakPerspectiveCamera
    public var crop: CropBox
    /// Reprojection error of each BODY_25 keypoint in crop pixels; nil where it was not observed.
    public var errors: [Double?]

    public init(pose: [Double], camera: WeakPerspectiveCamera, crop: CropBox, errors: [Double?]) {
        precondition(pose.count == 72 && errors.count == 25, "a frame fit has θ (72) and 25 errors")
        self.pose = pose
        self.camera = camera
        self.crop = crop
        self.errors = errors
    }
}

/// A sequence's fit: the shared β and each frame's fit (nil where the frame has too few keypoints).
public struct SequenceFit: Sendable {
    public var shape: [Double]
    public var frames: [FrameFit?]
    public init(shape: [Double], frames: [FrameFit?]) {
        self.shape = shape
        self.frames = frames
    }
}

public struct BodyFitter: Sendable {
    public let body: BodyModel
    public let settings: FitSettings
    let evaluator: KeypointEvaluator

    public init(body: BodyModel, settings: FitSettings = .standard) {
        self.body = body
        self.settings = settings
        self.evaluator = KeypointEvaluator(body: body)
    }

    /// Observed keypoints of one pose in its crop (missing and zero-confidence points left out).
    public static func observations(_ pose: [Keypoint], crop: CropBox) -> [Observation] {
        pose.enumerated().compactMap { j, point in
            guard !point.isMissing, point.confidence > 0 else { return nil }
            return Observation(joint: j, point: crop.toCrop(SIMD2(point.x, point.y)), confidence: point.confidence)
        }
    }

    // MARK: sequences

    /// Fits every frame of `poses` (T frames × 25 keypoints, frame pixels) and the shared β.
    /// - Parameters:
    ///   - shape: a β to keep fixed (e.g. the one the rest of a project was fitted with); nil
    ///     estimates β from these frames.
    ///   - progress: called after each frame of each sweep with (done, total) steps; on the
    ///     calling thread.
    public func fitSequence(_ poses: [[Keypoint]], shape fixedShape: [Double]? = nil,
                            progress: ((Int, Int) -> Void)? = nil) -> SequenceFit {
        precondition(fixedShape == nil || fixedShape!.count == SMPLSkeleton.shapeCount, "β has 10 values")
        let crops = poses.map { CropBox.around($0) }
        let observed = zip(poses, crops).map { pose, crop in crop.map { Self.observations(pose, crop: $0) } ?? [] }
        var fit = SequenceFit(shape: fixedShape ?? [Double](repeating: 0, count: 10), frames: [FrameFit?](repeating: nil, count: poses.count))
        let total = settings.passes * poses.count
        for pass in 0..<settings.passes {
            for t in poses.indices {
                defer { progress?(pass * poses.count + t + 1, total) }
                guard let crop = crops[t], observed[t].count >= 3 else { continue }
                let previous = t > 0 ? fit.frames[t - 1] : nil
                let next = pass > 0 && t + 1 < poses.count ? fit.frames[t + 1] : nil
                let start = pass > 0 ? fit.frames[t] : previous
                fit.frames[t] = fitFrame(observed[t], crop: crop, shape: fit.shape, start: start,
                                         neighbours: [previous, next].compactMap { $0 }, coarse: pass == 0)
            }
            if fixedShape == nil { fit.shape = updateShape(fit, observed: observed) }
        }
        return finalErrors(fit, observed: observed)
    }

    /// Refits `frames` (warm-started from the current solution, β kept) after their keypoints
    /// changed; every other frame is left as it is. Frames with too few keypoints lose their fit.
    public func refit(frames: [Int], poses: [[Keypoint]], current: SequenceFit) -> SequenceFit {
        precondition(current.frames.count == poses.count, "one fit entry per frame")
        var fit = current
        for t in Set(frames).sorted() where poses.indices.contains(t) {
            guard let crop = CropBox.around(poses[t]) else {
                fit.frames[t] = nil
                continue
            }
            let observed = Self.observations(poses[t], crop: crop)
            guard observed.count >= 3 else {
                fit.frames[t] = nil
                continue
            }
            let previous = t > 0 ? fit.frames[t - 1] : nil
            let next = t + 1 < poses.count ? fit.frames[t + 1] : nil
            let neighbours = [previous, next].compactMap { $0 }
            fit.frames[t] = fitFrame(observed, crop: crop, shape: fit.shape, start: fit.frames[t] ?? previous ?? next,
                                     neighbours: neighbours, coarse: true)
        }
        return fit
    }

    /// Fits one pose on its own (the source image's pose) with a given β.
    public func fitSingle(_ pose: [Keypoint], shape: [Double]) -> FrameFit? {
        guard let crop = CropBox.around(pose) else { return nil }
        let observed = Self.observations(pose, crop: crop)
        guard observed.count >= 3 else { return nil }
        return fitFrame(observed, crop: crop, shape: shape, start: nil, neighbours: [], coarse: true)
    }

    // MARK: one frame

    func fitFrame(_ observed: [Observation], crop: CropBox, shape: [Double], start: FrameFit?,
                  neighbours: [FrameFit], coarse: Bool) -> FrameFit {
        let nearby = neighbours.map { Neighbour(pose: $0.pose, camera: $0.camera.reexpressed(from: $0.crop, to: crop)) }
        let starts: [[Double]]
        if let start {
            var x = start.pose
            x += start.camera.reexpressed(from: start.crop, to: crop).values
            starts = [x]
        } else {
            starts = coldStarts(observed, shape: shape)
        }
        var best: (x: [Double], cost: Double)? = nil
        for x0 in starts {
            var x = x0
            if coarse {
                x = solve(FrameProblem(evaluator: evaluator, settings: settings, shape: shape, observations: observed,
                                       neighbours: nearby, sigma: settings.coarseSigma), from: x)
            }
            let fine = FrameProblem(evaluator: evaluator, settings: settings, shape: shape, observations: observed,
                                    neighbours: nearby, sigma: settings.robustSigma)
            x = solve(fine, from: x)
            let cost = fine.cost(x)
            if best == nil || cost < best!.cost { best = (x, cost) }
        }
        let x = best!.x
        let errors = FrameProblem(evaluator: evaluator, settings: settings, shape: shape, observations: observed,
                                  neighbours: [], sigma: settings.robustSigma).errors(x)
        var perJoint = [Double?](repeating: nil, count: 25)
        for (o, e) in zip(observed, errors) { perJoint[o.joint] = e }
        return FrameFit(pose: Array(x[0..<72]), camera: WeakPerspectiveCamera(s: x[72], tx: x[73], ty: x[74]),
                        crop: crop, errors: perJoint)
    }

    /// Starting points without a neighbour: an A-pose facing the camera and one facing away (the
    /// one the shoulders' and hips' left/right order agrees with first), camera by least squares.
    func coldStarts(_ observed: [Observation], shape: [Double]) -> [[Double]] {
        func x(of joint: Joint) -> Double? { observed.first { $0.joint == joint.rawValue }?.point.x }
        var facing = 0.0
        for (l, r) in [(Joint.lShoulder, Joint.rShoulder), (.lHip, .rHip)] {
            if let a = x(of: l), let b = x(of: r) { facing += a - b }
        }
        let yaws = facing >= 0 ? [0.0, Double.pi] : [Double.pi, 0.0]
        return yaws.map { yaw in
            var theta = [Double](repeating: 0, count: 72)
            let root = BodyModel.viewOrientation(yaw: yaw)
            theta[0] = root.x; theta[1] = root.y; theta[2] = root.z
            theta[3 * SMPLSkeleton.J.leftShoulder + 2] = -1.2
            theta[3 * SMPLSkeleton.J.rightShoulder + 2] = 1.2
            let keypoints = evaluator.evaluate(pose: theta, shape: shape, derivatives: false).keypoints
            return theta + Self.alignCamera(keypoints, observed).values
        }
    }

    /// The weak-perspective camera that best maps model points onto the observations (linear least
    /// squares in s, s·tx, s·ty, confidence-weighted).
    static func alignCamera(_ keypoints: [SIMD3<Double>], _ observed: [Observation]) -> WeakPerspectiveCamera {
        // Normalised observation u = (2p + 1)/S − 1 ≈ s·X + a, v ≈ s·Y + b.
        var sw = 0.0, sx = 0.0, sy = 0.0, su = 0.0, sv = 0.0, sxx = 0.0, sxu = 0.0
        let size = Double(CropBox.resolution)
        for o in observed {
            let p = keypoints[o.joint], w = o.confidence
            let u = (2 * o.point.x + 1) / size - 1, v = (2 * o.point.y + 1) / size - 1
            sw += w; sx += w * p.x; sy += w * p.y; su += w * u; sv += w * v
            sxx += w * (p.x * p.x + p.y * p.y)
            sxu += w * (p.x * u + p.y * v)
        }
        // Minimise Σw[(sX + a − u)² + (sY + b − v)²]: a = (su − s·sx)/sw, b = (sv − s·sy)/sw.
        let denominator = sxx - (sx * sx + sy * sy) / sw
        var s = denominator > 1e-12 ? (sxu - (sx * su + sy * sv) / sw) / denominator : 1
        if !(s > 1e-3) { s = 1 }
        let a = (su - s * sx) / sw, b = (sv - s * sy) / sw
        return WeakPerspectiveCamera(s: s, tx: a / s, ty: b / s)
    }

    /// Levenberg–Marquardt from `x0`; returns the best point found.
    func solve(_ problem: FrameProblem, from x0: [Double]) -> [Double] {
        var x = x0
        var cost = problem.cost(x)
        var mu = 1e-3
        var linear = problem.normalEquations(x)
        var iteration = 0
        while iteration < settings.maxIterations {
            iteration += 1
            var a = linear.h
            let n = FrameProblem.unknowns
            for i in 0..<n { a[i * n + i] += mu * max(a[i * n + i], 1e-6) + 1e-9 }
            guard let delta = LinearSolve.cholesky(a, linear.g.map { -$0 }, n: n) else {
                mu *= 10
                if mu > 1e10 { break }
                continue
            }
            var candidate = zip(x, delta).map { $0 + $1 }
            for j in 0..<24 {
                let wrapped = Rodrigues.wrapped(SIMD3(candidate[3 * j], candidate[3 * j + 1], candidate[3 * j + 2]))
                candidate[3 * j] = wrapped.x; candidate[3 * j + 1] = wrapped.y; candidate[3 * j + 2] = wrapped.z
            }
            let newCost = candidate[72] > 1e-4 ? problem.cost(candidate) : .infinity
            if newCost < cost {
                let gain = cost - newCost
                x = candidate
                cost = newCost
                mu = max(mu / 3, 1e-9)
                if gain < 1e-6 * max(cost, 1e-3) { break }
                linear = problem.normalEquations(x)
            } else {
                mu *= 6
                if mu > 1e10 { break }
            }
        }
        return x
    }

    // MARK: shape

    /// Gauss–Newton on β with every frame's θ and camera fixed.
    func updateShape(_ fit: SequenceFit, observed: [[Observation]]) -> [Double] {
        var beta = fit.shape
        let nB = SMPLSkeleton.shapeCount, nP = KeypointEvaluator.parameterCount
        let half = Double(CropBox.resolution) / 2
        let s2 = settings.robustSigma * settings.robustSigma
        func cost(_ beta: [Double]) -> Double {
            var total = beta.reduce(0) { $0 + settings.shapeWeight * settings.shapeWeight * $1 * $1 }
            for (t, frame) in fit.frames.enumerated() {
                guard let frame else { continue }
                let keypoints = evaluator.evaluate(pose: frame.pose, shape: beta, derivatives: false).keypoints
                for o in observed[t] {
                    let d = frame.camera.cropPixel(keypoints[o.joint]) - o.point
                    let e2 = (d * d).sum()
                    total += o.confidence * s2 * e2 / (s2 + e2)
                }
            }
            return total
        }
        var current = cost(beta)
        for _ in 0..<4 {
            var h = [Double](repeating: 0, count: nB * nB), g = [Double](repeating: 0, count: nB)
            for b in 0..<nB {
                h[b * nB + b] += settings.shapeWeight * settings.shapeWeight * 1.0001
                g[b] += settings.shapeWeight * settings.shapeWeight * beta[b]
            }
            for (t, frame) in fit.frames.enumerated() {
                guard let frame else { continue }
                let eval = evaluator.evaluate(pose: frame.pose, shape: beta, derivatives: true)
                for o in observed[t] {
                    let d = frame.camera.cropPixel(eval.keypoints[o.joint]) - o.point
                    let e2 = (d * d).sum()
                    let w = o.confidence * s2 * s2 / ((s2 + e2) * (s2 + e2))
                    let j = (0..<nB).map { half * frame.camera.s * eval.derivatives[o.joint * nP + 72 + $0] }
                    for a in 0..<nB {
                        g[a] += w * (j[a].x * d.x + j[a].y * d.y)
                        for b in 0..<nB { h[a * nB + b] += w * (j[a].x * j[b].x + j[a].y * j[b].y) }
                    }
                }
            }
            guard let delta = LinearSolve.cholesky(h, g.map { -$0 }, n: nB) else { break }
            let candidate = zip(beta, delta).map { $0 + $1 }
            let newCost = cost(candidate)
            guard newCost < current else { break }
            let gain = current - newCost
            beta = candidate
            current = newCost
            if gain < 1e-6 * current { break }
        }
        return beta
    }

    /// Recomputes each frame's errors with the final β.
    func finalErrors(_ fit: SequenceFit, observed: [[Observation]]) -> SequenceFit {
        var out = fit
        for t in fit.frames.indices {
            guard var frame = fit.frames[t] else { continue }
            let keypoints = evaluator.evaluate(pose: frame.pose, shape: fit.shape, derivatives: false).keypoints
            frame.errors = [Double?](repeating: nil, count: 25)
            for o in observed[t] {
                let d = frame.camera.cropPixel(keypoints[o.joint]) - o.point
                frame.errors[o.joint] = (d * d).sum().squareRoot()
            }
            out.frames[t] = frame
        }
        return out
    }
}

extension WeakPerspectiveCamera {
    /// The same projection into frame pixels, expressed for another crop of the same frame.
    public func reexpressed(from old: CropBox, to new: CropBox) -> WeakPerspectiveCamera {
        guard old != new else { return self }
        // Crop pixel in `old`: p = H·s·(X + t) + H − ½ (H = S/2); frame = old.origin + p / old.scale;
        // in `new`: p' = (frame − new.origin)·new.scale = H·s'·(X + t').
        let half = Double(CropBox.resolution) / 2
        let ratio = new.scale / old.scale
        let s2 = s * ratio
        func shift(_ t: Double, _ oldOrigin: Double, _ newOrigin: Double) -> Double {
            // H·s'·t' + H − ½ = (oldOrigin − newOrigin)·new.scale + (H·s·t + H − ½)·ratio
            let rhs = (oldOrigin - newOrigin) * new.scale + (half * s * t + half - 0.5) * ratio
            return (rhs - half + 0.5) / (half * s2)
        }
        return WeakPerspectiveCamera(s: s2, tx: shift(tx, old.x, new.x), ty: shift(ty, old.y, new.y))
    }
}
