// `posestudio bench render`: the BDMM generator's speed — seconds per output frame, GMAC/s and
// peak resident memory — on random well-scaled full-width weights and synthetic inputs, or on
// given files (`make bench-render` passes the same files to the PyTorch reference).
import ArgumentParser
import Foundation
import PoseTransfer
import TensorEngine

struct RenderBench: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "render",
        abstract: "Time the BDMM generator (target at 256×256, 12 frames, 2 threads: ≤ 0.45 s per frame).")

    @Option(help: "Frame size HxW (height first, as the generator's tensors).") var size = "256x256"
    @Option(help: "Frames, cut into windows of 6 (ignored with --inputs).") var frames = 12
    @Option(help: "Threads for our loops and OpenBLAS.") var threads = 2
    @Option(help: "Timed runs over all frames (the median is reported).") var runs = 3
    @Option(help: "Weights (.pth or .safetensors) instead of random full-width ones.") var weights: String?
    @Option(help: "Inputs in the parity fixture's layout (.safetensors) instead of synthetic ones.") var inputs: String?
    @Flag(help: "Print one JSON object: seconds_per_frame, gmac_per_s, peak_rss_mb.") var json = false
    @Flag(help: "Also print where the time goes: seconds per frame by layer and by op phase (all runs).") var profile = false

    func validate() throws {
        guard threads > 0, runs > 0, frames > 0 else { throw ValidationError("--threads, --runs and --frames must be positive") }
        guard parsedSize != nil else { throw ValidationError("--size must be HxW, e.g. 256x256") }
    }

    var parsedSize: (height: Int, width: Int)? {
        let parts = size.lowercased().split(separator: "x").compactMap { Int($0) }
        return parts.count == 2 && parts[0] > 0 && parts[1] > 0 ? (parts[0], parts[1]) : nil
    }

    func run() throws {
        let state: [String: Tensor]
        if let weights {
            state = try WeightFile.read(contentsOf: URL(fileURLWithPath: weights))
        } else {
            state = GeneratorLayout.randomWeights(seed: 1)
        }
        let generator = try BDMMGenerator(weights: state, source: weights ?? "random weights")
        let tensors: [String: Tensor]
        if let inputs {
            tensors = try Safetensors.read(contentsOf: URL(fileURLWithPath: inputs)).tensors
        } else {
            let (h, w) = parsedSize!
            tensors = GeneratorLayout.syntheticInputs(height: h, width: w, frames: frames, seed: 2)
        }
        let (image, windows) = try WindowFile.windows(in: tensors, source: inputs ?? "synthetic inputs",
                                                      heatmapChannels: generator.heatmapChannels)
        let frameCount = windows.reduce(0) { $0 + $1.flows.count }
        let engine = Engine(threads: threads)
        if profile { engine.profile = Profile() }
        var seconds: [Double] = [], cpu: [Double] = [], macs = 0
        for _ in 0..<runs {
            let before = engine.multiplyAccumulates, cpuBefore = PeakMemory.cpuSeconds()
            let start = ContinuousClock.now
            _ = WindowFile.run(generator, engine, image: image, windows: windows, trace: false)
            seconds.append(start.elapsedMS / 1000 / Double(frameCount))
            cpu.append((PeakMemory.cpuSeconds() - cpuBefore) / Double(frameCount))
            macs = engine.multiplyAccumulates - before
        }
        let perFrame = seconds.sorted()[seconds.count / 2]
        let gmacPerSecond = Double(macs) / 1e9 / (perFrame * Double(frameCount))
        let peak = PeakMemory.residentMB()
        if json {
            Console.out(String(format: "{\"seconds_per_frame\": %.4f, \"gmac_per_s\": %.1f, \"peak_rss_mb\": %.0f}", perFrame, gmacPerSecond, peak))
        } else {
            let shape = image.shape
            Console.out("generator: \(shape[2])×\(shape[3]), \(frameCount) frames in \(windows.count) windows, \(threads) threads, \(runs) runs; OpenBLAS kernels: \(OpenBLASCore.name)")
            Console.out(String(format: "seconds per frame: median %.3f (runs: %@)", perFrame, seconds.map { String(format: "%.3f", $0) }.joined(separator: ", ")))
            Console.out(String(format: "CPU seconds per frame (all threads): median %.3f; load average %@", cpu.sorted()[cpu.count / 2], PeakMemory.loadAverage()))
            Console.out(String(format: "work: %.2f GMAC per frame, %.1f GMAC/s (%.0f GFLOP/s)", Double(macs) / 1e9 / Double(frameCount), gmacPerSecond, 2 * gmacPerSecond))
            Console.out(String(format: "peak resident memory: %.0f MB", peak))
        }
        if let profile = engine.profile {
            let total = seconds.reduce(0, +) / Double(runs)
            printProfile(profile, frames: frameCount * runs, secondsPerFrame: total)
        }
    }

    /// Two tables, seconds per frame and share of the mean frame time: layers in the order they
    /// run, then op phases from the most expensive down (with what no op phase accounts for).
    func printProfile(_ profile: Profile, frames: Int, secondsPerFrame total: Double) {
        func padded(_ text: String) -> String { text.padding(toLength: max(46, text.count), withPad: " ", startingAt: 0) }
        func row(_ name: String, _ seconds: Double, _ calls: Int?) {
            let perFrame = seconds / Double(frames)
            let callText = calls.map { String(format: "%11.1f", Double($0) / Double(frames)) } ?? ""
            Console.out("  " + padded(name) + String(format: " %8.4f %6.1f%%", perFrame, 100 * perFrame / total) + callText)
        }
        Console.out(String(format: "profile (mean over runs: %.4f s per frame)", total))
        Console.out("  " + padded("layer") + "  s/frame   share calls/frame")
        for name in profile.layerOrder { row(name, profile.layers[name]!.seconds, profile.layers[name]!.calls) }
        Console.out("  " + padded("op phase") + "  s/frame   share calls/frame")
        let ops = profile.ops.sorted { $0.value.seconds > $1.value.seconds }
        for (name, entry) in ops { row(name, entry.seconds, entry.calls) }
        let measured = ops.reduce(0) { $0 + $1.value.seconds } / Double(frames)
        row("(outside every op phase)", max(0, total - measured) * Double(frames), nil)
    }
}

enum PeakMemory {
    /// User + system CPU time of this process so far.
    static func cpuSeconds() -> Double {
        var usage = rusage()
        getrusage(RUSAGE_SELF.rawValue, &usage)
        return Double(usage.ru_utime.tv_sec + usage.ru_stime.tv_sec) + Double(usage.ru_utime.tv_usec + usage.ru_stime.tv_usec) / 1e6
    }

    /// The 1-minute load average (other work on the machine skews timings).
    static func loadAverage() -> String {
        (try? String(contentsOfFile: "/proc/loadavg", encoding: .utf8))?.split(separator: " ").first.map(String.init) ?? "?"
    }

    /// VmHWM of this process in MB (0 where /proc is not available).
    static func residentMB() -> Double {
        guard let status = try? String(contentsOfFile: "/proc/self/status", encoding: .utf8),
              let line = status.split(separator: "\n").first(where: { $0.hasPrefix("VmHWM:") }),
              let kb = Double(line.split(separator: " ").dropFirst().first ?? "") else { return 0 }
        return kb / 1024
    }
}
