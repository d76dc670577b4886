// Synthetic truth for fitting tests and benchmarks: a body posed along a smooth motion (arms
// swinging with elbows bending the right way, walking legs, a turning torso), projected to
// BODY_25 points of a 1080×1920 frame, with Gaussian jitter and a share of outlier points. Seeded.
import Foundation
import PoseKit

public struct SyntheticMotion: Sendable {
    /// Noisy keypoints per frame (frame pixels), as a detector would give them.
    public var poses: [[Keypoint]]
    /// The clean keypoints (frame pixels) and the truth's 24 projected joints (frame pixels).
    public var cleanKeypoints: [[SIMD2<Double>]]
    public var cleanJoints: [[SIMD2<Double>]]
    /// Which (frame, joint) points were made outliers.
    public var outliers: Set<Int>
    public var shape: [Double]
    public var thetas: [[Double]]
    /// Body height in frame pixels (of the rest body), for relative tolerances.
    public var bodyHeight: Double

    /// - Parameters: jitter: standard deviation per axis in pixels of the 256 crop; outlierShare:
    ///   fraction of points moved 30–80 crop pixels away.
    public static func make(body: BodyModel, frames: Int = 100, seed: UInt64 = 1, jitter: Double = 2,
                            outlierShare: Double = 0.03) -> SyntheticMotion {
        var rng = SplitMix64(seed: seed)
        func uniform(_ r: ClosedRange<Double>) -> Double { Double.random(in: r, using: &rng) }
        func gaussian() -> Double {
            let u = max(uniform(0...1), 1e-12), v = uniform(0...1)
            return (-2 * log(u)).squareRoot() * cos(2 * Double.pi * v)
        }
        let shape = (0..<10).map { _ in uniform(-1...1) }
        let phases = (0..<12).map { _ in uniform(0...(2 * Double.pi)) }
        typealias J = SMPLSkeleton.J
        let pixelsPerUnit = 700.0, centre = SIMD2(540.0, 960.0)
        var motion = SyntheticMotion(poses: [], cleanKeypoints: [], cleanJoints: [], outliers: [], shape: shape, thetas: [], bodyHeight: 0)
        let restYs = body.restJoints(shape: shape).map(\.y)
        for t in 0..<frames {
            let time = Double(t) / 60
            func wave(_ i: Int, _ hz: Double) -> Double { sin(2 * Double.pi * hz * time + phases[i]) }
            var theta = [Double](repeating: 0, count: 72)
            let root = BodyModel.viewOrientation(yaw: 0.35 * wave(0, 0.4))
            theta[0] = root.x; theta[1] = root.y; theta[2] = root.z
            theta[3 * J.leftShoulder + 2] = -1.0 - 0.35 * wave(1, 0.9)
            theta[3 * J.rightShoulder + 2] = 1.0 + 0.35 * wave(2, 0.8)
            theta[3 * J.leftShoulder + 1] = 0.5 * wave(3, 0.7)
            theta[3 * J.rightShoulder + 1] = -0.5 * wave(4, 0.6)
            theta[3 * J.leftElbow + 1] = -(0.7 + 0.6 * wave(5, 1.1))
            theta[3 * J.rightElbow + 1] = 0.7 + 0.6 * wave(6, 1.0)
            theta[3 * J.leftHip] = -0.35 * wave(7, 0.8)
            theta[3 * J.rightHip] = 0.35 * wave(7, 0.8)
            theta[3 * J.leftKnee] = 0.35 + 0.3 * wave(8, 0.9)
            theta[3 * J.rightKnee] = 0.35 + 0.3 * wave(9, 0.8)
            theta[3 * J.spine1 + 1] = 0.15 * wave(10, 0.5)
            theta[3 * J.head + 1] = 0.2 * wave(11, 0.6)
            let camera = WeakPerspectiveCamera(s: 0.9 + 0.05 * wave(1, 0.3), tx: 0.05 * wave(2, 0.25), ty: 0.1 + 0.03 * wave(3, 0.35))
            let posed = body.posed(pose: theta, shape: shape)
            func frame(_ p: SIMD3<Double>) -> SIMD2<Double> { camera.normalised(p) * pixelsPerUnit + centre }
            let clean = posed.keypoints.map(frame)
            motion.thetas.append(theta)
            motion.cleanKeypoints.append(clean)
            motion.cleanJoints.append(posed.joints.map(frame))
            if t == 0 { motion.bodyHeight = (restYs.max()! - restYs.min()!) * camera.s * pixelsPerUnit }
            // Noise in crop pixels: convert with the clean crop's scale.
            let crop = CropBox.around(clean.map { Keypoint(x: $0.x, y: $0.y, confidence: 1) })!
            let perCropPixel = 1 / crop.scale
            var pose: [Keypoint] = []
            for (k, p) in clean.enumerated() {
                var q = p + SIMD2(gaussian(), gaussian()) * (jitter * perCropPixel)
                if uniform(0...1) < outlierShare {
                    let angle = uniform(0...(2 * Double.pi)), length = uniform(30...80) * perCropPixel
                    q = p + SIMD2(cos(angle), sin(angle)) * length
                    motion.outliers.insert(t * 25 + k)
                }
                pose.append(Keypoint(x: q.x, y: q.y, confidence: uniform(0.6...1)))
            }
            motion.poses.append(pose)
        }
        return motion
    }

    /// Errors of a fit against the truth, in pixels of each frame's fitted crop: every clean
    /// keypoint's reprojection error, and every joint's 2-D error relative to body height.
    public func evaluate(_ fit: SequenceFit, body: BodyModel) -> (keypointErrors: [Double], jointErrorsRelative: [Double], outlierFrameErrors: [Double]) {
        var keypointErrors: [Double] = [], jointErrors: [Double] = [], outlierFrames: [Double] = []
        for (t, frame) in fit.frames.enumerated() {
            guard let frame else { continue }
            let posed = body.posed(pose: frame.pose, shape: fit.shape)
            let scale = frame.crop.scale
            var frameErrors: [Double] = []
            for k in 0..<25 {
                let d = frame.camera.cropPixel(posed.keypoints[k]) - frame.crop.toCrop(cleanKeypoints[t][k])
                frameErrors.append((d * d).sum().squareRoot())
            }
            keypointErrors += frameErrors
            if (0..<25).contains(where: { outliers.contains(t * 25 + $0) }) {
                outlierFrames.append(frameErrors.sorted()[12])
            }
            for j in 0..<24 {
                let d = frame.camera.cropPixel(posed.joints[j]) - frame.crop.toCrop(cleanJoints[t][j])
                jointErrors.append((d * d).sum().squareRoot() / (bodyHeight * scale))
            }
        }
        return (keypointErrors, jointErrors, outlierFrames)
    }
}

/// Order statistics used by reports and tests.
public enum Percentile {
    /// The p-quantile (0…1) of `values` by nearest rank; 0 for none.
    public static func of(_ values: [Double], _ p: Double) -> Double {
        guard !values.isEmpty else { return 0 }
        let sorted = values.sorted()
        return sorted[min(sorted.count - 1, Int((Double(sorted.count - 1) * p).rounded()))]
    }
}
