// The `:` line: the CLI's verbs with the same option names, written as `name=value` words
// (`:filter median 5 joints=RWrist frames=120:240`). Defaults match the CLI (all joints, all
// frames) so that a `:` line and its CLI twin make the same journal entry.
import PoseKit

public enum ColonCommands {
    /// The verbs, for help and completion.
    public static let verbs: [(String, String)] = [
        ("N", "jump to frame N"),
        ("filter median W|gaussian S|savgol W,O|one-euro C,B|butterworth C,O [joints=…] [frames=S:E] [unweighted]", "smooth"),
        ("fill [max-gap=N] [method=linear|cubic] [joints=…] [frames=S:E]", "fill gaps"),
        ("swap frames=S:E [pair=arm,leg,…] | swap detect", "swap left/right"),
        ("interpolate [joints=…] frames=S:E", "interpolate over frames"),
        ("pin|unpin [joints=…] [frames=S:E]", "pin points"),
        ("clean", "auto-clean (preview)"), ("fix", "fix the suspect here"),
        ("fit [frames=S:E]", "refit SMPL"), ("render [all]", "render"), ("export OUT.mp4|OUT.json", "export"),
        ("view skeleton|draft|neural|side-by-side", "canvas view"), ("joint NAME", "select a joint"),
        ("theme NAME", "switch theme"), ("undo", ""), ("redo", ""), ("help", ""), ("q", "quit"),
    ]

    struct Failure: Error { let message: String }

    public static func run(_ line: String, _ state: inout StudioState) -> [Reaction] {
        do {
            return try parse(line, &state)
        } catch let failure as Failure {
            state.message = StatusMessage(":\(line.trimmingCharacters(in: .whitespaces)): \(failure.message)", .error)
        } catch {
            state.message = StatusMessage("\(error)", .error)
        }
        return []
    }

    static func parse(_ line: String, _ state: inout StudioState) throws -> [Reaction] {
        let words = line.split(separator: " ").map(String.init)
        guard let verb = words.first else { return [] }
        var positional: [String] = []
        var options: [String: String] = [:]
        for word in words.dropFirst() {
            if let eq = word.firstIndex(of: "=") {
                options[String(word[..<eq])] = String(word[word.index(after: eq)...])
            } else {
                positional.append(word)
            }
        }
        func take(_ key: String) -> String? { options.removeValue(forKey: key) }
        func joints(default fallback: [Joint]) throws -> [Joint] {
            guard let text = take("joints") ?? take("joint") else { return fallback }
            if text.lowercased() == "all" { return Joint.allCases }
            return try text.split(separator: ",").map { name in
                guard let j = Joint(name: String(name)) else { throw Failure(message: "unknown joint '\(name)'") }
                return j
            }
        }
        func frames(default fallback: Range<Int>?) throws -> Range<Int>? {
            guard let text = take("frames") else { return fallback }
            return try frameRange(text, count: state.frameCount)
        }
        func finish(_ reactions: [Reaction]) throws -> [Reaction] {
            if let extra = options.keys.sorted().first { throw Failure(message: "unknown option '\(extra)='") }
            return reactions
        }
        let all = 0..<state.frameCount

        if let n = Int(verb) {
            guard (0..<state.frameCount).contains(n) else { throw Failure(message: "frame \(n) is outside 0–\(state.frameCount - 1)") }
            state.frame = n
            return [.loadImages]
        }
        switch verb {
        case "filter":
            guard positional.count == 2 else { throw Failure(message: "say which filter: median W, gaussian S, savgol W,O, one-euro C,B or butterworth C,O") }
            let filter = try smoothingFilter(positional[0], positional[1])
            if let problem = filter.problem(fps: state.sequence.fps) { throw Failure(message: problem) }
            let weighted = !positional.contains("unweighted")
            return try finish([.propose(.filter(filter, joints: joints(default: Joint.allCases), frames: frames(default: all)!, weighted: weighted))])
        case "fill":
            let maxGap = try take("max-gap").map { try positiveInt($0, "max-gap") } ?? 10
            let method: GapMethod
            switch take("method") ?? "cubic" {
            case "cubic": method = .cubic
            case "linear": method = .linear
            case let other: throw Failure(message: "method '\(other)': linear or cubic")
            }
            return try finish([.propose(.fill(maxGap: maxGap, method: method, joints: joints(default: Joint.allCases), frames: frames(default: all)!))])
        case "swap":
            if positional == ["detect"] { return try finish([.propose(.fixSwaps)]) }
            guard let range = try frames(default: state.range) else { throw Failure(message: "give frames=S:E (or select a range), or say `swap detect`") }
            let pairs = try swapPairs(take("pair") ?? "all")
            return try finish([.apply(.swapLeftRight(frames: range, pairs: pairs))])
        case "interpolate":
            guard let range = try frames(default: nil) else { throw Failure(message: "give frames=S:E (the frames to replace)") }
            return try finish([.propose(.interpolate(joints: joints(default: [state.joint]), frames: range))])
        case "pin", "unpin":
            let range = try frames(default: state.range ?? state.frame..<state.frame + 1)!
            return try finish([.apply(.setPinned(frames: range, joints: joints(default: [state.joint]), pinned: verb == "pin"))])
        case "clean": return try finish([.previewAutoClean])
        case "fix": return Reducer.perform(&state, .fixSuspect)
        case "fit": return try finish([.fit(frames: frames(default: nil))])
        case "render":
            if positional == ["all"] { return try finish([.render(frames: all)]) }
            let start = state.frame / 6 * 6
            return try finish([.render(frames: frames(default: start..<min(state.frameCount, start + 6))!)])
        case "export":
            guard positional.count == 1 else { throw Failure(message: "give the output file: export OUT.mp4 (or .json)") }
            return try finish([.export(path: positional[0])])
        case "view":
            guard positional.count == 1, let view = ViewMode(rawValue: positional[0]) else {
                throw Failure(message: "views: \(ViewMode.allCases.map(\.rawValue).joined(separator: ", "))")
            }
            state.view = view
            return [.loadImages]
        case "joint":
            guard positional.count == 1, let j = Joint(name: positional[0]) else { throw Failure(message: "unknown joint; try ' for the picker") }
            state.joint = j
            return []
        case "theme":
            guard positional.count == 1 else { throw Failure(message: "give a theme name") }
            return [.loadTheme(positional[0])]
        case "cancel": return Reducer.perform(&state, .cancelJobs)
        case "undo": return [.undo]
        case "redo": return [.redo]
        case "help": state.mode = .help(scroll: 0); return []
        case "q", "quit", "wq", "x": return Reducer.perform(&state, .quit)
        default:
            throw Failure(message: "unknown command '\(verb)' — Ctrl-P lists commands")
        }
    }

