// `posestudio bench studio`: the studio's responsiveness on a large synthetic project. Opening
// (project file → first finished screen) and key press → finished screen update while scrubbing,
// in-process on the test terminal, with the same session, panes and picture worker as `open`.
// Through ncurses, `scripts/studio-latency.sh` runs `posestudio open` in a tmux pane, types keys
// and reads the latencies the studio logs (POSESTUDIO_LATENCY_LOG).
import ArgumentParser
import BodyKit
import Foundation
import PoseKit
import ProjectStore
import Studio
import TerminalUI

struct StudioBench: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "studio",
        abstract: "Time opening the studio and key → screen latency while scrubbing (targets: first screen ≤ 300 ms, p99 ≤ 16 ms).")

    @Option(help: "Frames in the synthetic project.") var frames = 10_000
    @Option(help: "Terminal size, COLUMNSxROWS.") var size = "160x48"
    @Option(help: "Key presses to time.") var keys = 1000
    @Option(help: "Pause between key presses, ms (a fast key repeat is about 30).") var interval = 30
    @Option(help: "How many times to open the project.") var opens = 11
    @Option(help: "The canvas view while scrubbing: skeleton or draft.") var view = "skeleton"
    @Flag(help: "One JSON object instead of text.") var json = false
    @Option(help: "Also keep the synthetic project here (for scripts/studio-latency.sh).") var keep: String?

    func validate() throws {
        guard frames > 0, keys > 0, opens > 0, interval >= 0 else { throw ValidationError("--frames, --keys, --opens must be positive") }
        guard parsedSize != nil else { throw ValidationError("--size \(size): write COLUMNSxROWS, at least 80x24") }
        guard ["skeleton", "draft"].contains(view) else { throw ValidationError("--view is skeleton or draft") }
    }

    var parsedSize: TerminalSize? {
        let parts = size.split(separator: "x").compactMap { Int($0) }
        guard parts.count == 2, parts[0] >= 80, parts[1] >= 24 else { return nil }
        return TerminalSize(columns: parts[0], rows: parts[1])
    }

    /// The scrubbing script: mostly single steps both ways, some jumps, joint changes.
    static func script(count: Int) -> [Key] {
        let pattern: [Key] = [.character("l"), .character("l"), .character("l"), .character("L"), .character("l"), .tab,
                              .character("h"), .character("l"), .character("L"), .character("H"), .character("l"), .backTab]
        return (0..<count).map { pattern[$0 % pattern.count] }
    }

    func run() throws {
        let dir = NSTemporaryDirectory() + "posestudio-bench-studio-\(getpid())"
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let path = dir + "/bench.bdmm"
        var rng = SplitMix64(seed: 2026)
        let project = view == "draft" ? try Self.draftProject(frames: frames, scratch: dir) : SyntheticProject.make(frames: frames, rng: &rng)
        try ProjectFile.create(at: path, project: project).close()
        if let keep { try FileManager.default.copyItem(atPath: path, toPath: keep) }
        let size = parsedSize!
        let theme = StudioConfig.standard(environment: ProcessInfo.processInfo.environment, executable: "/proc/self/exe").loadTheme("dark").0

        var openTimes: [Double] = []
        for _ in 0..<opens {
            let start = ContinuousClock.now
            let file = try ProjectFile.open(at: path)
            let session = StudioSession(file: file, size: size, theme: theme)
            var terminal = TestTerminal(size: size)
            terminal.present(session.screen())
            openTimes.append(start.elapsedMS)
            session.shutdown()
            try file.close()
        }

        let latencies = try inProcess(path: path, size: size, theme: theme)
        let load = PeakMemory.loadAverage()
        let open50 = Stats.percentile(openTimes, 0.5), l50 = Stats.percentile(latencies, 0.5), l99 = Stats.percentile(latencies, 0.99)
        if json {
            let object: [String: Any] = [
                "frames": frames, "size": "\(size)", "view": view, "through": "in-process",
                "open_first_screen_ms_median": open50, "open_first_screen_ms_max": openTimes.max()!,
                "key_latency_ms_median": l50, "key_latency_ms_p99": l99, "key_latency_ms_max": latencies.max()!,
                "keys": latencies.count, "load_average": load,
            ]
            let data = try JSONSerialization.data(withJSONObject: object, options: [.sortedKeys])
            Console.out(String(decoding: data, as: UTF8.self))
            return
        }
        Console.out("studio: \(frames) frames, \(size), view \(view), in-process test terminal; load average \(load)")
        Console.out(Stats.line("open → first screen", openTimes, target: 300))
        Console.out("key → screen: median \(Stats.format(l50)) ms, p99 \(Stats.format(l99)) ms, max \(Stats.format(latencies.max()!)) ms over \(latencies.count) keys "
                    + "(target p99 ≤ 16 ms: \(l99 <= 16 ? "met" : "MISSED"))")
    }

    private func inProcess(path: String, size: TerminalSize, theme: Theme) throws -> [Double] {
        let file = try ProjectFile.open(at: path)
        defer { try? file.close() }
        let session = StudioSession(file: file, size: size, theme: theme)
        if view == "draft" {
            try StudioWiring.attach(to: session, projectPath: path, file: file, hasVideo: false, imageMode: .truecolor, weights: nil)
            session.dispatch(.command(.toggleView))
        }
        var latencies: [Double] = []
        session.latencyProbe = { d in
            latencies.append(d.ms)
        }
        var terminal = PacedTerminal(inner: TestTerminal(size: size, keys: Self.script(count: keys)), intervalMS: interval)
        session.run(&terminal, exitWhenIdle: true)
        session.shutdown()
        return latencies
    }
}

