// The cleanup verbs, headless twins of the studio's queue and filter keys: `suspects`, `clean`,
// `filter`, `fill`, `swap`, `pin`, `fix`. Each change is one journal entry and prints what it
// changed; --dry-run prints the proposal without committing it (the studio's preview).
import ArgumentParser
import Foundation
import PoseKit
import ProjectStore

struct Suspects: ParsableCommand {
    static let configuration = CommandConfiguration(abstract: "List the cleanup queue: suspicious frames, highest score first.")

    @Argument(help: "The project file.") var project: String
    @Flag(help: "A JSON array of {frame, frames, joints, kind, score, reason}.") var json = false
    @Option(help: "Only these kinds (comma-separated): \(SuspectKind.allCases.map(\.rawValue).joined(separator: ", ")).")
    var kinds: String?
    @Option(name: .customLong("min-score"), help: "Only entries scoring at least this (0–1).") var minScore: Double = 0
    @Option(help: "At most this many entries.") var limit: Int?

    func validate() throws {
        _ = try parsedKinds()
        guard minScore.isFinite, (0...1).contains(minScore) else { throw ValidationError("--min-score must be between 0 and 1") }
        if let limit, limit < 1 { throw ValidationError("--limit must be at least 1") }
    }

    func parsedKinds() throws -> Set<SuspectKind> {
        guard let kinds else { return Set(SuspectKind.allCases) }
        return Set(try kinds.split(separator: ",").map { name in
            guard let kind = SuspectKind(rawValue: String(name)) else {
                throw ValidationError("--kinds: unknown kind '\(name)'; known: \(SuspectKind.allCases.map(\.rawValue).joined(separator: ", "))")
            }
            return kind
        })
    }

    func run() throws {
        let file = try ProjectFile.open(at: project)
        defer { try? file.close() }
        var queue = Detect.suspects(in: file.sequence, kinds: try parsedKinds()).filter { $0.score >= minScore }
        if let limit { queue = Array(queue.prefix(limit)) }
        if json {
            let objects: [[String: Any]] = queue.map {
                ["frame": $0.frame, "frames": [$0.frames.lowerBound, $0.frames.upperBound], "joints": $0.joints.map(\.name),
                 "kind": $0.kind.rawValue, "score": ($0.score * 1000).rounded() / 1000, "reason": $0.reason]
            }
            let data = try JSONSerialization.data(withJSONObject: objects, options: [.prettyPrinted, .sortedKeys])
            Console.out(String(decoding: data, as: UTF8.self))
            return
        }
        for (i, s) in queue.enumerated() {
            let frames = s.frames.count == 1 ? "\(s.frame)" : "\(s.frames.lowerBound):\(s.frames.upperBound)"
            Console.out(Text.pad(String(i + 1), 4, right: true) + "  " + String(format: "%.3f", s.score) + "  "
                        + Text.pad(s.kind.rawValue, 14) + Text.pad(frames, 9) + s.reason)
        }
        Console.out("\(queue.count) suspect\(queue.count == 1 ? "" : "s")")
    }
}

enum Text {
    static func pad(_ text: String, _ width: Int, right: Bool = false) -> String {
        let fill = String(repeating: " ", count: max(0, width - text.count))
        return right ? fill + text : text + fill
    }
}

/// Applies a proposal as one journal entry, or only prints it with --dry-run.
struct ProposalOutput: ParsableArguments {
    @Flag(name: .customLong("dry-run"), help: "Print what would change; commit nothing.") var dryRun = false

    func commit(_ proposal: Proposal, to file: ProjectFile) throws {
        guard !proposal.isEmpty else {
            Console.out(proposal.summary)
            return
        }
        if dryRun {
            Console.out("would apply \(proposal.summary)")
            return
        }
        try posestudio.commit(proposal.edit, label: proposal.summary, to: file)
    }
}

/// --joints and --frames, checked against the project.
struct Selection: ParsableArguments {
    @Option(help: "Joints to change (comma-separated BODY_25 names, or all).") var joints: JointsArgument?
    @Option(help: "Frames to change, START:END (half-open).") var frames: FrameRangeArgument?