    static func frameRange(_ text: String, count: Int) throws -> Range<Int> {
        let parts = text.split(separator: ":", omittingEmptySubsequences: false)
        guard parts.count == 2, let a = Int(parts[0]), let b = Int(parts[1]), a >= 0, a < b else {
            throw Failure(message: "frames=\(text): write START:END with START < END")
        }
        guard b <= count else { throw Failure(message: "frames=\(text): the project has frames 0–\(count - 1)") }
        return a..<b
    }

    static func positiveInt(_ text: String, _ name: String) throws -> Int {
        guard let n = Int(text), n >= 1 else { throw Failure(message: "\(name)=\(text) must be a whole number ≥ 1") }
        return n
    }

    static func smoothingFilter(_ name: String, _ argument: String) throws -> SmoothingFilter {
        func pair() throws -> (Double, Double) {
            let p = argument.split(separator: ",").compactMap { Double($0) }
            guard p.count == 2, p.allSatisfy(\.isFinite) else { throw Failure(message: "\(name) takes two numbers A,B") }
            return (p[0], p[1])
        }
        switch name {
        case "median": return .median(window: try positiveInt(argument, "median window"))
        case "gaussian":
            guard let s = Double(argument), s.isFinite, s > 0 else { throw Failure(message: "gaussian takes a positive sigma") }
            return .gaussian(sigma: s)
        case "savgol": let (w, o) = try pair(); return .savitzkyGolay(window: Int(w), order: Int(o))
        case "one-euro": let (c, b) = try pair(); return .oneEuro(minCutoff: c, beta: b)
        case "butterworth": let (c, o) = try pair(); return .butterworth(cutoffHz: c, order: Int(o))
        default: throw Failure(message: "unknown filter '\(name)': median, gaussian, savgol, one-euro, butterworth")
        }
    }


    static func swapPairs(_ text: String) throws -> [Joint] {
        try text.lowercased().split(separator: ",").flatMap { name -> [Joint] in
            guard let joints = BODY25.swapPairNames[String(name)] else { throw Failure(message: "unknown pair '\(name)'") }
            return joints
        }
    }
}
