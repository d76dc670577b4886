// `posestudio bench …`: performance targets are measured here, never in unit tests. Reports
// medians (and the 90th percentile) of repeated runs in one process.
import ArgumentParser
import Foundation
import PoseKit
import ProjectStore

struct Bench: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Measure posestudio's performance targets.",
        subcommands: [ProjectBench.self, CleanupBench.self, RenderBench.self, DraftBench.self, PipelineBench.self, MediaBench.self, FitBench.self, StudioBench.self, FidelityBench.self])
}

struct ProjectBench: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "project",
        abstract: "Create a synthetic project and time opening it and committing one edit (targets: open ≤ 150 ms, commit ≤ 5 ms, medians).")

    @Option(help: "Frames in the synthetic project.") var frames = 10_000
    @Option(help: "How many times to open it.") var opens = 21
    @Option(help: "How many single-point edits to commit.") var edits = 200
    @Option(help: "Where to put the project (default: a new temporary directory, removed afterwards).") var directory: String?

    func validate() throws {
        guard frames > 0, opens > 0, edits > 0 else { throw ValidationError("--frames, --opens and --edits must be positive") }
    }

    func run() throws {
        let keep = directory != nil
        let dir = directory ?? NSTemporaryDirectory() + "posestudio-bench-\(getpid())"
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        defer { if !keep { try? FileManager.default.removeItem(atPath: dir) } }
        let path = (dir as NSString).appendingPathComponent("bench-\(getpid()).bdmm")

        var rng = SplitMix64(seed: 2026)
        let project = SyntheticProject.make(frames: frames, rng: &rng)
        var clock = ContinuousClock.now
        try ProjectFile.create(at: path, project: project).close()
        let createMS = clock.elapsedMS
        let size = (try? FileManager.default.attributesOfItem(atPath: path)[.size] as? Int) ?? 0

        var openTimes: [Double] = []
        for _ in 0..<opens {
            clock = .now
            let file = try ProjectFile.open(at: path)
            openTimes.append(clock.elapsedMS)
            try file.close()
        }

        let file = try ProjectFile.open(at: path)
        var commitTimes: [Double] = []
        for _ in 0..<edits {
            let edit = Edit.place(frame: Int.random(in: 0..<frames, using: &rng), joint: Joint.allCases.randomElement(using: &rng)!,
                                  x: Double.random(in: 0..<1080, using: &rng), y: Double.random(in: 0..<1920, using: &rng))
            clock = .now
            try file.apply(edit)
            commitTimes.append(clock.elapsedMS)
        }
        var undoTimes: [Double] = []
        for _ in 0..<min(edits, 50) {
            clock = .now
            try file.undo()
            undoTimes.append(clock.elapsedMS)
        }
        try file.close()

        Console.out("project: \(frames) frames, \(size / 1024) KiB, created in \(Stats.format(createMS)) ms")
        Console.out(Stats.line("open", openTimes, target: 150))
        Console.out(Stats.line("edit commit", commitTimes, target: 5))
        Console.out(Stats.line("undo", undoTimes, target: nil))
    }
}

enum Stats {
    static func percentile(_ values: [Double], _ p: Double) -> Double {
        let sorted = values.sorted()
        return sorted[min(sorted.count - 1, Int((Double(sorted.count - 1) * p).rounded()))]
    }
    static func format(_ ms: Double) -> String { String(format: "%.2f", ms) }
    static func line(_ name: String, _ values: [Double], target: Double?) -> String {
        let median = percentile(values, 0.5)
        var text = "\(name): median \(format(median)) ms, p90 \(format(percentile(values, 0.9))) ms over \(values.count) runs"
        if let target { text += " (target ≤ \(format(target)) ms: \(median <= target ? "met" : "MISSED"))" }
        return text
    }
}

extension ContinuousClock.Instant {
    var elapsedMS: Double { (ContinuousClock.now - self).ms }
}

extension Duration {
    var ms: Double { Double(components.seconds) * 1000 + Double(components.attoseconds) / 1e15 }
}
