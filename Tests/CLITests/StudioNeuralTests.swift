// Neural renders in the studio, through `debug screen` (the real wiring on the test terminal) with
// the parity fixture's weights at 128×64: `r` renders the current window through the render
// cache, an edit renders it again after the refit is stored, undo brings back the cached window,
// and without weights the neural view says where to put them.
import Foundation
import Testing

@Suite(.serialized) struct StudioNeuralTests {
    static let weights = CLI.root.appendingPathComponent("Tests/Fixtures/bdmm/generator_state_dict.pth").path

    /// `debug screen` in an environment with its own cache and data directories.
    static func screen(_ project: String, keys: String, dir: TemporaryDirectory, weights: Bool = true) throws -> (status: Int32, lines: [String]) {
        var arguments = [CLI.binary.path, "debug", "screen", project, "--keys", keys, "--size", "100x30", "--render-size", "128x64"]
        if weights { arguments += ["--weights", Self.weights] }
        let r = try MediaCLI.shell(arguments.map(MediaCLI.quoted).joined(separator: " "),
                                   environment: ["XDG_CACHE_HOME": dir.file("cache"), "XDG_DATA_HOME": dir.file("data")])
        #expect(r.err.isEmpty, "\(r.err)")
        return (r.status, r.out.split(separator: "\n", omittingEmptySubsequences: false).map(String.init))
    }

    static func renderStrip(_ lines: [String]) -> String {
        lines.first { $0.hasPrefix("│render ") }.map { String($0.dropFirst("│render ".count).prefix(8)) } ?? ""
    }

    /// Canvas rows (inside the canvas frame) holding picture cells: block or quadrant characters.
    static func pictureRows(_ lines: [String]) -> Int {
        lines.dropFirst(2).prefix(20).filter { line in
            line.unicodeScalars.contains { (0x2580...0x259F).contains($0.value) }
        }.count
    }

    @Test func rRendersTheWindowAnEditRendersItAgainAndUndoReusesTheCache() throws {
        let dir = TemporaryDirectory()
        let project = try CLI.newDemo(in: dir.path)
        // Stored fits: the studio reads them instead of fitting 100 frames, and refits an edited frame.
        #expect(try CLI.run(["fit", project]).status == 0)

        let before = try Self.screen(project, keys: "t t", dir: dir)
        #expect(before.status == 0)
        #expect(before.lines.contains { $0.contains("view neural") })
        #expect(before.lines.contains { $0.contains("not rendered (r: window, R: all)") })
        #expect(Self.pictureRows(before.lines) == 0)

        let rendered = try Self.screen(project, keys: "t t r wait", dir: dir)
        #expect(rendered.lines.last { !$0.isEmpty }?.contains("neural render: 6 frames, 1 window computed, 0 from the cache") == true,
                "\(rendered.lines.joined(separator: "\n"))")
        #expect(Self.renderStrip(rendered.lines) == "■■■■■■··")
        #expect(Self.pictureRows(rendered.lines) > 10)
        #expect(!rendered.lines.contains { $0.contains("not rendered") })

        // Nudge RWrist on frame 1: the refit is stored, then the window is rendered again (new inputs).
        let edited = try Self.screen(project, keys: "t t r wait l d wait", dir: dir)
        #expect(edited.lines.last { !$0.isEmpty }?.contains("neural render: 6 frames, 1 window computed, 0 from the cache") == true,
                "\(edited.lines.joined(separator: "\n"))")
        #expect(Self.renderStrip(edited.lines) == "■■■■■■··")
        let history = try CLI.run(["history", project])
        #expect(history.out.contains("move RWrist by (+1, +0) at frame 1"))
        #expect(history.out.contains("refitted SMPL on frame 1"))

        // Undo takes the nudge and its refit back: the first render's window comes from the cache.
        let undone = try Self.screen(project, keys: "t t r wait u wait", dir: dir)
        #expect(undone.lines.last { !$0.isEmpty }?.contains("neural render: 6 frames, 0 windows computed, 1 from the cache") == true,
                "\(undone.lines.joined(separator: "\n"))")
        #expect(Self.pictureRows(undone.lines) > 10)
    }

    @Test func withoutWeightsTheNeuralViewSaysWhereToPutThem() throws {
        let dir = TemporaryDirectory()
        let project = try CLI.newDemo(in: dir.path)
        // `:view neural` (t would pass the draft view, which fits 100 bodies first).
        let view = try Self.screen(project, keys: ": v i e w Space n e u r a l Enter", dir: dir, weights: false)
        #expect(view.status == 0)
        #expect(view.lines.contains { $0.contains("neural render: no generator weights") })
        let missing = try MediaCLI.shell([CLI.binary.path, "debug", "screen", project, "--weights", dir.file("nothing.pth")]
            .map(MediaCLI.quoted).joined(separator: " "))
        #expect(missing.status != 0)
        #expect(missing.err.contains("nothing.pth: no such weights file (--weights)"), "\(missing.err)")
    }
}
