// `edit`, `undo`, `redo`, `history`: the smallest verbs that drive the project's journal, so that
// scripts and tests can do what the studio's keys do. Each edit is committed when reported.
import ArgumentParser
import Foundation
import PoseKit
import ProjectStore

/// One edit, as command-line options. Also the syntax of each line of `edit --batch`.
struct EditSpec: ParsableArguments {
    @Option(help: "The frame to edit.")
    var frame: Int?

    @Option(help: "A frame range START:END (half-open) instead of --frame.")
    var frames: FrameRangeArgument?

    @Option(help: "Joint name(s), comma-separated (BODY_25 names such as RWrist), or `all`.")
    var joint: JointsArgument?

    @Option(parsing: .unconditional, help: "Place the joint at X,Y pixels.")
    var to: PointArgument?

    @Option(parsing: .unconditional, help: "Move the joint(s) by DX,DY pixels (negative values work: --by -40,12).")
    var by: PointArgument?

    @Option(help: "Set the confidence (0…1).")
    var confidence: Double?

    @Flag(help: "Mark the joint(s) missing.")
    var missing = false

    @Flag(help: "Mark the joint(s) present again.")
    var present = false

    @Flag(help: "Pin the joint(s): filters never move them.")
    var pin = false

    @Flag(help: "Unpin the joint(s).")
    var unpin = false

    @Flag(help: "Swap every left/right pair on the frame(s).")
    var swap = false

    /// Checked by hand (not `validate()`), because with --batch the command line's group is empty.
    func check() throws {
        let actions = [to != nil, by != nil, confidence != nil, missing, present, pin, unpin, swap].count(where: { $0 })
        guard actions == 1 else {
            throw ValidationError("give exactly one of --to, --by, --confidence, --missing, --present, --pin, --unpin, --swap")
        }
        guard (frame == nil) != (frames == nil) else { throw ValidationError("give --frame F or --frames START:END") }
        if let frame, !(0..<maxFrameNumber).contains(frame) { throw ValidationError("--frame \(frame) is not a frame number") }
        if !swap && joint == nil { throw ValidationError("give --joint NAME") }
        if to != nil && (frames != nil || joint!.joints.count != 1) {
            throw ValidationError("--to places one joint on one frame: use --frame F --joint NAME")
        }
        if let confidence, !(confidence.isFinite && (0...1).contains(confidence)) {
            throw ValidationError("--confidence \(confidence) must be between 0 and 1")
        }
    }

    var edit: Edit {
        let range = frames?.range ?? frame!..<(frame! + 1)
        let joints = joint?.joints ?? []
        if let to { return .place(frame: frame!, joint: joints[0], x: to.x, y: to.y) }
        if let by { return .move(frames: range, joints: joints, dx: by.x, dy: by.y) }
        if let confidence { return .setConfidence(frames: range, joints: joints, confidence: confidence) }
        if missing || present { return .setMissing(frames: range, joints: joints, missing: missing) }
        if pin || unpin { return .setPinned(frames: range, joints: joints, pinned: pin) }
        return .swapLeftRight(frames: range, pairs: BODY25.rightJoints)
    }
}

/// Commits one edit and reports it the way every verb does: `committed N: <label>`.
func commit(_ edit: Edit, label: String? = nil, to file: ProjectFile) throws {
    let entry = try file.apply(edit, label: label)
    Console.out("committed \(entry.index): \(entry.label)")
}

struct EditCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "edit",
        abstract: "Apply one edit (or a batch, one per line) to the project, each committed on its own.",
        discussion: """
            Examples:
              posestudio edit demo.bdmm --frame 81 --joint RWrist --by -40,12
              posestudio edit demo.bdmm --frame 81 --joint RWrist --to 310.5,702
              posestudio edit demo.bdmm --frames 60:70 --joint LKnee,LAnkle --pin
            With --batch FILE (or - for standard input), each non-empty line not starting with # holds
            the options of one edit; after each commit a line `committed N: <edit>` is printed.
            """)

    @Argument(help: "The project file.")
    var project: String

    @Option(help: "Read edits from a file, one per line (- for standard input).")
    var batch: String?

    @OptionGroup var spec: EditSpec

    func validate() throws {
        guard batch != nil else { return try spec.check() }
        if spec.frame != nil || spec.frames != nil || spec.joint != nil {
            throw ValidationError("--batch reads every edit from its file; give no edit options beside it")
        }
    }

    static func parseSpec(_ words: [String]) throws -> EditSpec {
        let spec = try EditSpec.parse(words)
        try spec.check()
        return spec
    }

    func run() throws {
        let file = try ProjectFile.open(at: project)
        defer { try? file.close() }
        guard let batch else { return try commit(spec.edit, to: file) }
        let text: String
        if batch == "-" {
            text = String(decoding: FileHandle.standardInput.readDataToEndOfFile(), as: UTF8.self)
        } else {
            guard let data = FileManager.default.contents(atPath: batch) else { throw ProjectError.notFound(path: batch) }
            text = String(decoding: data, as: UTF8.self)
        }
        for (number, line) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            let words = line.split(whereSeparator: \.isWhitespace).map(String.init)
            if words.isEmpty || words[0].hasPrefix("#") { continue }
            let spec: EditSpec
            do { spec = try Self.parseSpec(words) } catch {
                throw ValidationError("\(batch) line \(number + 1): \(EditSpec.message(for: error))")
            }
            try commit(spec.edit, to: file)
        }
    }
}

struct Undo: ParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Undo the last edit(s) of the project's journal.")
    @Argument(help: "The project file.") var project: String
    @Option(help: "How many edits to undo.") var steps = 1

    func validate() throws { if steps < 1 { throw ValidationError("--steps must be at least 1") } }

    func run() throws {
        let file = try ProjectFile.open(at: project)
        defer { try? file.close() }
        for _ in 0..<steps {
            guard let entry = try file.undo() else {
                Console.out("nothing to undo")
                break
            }
            Console.out("undid \(entry.index): \(entry.label)")
        }
        Console.out("journal: \(file.journal.position) of \(file.journal.length) edits applied")
    }
}

struct Redo: ParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Redo edit(s) undone in the project's journal.")
    @Argument(help: "The project file.") var project: String
    @Option(help: "How many edits to redo.") var steps = 1

    func validate() throws { if steps < 1 { throw ValidationError("--steps must be at least 1") } }

    func run() throws {
        let file = try ProjectFile.open(at: project)
        defer { try? file.close() }
        for _ in 0..<steps {
            guard let entry = try file.redo() else {
                Console.out("nothing to redo")
                break
            }
            Console.out("redid \(entry.index): \(entry.label)")
        }
        Console.out("journal: \(file.journal.position) of \(file.journal.length) edits applied")
    }
}

struct History: ParsableCommand {
    static let configuration = CommandConfiguration(abstract: "List the project's edit journal, oldest first.")
    @Argument(help: "The project file.") var project: String

    func run() throws {
        let file = try ProjectFile.open(at: project)
        defer { try? file.close() }
        let entries = try file.history()
        let formatter = DateFormatter()
        formatter.dateFormat = "yyyy-MM-dd HH:mm:ss"
        let width = String(entries.count).count
        for entry in entries {
            let number = String(repeating: " ", count: width - String(entry.index).count) + String(entry.index)
            Console.out("\(number)  \(entry.isApplied ? "applied" : "undone ")  \(formatter.string(from: entry.createdAt))  \(entry.label)")
        }
        Console.out("journal: \(file.journal.position) of \(file.journal.length) edits applied")
    }
}
