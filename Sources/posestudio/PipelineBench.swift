// `posestudio bench pipeline`: the neural render's cost per frame against the generator's alone on
// the same inputs (target: pipeline ≤ generator + 10 %). Random full-width weights unless given;
// the bodies' fit happens once before timing and is reported separately.
import ArgumentParser
import BodyKit
import Foundation
import PoseTransfer
import ProjectStore
import Rendering
import TensorEngine

struct PipelineBench: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "pipeline",
        abstract: "Time the neural render per frame against the generator alone (target: ≤ generator + 10 %).")

    @Argument(help: "A project (default: a new project of the pose2sim demo, in a temporary directory).") var project: String?
    @Option(help: "Weights (.pth or .safetensors) instead of random full-width ones.") var weights: String?
    @Option(help: "Render size S.") var size = 256
    @Option(help: "Frames rendered from frame 0 (windows of 6).") var frames = 12
    @Option(help: "Threads for our loops and OpenBLAS.") var threads = 2
    @Option(help: "Timed runs of each (the median is reported).") var runs = 2

    func validate() throws {
        guard size % 8 == 0, size >= 128, frames > 0, threads > 0, runs > 0 else {
            throw ValidationError("--size must be a multiple of 8 ≥ 128; --frames, --threads and --runs positive")
        }
    }

    func run() throws {
        let dir = NSTemporaryDirectory() + "posestudio-bench-\(getpid())"
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let path = try project ?? DemoFiles.createDemo(in: dir)
        let file = try ProjectFile.open(at: path)
        defer { try? file.close() }
        let clip = 0..<min(frames, file.sequence.frameCount)
        var clock = ContinuousClock.now
        let geometry = try DraftRenderer(project: file.project, name: path, body: BuiltinBody.model, options: RenderOptions(size: size))
        let setupSeconds = clock.elapsedMS / 1000
        let state = try weights.map { try WeightFile.read(contentsOf: URL(fileURLWithPath: $0)) } ?? GeneratorLayout.randomWeights(seed: 1)
        let generator = try BDMMGenerator(weights: state, source: weights ?? "random weights")
        let neural = try NeuralRenderer(geometry: geometry, generator: generator, threads: threads)

        var pipeline: [Double] = [], alone: [Double] = []
        for _ in 0..<runs {
            clock = .now
            _ = neural.render(clip)
            pipeline.append(clock.elapsedMS / 1000 / Double(clip.count))
            // The generator alone on the same inputs, computed beforehand.
            let image = neural.sourceTensor
            let inputs = NeuralRenderer.windows(of: clip).map(neural.input)
            let engine = Engine(threads: threads)
            clock = .now
            var carried: CarriedState?
            for input in inputs { carried = generator.run(engine, source: image, window: input, carried: carried).carried }
            alone.append(clock.elapsedMS / 1000 / Double(clip.count))
        }
        let p = Stats.percentile(pipeline, 0.5), g = Stats.percentile(alone, 0.5)
        let overhead = (p / g - 1) * 100
        Console.out("pipeline: \(path), frames \(clip.lowerBound):\(clip.upperBound) at \(size)x\(size), \(threads) threads, \(weights ?? "random full-width weights"); bodies \(geometry.bodiesOrigin.rawValue) in \(Stats.format(setupSeconds)) s (not timed)")
        Console.out(String(format: "neural render: median %.3f s per frame (runs: %@)", p, pipeline.map { String(format: "%.3f", $0) }.joined(separator: ", ")))
        Console.out(String(format: "generator alone: median %.3f s per frame (runs: %@)", g, alone.map { String(format: "%.3f", $0) }.joined(separator: ", ")))
        Console.out(String(format: "overhead %+.1f %% (target ≤ 10 %%: %@); load average %@", overhead, overhead <= 10 ? "met" : "MISSED", PeakMemory.loadAverage()))
    }
}