extension StudioBench {
    /// The demo's poses played forwards and backwards to `frames` frames, with SMPL fitted once to
    /// the 100 demo frames and stored on every frame and the source — so the draft renders from
    /// stored bodies, as it does in a fitted project, instead of fitting 10,000 frames first.
    static func draftProject(frames: Int, scratch: String) throws -> Project {
        let demoPath = try DemoFiles.createDemo(in: scratch + "/demo")
        let file = try ProjectFile.open(at: demoPath)
        let demo = file.project
        try file.close()
        let fitter = BodyFitter(body: BuiltinBody.model, settings: .standard)
        let poses = demo.sequence.frames.map { demo.sequence.pose(at: $0) }
        let fit = fitter.fitSequence(poses)
        func smpl(_ f: FrameFit) -> SMPLParameters? { SMPLParameters(cam: f.camera.values, pose: f.pose, shape: fit.shape) }
        // Frames without a fit borrow the nearest fitted frame's parameters.
        let fitted = poses.indices.compactMap { i in fit.frames[i].map { (i, $0) } }
        guard !fitted.isEmpty, let sourceFit = fitter.fitSingle(demo.sourcePose.keypoints, shape: fit.shape) else {
            throw ValidationError("bench studio --view draft: the demo could not be fitted")
        }
        let perFrame = poses.indices.map { i in smpl(fitted.min { abs($0.0 - i) < abs($1.0 - i) }!.1) }
        let n = poses.count
        let order = (0..<frames).map { i in (i / n) % 2 == 0 ? i % n : n - 1 - i % n }
        let sequence = PoseSequence(fps: demo.sequence.fps, frameSize: demo.sequence.frameSize, frames: order.map { poses[$0] },
                                    smpl: order.map { perFrame[$0] })
        var sourcePose = demo.sourcePose
        sourcePose.smpl = smpl(sourceFit)
        return Project(sourceImage: demo.sourceImage, sourcePose: sourcePose, sourceFrame: demo.sourceFrame, sequence: sequence)
    }
}

/// The test terminal with a pause before each key, as a person (or key repeat) types.
struct PacedTerminal: TerminalScreen {
    var inner: TestTerminal
    let intervalMS: Int
    var size: TerminalSize { inner.size }
    mutating func present(_ grid: CellGrid) { inner.present(grid) }
    mutating func readKey(timeoutMilliseconds: Int) -> Key? {
        if intervalMS > 0 { usleep(useconds_t(intervalMS * 1000)) }
        return inner.readKey(timeoutMilliseconds: timeoutMilliseconds)
    }
}
