// `posestudio bench studio`: the studio's responsiveness on a large synthetic project. Opening
// (project file → first finished screen) and key press → finished screen update while scrubbing,
// in-process on the test terminal, with the same session, panes and picture worker as `open`.
// `--tmux` measures through ncurses instead: it runs `posestudio open` in a tmux pane, types
// the same keys and reads the latencies the studio logged (POSESTUDIO_LATENCY_LOG).
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
    @Flag(help: "Measure through ncurses in a tmux pane (the real binary) instead of in-process.") var tmux = false
    @Flag(help: "One JSON object instead of text.") var json = false

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

        let latencies = tmux ? try TmuxLatency.measure(project: path, size: size, keys: Self.script(count: keys), intervalMS: interval, view: view)
                             : try inProcess(path: path, size: size, theme: theme)
        let load = PeakMemory.loadAverage()
        let open50 = Stats.percentile(openTimes, 0.5), l50 = Stats.percentile(latencies, 0.5), l99 = Stats.percentile(latencies, 0.99)
        if json {
            let object: [String: Any] = [
                "frames": frames, "size": "\(size)", "view": view, "through": tmux ? "ncurses-tmux" : "in-process",
                "open_first_screen_ms_median": open50, "open_first_screen_ms_max": openTimes.max()!,
                "key_latency_ms_median": l50, "key_latency_ms_p99": l99, "key_latency_ms_max": latencies.max()!,
                "keys": latencies.count, "load_average": load,
            ]
            let data = try JSONSerialization.data(withJSONObject: object, options: [.sortedKeys])
            Console.out(String(decoding: data, as: UTF8.self))
            return
        }
        Console.out("studio: \(frames) frames, \(size), view \(view), \(tmux ? "through ncurses in tmux" : "in-process test terminal"); load average \(load)")
        Console.out(Stats.line("open → first screen", openTimes, target: 300))
        Console.out("key → screen: median \(Stats.format(l50)) ms, p99 \(Stats.format(l99)) ms, max \(Stats.format(latencies.max()!)) ms over \(latencies.count) keys "
                    + "(target p99 ≤ 16 ms: \(l99 <= 16 ? "met" : "MISSED"))")
    }

    private func inProcess(path: String, size: TerminalSize, theme: Theme) throws -> [Double] {
        let file = try ProjectFile.open(at: path)
        defer { try? file.close() }
        let session = StudioSession(file: file, size: size, theme: theme)
        if view == "draft" {
            let draft = SharedDraft(path: path, project: file.project)
            session.images = CanvasImageSource(pictures: StudioPictures(projectPath: path, draft: draft, hasVideo: false), mode: .truecolor)
            session.dispatch(.command(.toggleView))
        }
        var latencies: [Double] = []
        session.latencyProbe = { d in
            latencies.append(Double(d.components.seconds) * 1000 + Double(d.components.attoseconds) / 1e15)
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

/// Key → screen latency through ncurses: `posestudio open` in a private tmux server's pane, keys
/// typed with `send-keys`, latencies read from the log the studio writes (POSESTUDIO_LATENCY_LOG).
enum TmuxLatency {
    static func measure(project: String, size: TerminalSize, keys: [Key], intervalMS: Int, view: String) throws -> [Double] {
        guard let tmuxPath = ["/usr/bin/tmux", "/usr/local/bin/tmux"].first(where: FileManager.default.isExecutableFile(atPath:)) else {
            throw ValidationError("--tmux needs tmux (scripts/bootstrap.sh installs it)")
        }
        let socket = "posestudio-bench-\(getpid())"
        let log = NSTemporaryDirectory() + "posestudio-latency-\(getpid()).log"
        defer { try? FileManager.default.removeItem(atPath: log) }
        @discardableResult
        func tmux(_ arguments: [String]) throws -> String {
            let process = Process()
            process.executableURL = URL(fileURLWithPath: tmuxPath)
            process.arguments = ["-L", socket, "-f", "/dev/null"] + arguments
            let out = Pipe()
            process.standardOutput = out
            process.standardError = FileHandle.nullDevice
            try process.run()
            let data = out.fileHandleForReading.readDataToEndOfFile()
            process.waitUntilExit()
            guard process.terminationStatus == 0 else { throw ValidationError("tmux \(arguments.first ?? "") failed") }
            return String(decoding: data, as: UTF8.self)
        }
        func waitFor(_ text: String) throws {
            let deadline = Date().addingTimeInterval(60)
            while Date() < deadline {
                if try tmux(["capture-pane", "-t", "b", "-p"]).contains(text) { return }
                usleep(50_000)
            }
            throw ValidationError("bench studio --tmux: the studio never showed \(text.debugDescription)")
        }
        let binary = URL(fileURLWithPath: "/proc/self/exe").resolvingSymlinksInPath().path
        try tmux(["new-session", "-d", "-s", "b", "-x", "\(size.columns)", "-y", "\(size.rows)",
                  "env TERM=tmux-256color LANG=C.UTF-8 POSESTUDIO_LATENCY_LOG='\(log)' '\(binary)' open '\(project)'; sleep 30"])
        defer { _ = try? tmux(["kill-server"]) }
        try waitFor("NORMAL")
        if view == "draft" {
            try tmux(["send-keys", "-t", "b", "t"])
            try waitFor("view: draft")
        }
        for key in keys {
            let name: String = switch key {
            case .tab: "Tab"
            case .backTab: "BTab"
            case .character(let c): String(c)
            default: throw ValidationError("bench studio --tmux: no tmux name for \(key)")
            }
            try tmux(["send-keys", "-t", "b", name])
            if intervalMS > 0 { usleep(useconds_t(intervalMS * 1000)) }
        }
        // Quit, then read what the studio logged (one line per key, the view toggle included).
        try tmux(["send-keys", "-t", "b", "q"])
        let deadline = Date().addingTimeInterval(30)
        var lines: [Double] = []
        while Date() < deadline {
            lines = ((try? String(contentsOfFile: log, encoding: .utf8)) ?? "").split(separator: "\n").compactMap { Double($0) }
            if lines.count >= keys.count + 1 + (view == "draft" ? 1 : 0) { break }
            usleep(100_000)
        }
        guard lines.count > keys.count else {
            throw ValidationError("bench studio --tmux: the studio logged \(lines.count) of \(keys.count) keys")
        }
        return Array(lines.dropFirst(view == "draft" ? 1 : 0).prefix(keys.count))
    }
}