    var jointList: [Joint] { joints?.joints ?? Joint.allCases }

    func range(in sequence: PoseSequence, path: String) throws -> Range<Int> {
        guard let frames else { return sequence.frames }
        guard frames.range.upperBound <= sequence.frameCount else {
            throw ValidationError("--frames \(frames.range.lowerBound):\(frames.range.upperBound): \(path) has frames 0–\(sequence.frameCount - 1)")
        }
        return frames.range
    }
}

struct Clean: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Clean the sequence in one step: fix swaps and spikes, fill short gaps, light smoothing.")

    @Argument(help: "The project file.") var project: String
    @Flag(help: "The default pipeline (the only one so far).") var auto = false
    @OptionGroup var output: ProposalOutput

    func validate() throws { guard auto else { throw ValidationError("say --auto (the default clean-up pipeline)") } }

    func run() throws {
        let file = try ProjectFile.open(at: project)
        defer { try? file.close() }
        try output.commit(Cleanup.auto(file.sequence), to: file)
    }
}

struct Filter: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Smooth joints over a frame range with one filter (pinned and hand-edited points never move).")

    @Argument(help: "The project file.") var project: String
    @Option(help: "Weighted median over WINDOW frames (odd).") var median: Int?
    @Option(help: "Gaussian with SIGMA frames.") var gaussian: Double?
    @Option(help: "Savitzky–Golay WINDOW,ORDER.") var savgol: String?
    @Option(name: .customLong("one-euro"), help: "One Euro MINCUTOFF,BETA (Hz; beta per px/s).") var oneEuro: String?
    @Option(help: "Zero-phase Butterworth CUTOFF_HZ,ORDER.") var butterworth: String?
    @Flag(help: "Ignore confidences (weights all points equally).") var unweighted = false
    @OptionGroup var selection: Selection
    @OptionGroup var output: ProposalOutput

    func filter() throws -> SmoothingFilter {
        var chosen: [SmoothingFilter] = []
        if let median { chosen.append(.median(window: median)) }
        if let gaussian { chosen.append(.gaussian(sigma: gaussian)) }
        if let savgol { let (w, o) = try Self.pair(savgol, "--savgol"); chosen.append(.savitzkyGolay(window: Int(w), order: Int(o))) }
        if let oneEuro { let (c, b) = try Self.pair(oneEuro, "--one-euro"); chosen.append(.oneEuro(minCutoff: c, beta: b)) }
        if let butterworth { let (c, o) = try Self.pair(butterworth, "--butterworth"); chosen.append(.butterworth(cutoffHz: c, order: Int(o))) }
        guard chosen.count == 1 else {
            throw ValidationError("give exactly one of --median, --gaussian, --savgol, --one-euro, --butterworth")
        }
        return chosen[0]
    }

    static func pair(_ text: String, _ option: String) throws -> (Double, Double) {
        let parts = text.split(separator: ",").map { Double($0) }
        guard parts.count == 2, let a = parts[0], let b = parts[1], a.isFinite, b.isFinite, a.magnitude < 1e6, b.magnitude < 1e6 else {
            throw ValidationError("\(option) takes two numbers A,B")
        }
        return (a, b)
    }

    func validate() throws { _ = try filter() }

    func run() throws {
        let file = try ProjectFile.open(at: project)
        defer { try? file.close() }
        let filter = try filter()
        if let problem = filter.problem(fps: file.sequence.fps) { throw ValidationError(problem) }
        let range = try selection.range(in: file.sequence, path: project)
        try output.commit(Cleanup.filter(file.sequence, filter, joints: selection.jointList, frames: range, weighted: !unweighted), to: file)
    }
}

