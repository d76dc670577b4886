// The fast keypoint evaluator against the reference forward pass: values, and its analytic
// derivatives against central finite differences of the reference.
import PoseKit
import BodyTestSupport
import Testing
@testable import BodyKit

@Suite struct KeypointEvaluatorTests {
    static func randomPose(_ rng: inout SplitMix64, scale: Double = 0.6) -> [Double] {
        var theta = (0..<72).map { _ in Double.random(in: -scale...scale, using: &rng) }
        theta[0] = Double.pi * 0.9
        theta[5 * 3 + 1] = 0   // one exactly-zero component, one joint at exactly zero
        for i in 3 * 22 ..< 3 * 23 { theta[i] = 0 }
        return theta
    }

    @Test(arguments: ["builtin", "synthetic"])
    func valuesMatchTheReference(_ which: String) {
        let body = which == "builtin" ? BuiltinBody.model : SyntheticSMPL.make()
        let evaluator = KeypointEvaluator(body: body)
        var rng = SplitMix64(seed: 11)
        for _ in 0..<4 {
            let theta = Self.randomPose(&rng)
            let beta = (0..<10).map { _ in Double.random(in: -2...2, using: &rng) }
            let fast = evaluator.evaluate(pose: theta, shape: beta, derivatives: true).keypoints
            let slow = body.posed(pose: theta, shape: beta).keypoints
            for k in 0..<25 { #expect(distance(fast[k], slow[k]) < 1e-12, "keypoint \(k)") }
        }
    }

    @Test(arguments: ["builtin", "synthetic"])
    func derivativesMatchFiniteDifferences(_ which: String) {
        let body = which == "builtin" ? BuiltinBody.model : SyntheticSMPL.make()
        let evaluator = KeypointEvaluator(body: body)
        var rng = SplitMix64(seed: 12)
        let theta = Self.randomPose(&rng)
        let beta = (0..<10).map { _ in Double.random(in: -1.5...1.5, using: &rng) }
        let analytic = evaluator.evaluate(pose: theta, shape: beta, derivatives: true).derivatives
        let h = 1e-6
        var worst = 0.0
        for p in 0..<KeypointEvaluator.parameterCount {
            var tp = theta, tm = theta, bp = beta, bm = beta
            if p < 72 { tp[p] += h; tm[p] -= h } else { bp[p - 72] += h; bm[p - 72] -= h }
            let plus = body.posed(pose: tp, shape: bp).keypoints, minus = body.posed(pose: tm, shape: bm).keypoints
            for k in 0..<25 {
                let numeric = (plus[k] - minus[k]) / (2 * h)
                let error = distance(numeric, analytic[k * KeypointEvaluator.parameterCount + p])
                worst = max(worst, error)
                #expect(error < 1e-6, "∂keypoint \(k)/∂parameter \(p): analytic \(analytic[k * KeypointEvaluator.parameterCount + p]), numeric \(numeric)")
                if error >= 1e-6 { return }
            }
        }
        #expect(worst < 1e-6)
    }

    @Test func movingJointsCoverEveryNonZeroDerivative() {
        let body = BuiltinBody.model
        let evaluator = KeypointEvaluator(body: body)
        var rng = SplitMix64(seed: 13)
        let d = evaluator.evaluate(pose: Self.randomPose(&rng), shape: [Double](repeating: 0.3, count: 10), derivatives: true).derivatives
        for k in 0..<25 {
            for j in 0..<24 where !evaluator.movingJoints[k].contains(j) {
                for i in 0..<3 { #expect(d[k * KeypointEvaluator.parameterCount + 3 * j + i] == .zero, "keypoint \(k) joint \(j)") }
            }
        }
    }
}
