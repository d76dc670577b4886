// Issue 5's synthetic-truth acceptance: a body (the built-in one, and the synthetic SMPL-layout
// model read back from a generated SMPL_NEUTRAL.pkl) along a smooth 100-frame motion, its BODY_25
// points projected with 2 px jitter and 3 % outliers. After fitting: median reprojection error
// against the clean points ≤ 2.5 px (256 crop), the 24 joints within 5 % of body height in 2-D
// (95th percentile), and frames holding an outlier fitted as well as the others (their median).
import BodyKit
import Foundation
import PoseKit
import BodyTestSupport
import Testing
import TestSupport

@Suite struct FittingAcceptanceTests {
    func check(_ body: BodyModel, seed: UInt64) {
        let truth = SyntheticMotion.make(body: body, frames: 100, seed: seed)
        let fit = BodyFitter(body: body).fitSequence(truth.poses)
        #expect(fit.frames.allSatisfy { $0 != nil }, "every frame has enough keypoints")
        let score = truth.evaluate(fit, body: body)
        let median = Percentile.of(score.keypointErrors, 0.5)
        let joints = Percentile.of(score.jointErrorsRelative, 0.95)
        let outlierFrames = Percentile.of(score.outlierFrameErrors, 0.5)
        #expect(median <= 2.5, "\(body.kind): median reprojection vs clean \(median) px")
        #expect(joints <= 0.05, "\(body.kind): joints p95 \(100 * joints) % of height")
        #expect(!score.outlierFrameErrors.isEmpty && outlierFrames <= 2.5, "\(body.kind): frames with outliers, median \(outlierFrames) px")
        // The observations themselves are off by the jitter and the outliers: the fit beats them.
        var observed: [Double] = []
        for (t, frame) in fit.frames.enumerated() {
            guard let crop = frame?.crop else { continue }
            for k in 0..<25 {
                let d = crop.toCrop(SIMD2(truth.poses[t][k].x, truth.poses[t][k].y)) - crop.toCrop(truth.cleanKeypoints[t][k])
                observed.append((d * d).sum().squareRoot())
            }
        }
        #expect(median < Percentile.of(observed, 0.5), "the fit is closer to the truth than the noisy points")
    }

    @Test func builtinBody() {
        check(BuiltinBody.model, seed: 1)
    }

    @Test func synthethicSMPLLayoutModelFromAFile() throws {
        let dir = TemporaryDirectory()
        let path = dir.file("SMPL_NEUTRAL.pkl")
        try Data(SMPLArrays(SyntheticSMPL.make()).pickle()).write(to: URL(fileURLWithPath: path))
        check(try SMPLFile.load(path: path), seed: 2)
    }
}
