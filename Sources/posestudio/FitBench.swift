// `posestudio bench fit`: fitting speed and accuracy. Synthetic truth (a body on a smooth
// 100-frame motion, 2 px jitter, 3 % outliers) fitted through ProjectFitting into a scratch
// project, refitting one edited frame through the same path (including the store), and the real
// demo keypoints. Targets: 100 frames ≤ 10 s, one refit ≤ 100 ms (medians).
import ArgumentParser
import BodyKit
import Foundation
import PoseKit
import ProjectFitting
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
        let loaded = try ProjectBody.load(body.requested ?? .builtin)
        let model = loaded.model
        let fitter = ProjectFitter(body: loaded)
        Console.out("body: \(model.kind), \(model.vertexCount) vertices")
        let dir = NSTemporaryDirectory() + "posestudio-bench-fit-\(getpid())"
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: dir) }

        let truth = SyntheticMotion.make(body: model, frames: frames, seed: seed)
        let project = Project(sourceImage: try SourceImage(bytes: SyntheticProject.png(width: 64, height: 64, grey: 128), path: "<synthetic>"),
                              sourcePose: SourcePose(keypoints: truth.poses[0]), sourceFrame: 0,
                              sequence: PoseSequence(fps: 30, frameSize: FrameSize(width: 1080, height: 1920), frames: truth.poses))
        var times: [Double] = []
        var file: ProjectFile!
        for run in 0..<runs {
            try file?.close()
            file = try ProjectFile.create(at: (dir as NSString).appendingPathComponent("synthetic-\(run).bdmm"), project: project)
            let clock = ContinuousClock.now
            try fitter.fit(in: file)
            times.append(clock.elapsedMS)
        }
        defer { try? file.close() }
        let score = truth.evaluate(ProjectFitter.storedFit(file.sequence), body: model)
        Console.out(String(format: "synthetic %d frames: reprojection vs clean median %.2f px, p95 %.2f px; joints p95 %.1f %% of height; frames with outliers median %.2f px",
                           frames, Percentile.of(score.keypointErrors, 0.5), Percentile.of(score.keypointErrors, 0.95),
                           100 * Percentile.of(score.jointErrorsRelative, 0.95), Percentile.of(score.outlierFrameErrors, 0.5)))
        Console.out(Stats.line("fit \(frames) frames (incl. store)", times, target: 10_000 * Double(frames) / 100))

        // Each refit follows an edit of one point, as in the studio: edit (not timed), then refit
        // and store (timed).
        var refitTimes: [Double] = []
        var rng = SplitMix64(seed: seed)
        for _ in 0..<refits {
            let t = Int.random(in: 0..<frames, using: &rng)
            try file.apply(.move(frames: t..<(t + 1), joints: [.rWrist], dx: .random(in: -8...8, using: &rng), dy: 6))
            let clock = ContinuousClock.now
            try fitter.refit(frames: [t], in: file)
            refitTimes.append(clock.elapsedMS)
        }
        Console.out(Stats.line("refit one frame (incl. store)", refitTimes, target: 100))

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
            realFit = fitter.fitter.fitSequence(real)
            realTimes.append(clock.elapsedMS)
        }
        let errors = realFit.frames.compactMap { $0 }.flatMap { $0.errors.compactMap { $0 } }
        Console.out(String(format: "real %@ (%d frames): reprojection median %.2f px, p95 %.2f px (targets ≤ 6, ≤ 15)",
                           demo, real.count, Percentile.of(errors, 0.5), Percentile.of(errors, 0.95)))
        Console.out("shape β: " + realFit.shape.map { String(format: "%.2f", $0) }.joined(separator: " "))
        Console.out(Stats.line("fit \(real.count) real frames", realTimes, target: 10_000 * Double(real.count) / 100))
    }
}