struct Fill: ParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Fill gaps of missing points by interpolation.")

    @Argument(help: "The project file.") var project: String
    @Option(name: .customLong("max-gap"), help: "Longest gap filled, in frames.") var maxGap = 10
    @Option(help: "linear or cubic.") var method: GapMethodArgument = .cubic
    @OptionGroup var selection: Selection
    @OptionGroup var output: ProposalOutput

    func validate() throws { if maxGap < 1 { throw ValidationError("--max-gap must be at least 1") } }

    func run() throws {
        let file = try ProjectFile.open(at: project)
        defer { try? file.close() }
        let range = try selection.range(in: file.sequence, path: project)
        try output.commit(Cleanup.fillGaps(file.sequence, maxGap: maxGap, method: method.method,
                                           joints: selection.jointList, frames: range), to: file)
    }
}

enum GapMethodArgument: String, ExpressibleByArgument, CaseIterable {
    case linear, cubic
    var method: GapMethod { self == .linear ? .linear : .cubic }
}

struct Swap: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Swap left/right over a frame range, or find and fix every swap (--detect).")

    static let pairNames = BODY25.swapPairNames

    @Argument(help: "The project file.") var project: String
    @Option(help: "Frames to swap, START:END (half-open).") var frames: FrameRangeArgument?
    @Option(help: "Pairs: \(pairNames.keys.sorted().joined(separator: "|")), comma-separated.") var pair = "all"
    @Flag(help: "Detect every left/right swap and fix it (ignores --frames and --pair).") var detect = false
    @OptionGroup var output: ProposalOutput

    func pairs() throws -> [Joint] {
        try pair.lowercased().split(separator: ",").flatMap { name -> [Joint] in
            guard let joints = Self.pairNames[String(name)] else { throw ValidationError("--pair: unknown pair '\(name)'") }
            return joints
        }
    }

    func validate() throws {
        _ = try pairs()
        if !detect && frames == nil { throw ValidationError("give --frames START:END, or --detect") }
    }

    func run() throws {
        let file = try ProjectFile.open(at: project)
        defer { try? file.close() }
        if detect { return try output.commit(Cleanup.fixSwaps(file.sequence), to: file) }
        let range = frames!.range
        guard range.upperBound <= file.sequence.frameCount else {
            throw ValidationError("--frames \(range.lowerBound):\(range.upperBound): \(project) has frames 0–\(file.sequence.frameCount - 1)")
        }
        let edit = Edit.swapLeftRight(frames: range, pairs: try pairs())
        if output.dryRun {
            Console.out("would apply \(edit.summary)")
            return
        }
        try commit(edit, to: file)
    }
}

struct Pin: ParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Pin joints so that no fix or filter moves them (or --unpin).")

    @Argument(help: "The project file.") var project: String
    @Option(help: "The frame.") var frame: Int?
    @Option(help: "A frame range START:END instead of --frame.") var frames: FrameRangeArgument?
    @Option(help: "Joint name(s), comma-separated, or all.") var joint: JointsArgument
    @Flag(help: "Unpin instead.") var unpin = false

    func run() throws {
        var words = ["--joint", joint.joints.map(\.name).joined(separator: ","), unpin ? "--unpin" : "--pin"]
        if let frame { words += ["--frame", String(frame)] }
        if let frames { words += ["--frames", "\(frames.range.lowerBound):\(frames.range.upperBound)"] }
        let spec = try EditCommand.parseSpec(words)
        let file = try ProjectFile.open(at: project)
        defer { try? file.close() }
        try commit(spec.edit, to: file)
    }
}

struct Fix: ParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Apply the suggested fix of one queue entry (as `suspects` numbers them).")

    @Argument(help: "The project file.") var project: String
    @Option(help: "The entry's number in `posestudio suspects` (1 = the top).") var suspect = 1
    @OptionGroup var output: ProposalOutput

    func validate() throws { if suspect < 1 { throw ValidationError("--suspect must be at least 1") } }

    func run() throws {
        let file = try ProjectFile.open(at: project)
        defer { try? file.close() }
        let queue = Detect.suspects(in: file.sequence)
        guard suspect <= queue.count else { throw ValidationError("--suspect \(suspect): the queue has \(queue.count) entries") }
        let entry = queue[suspect - 1]
        guard let proposal = Cleanup.fix(entry, in: file.sequence) else {
            Console.out("no automatic fix for: \(entry.reason)")
            return
        }
        try output.commit(proposal, to: file)
    }
}
