// `posestudio bench fit`: fitting speed and accuracy. Synthetic truth (the built-in body on a
// smooth 100-frame motion, 2 px jitter, 3 % outliers), the real demo keypoints, and refitting one
// edited frame. Targets: 100 frames ≤ 10 s, one refit ≤ 100 ms (medians).
import ArgumentParser
import BodyKit
import Foundation
import PoseKit
import ProjectStore

struct FitBench: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "fit",
        abstract: "Time and score body fitting (targets: 100 frames ≤ 10 s, one-frame refit ≤ 100 ms, medians).")

    @Option(help: "Frames of synthetic motion.") var frames = 100
    @Option(help: "Whole-sequence fits to time (median reported).") var runs = 3
    @Option(help: "Single-frame refits to time.") var refits = 31
    @Option(help: "Seed of the synthetic motion.") var seed: UInt64 = 1
    @Option(help: "A directory of OpenPose JSON to fit as real data (default: the pose2sim demo when present).")
    var poses: String?
    @OptionGroup var body: BodyOption

    func validate() throws {
        guard frames > 1, runs > 0, refits > 0 else { throw ValidationError("--frames must be > 1, --runs and --refits positive") }
    }

    func run() throws {
        let model = try body.load(recorded: nil)
        let fitter = BodyFitter(body: model)
        Console.out("body: \(model.kind), \(model.vertexCount) vertices")

        let truth = SyntheticMotion.make(body: model, frames: frames, seed: seed)
        var times: [Double] = []
        var fit: SequenceFit!
        for _ in 0..<runs {
            let clock = ContinuousClock.now
            fit = fitter.fitSequence(truth.poses)
            times.append(clock.elapsedMS)
        }
        let score = truth.evaluate(fit, body: model)
        Console.out(String(format: "synthetic %d frames: reprojection vs clean median %.2f px, p95 %.2f px; joints p95 %.1f %% of height; frames with outliers median %.2f px",
                           frames, Percentile.of(score.keypointErrors, 0.5), Percentile.of(score.keypointErrors, 0.95),
                           100 * Percentile.of(score.jointErrorsRelative, 0.95), Percentile.of(score.outlierFrameErrors, 0.5)))
        Console.out(Stats.line("fit \(frames) frames", times, target: 10_000 * Double(frames) / 100))

        var refitTimes: [Double] = []
        var rng = SplitMix64(seed: seed)
        for _ in 0..<refits {
            let t = Int.random(in: 0..<frames, using: &rng)
            var edited = truth.poses
            edited[t][Joint.rWrist.rawValue].x += 6
            let clock = ContinuousClock.now
            _ = fitter.refit(frames: [t], poses: edited, current: fit)
            refitTimes.append(clock.elapsedMS)
        }
        Console.out(Stats.line("refit one frame", refitTimes, target: 100))

        let demo = poses ?? "Projects/pose2sim-demo/cam01_keypoints"
        guard FileManager.default.fileExists(atPath: demo) else {
            Console.out("real data: \(demo) not found, skipped")
            return
        }
        let real = try OpenPoseFormat.readDirectory(demo, person: nil).frames
        var realTimes: [Double] = []
        var realFit: SequenceFit!
        for _ in 0..<runs {
            let clock = ContinuousClock.now
            realFit = fitter.fitSequence(real)
            realTimes.append(clock.elapsedMS)
        }
        let errors = realFit.frames.compactMap { $0 }.flatMap { $0.errors.compactMap { $0 } }
        Console.out(String(format: "real %@ (%d frames): reprojection median %.2f px, p95 %.2f px (targets ≤ 6, ≤ 15)",
                           demo, real.count, Percentile.of(errors, 0.5), Percentile.of(errors, 0.95)))
        Console.out("shape β: " + realFit.shape.map { String(format: "%.2f", $0) }.joined(separator: " "))
        Console.out(Stats.line("fit \(real.count) real frames", realTimes, target: 10_000 * Double(real.count) / 100))
    }
}
