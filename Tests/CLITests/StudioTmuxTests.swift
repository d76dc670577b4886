// The studio end to end: the real binary in a tmux pane (TERM=tmux-256color), driven by keys as a
// person would, checked against the CLI twins of the same actions and against the terminal's
// state after it quits. Uses the `Tmux` helper (a private server per test).
import Foundation
import Testing

@Suite(.serialized, .enabled(if: CI.runs(needing: Tmux.path != nil), "tmux is not installed (scripts/bootstrap.sh installs it)"))
struct StudioTmuxTests {
    static func session(_ project: String, extra: String = "") -> String {
        "env TERM=tmux-256color LANG=C.UTF-8 \(extra) '\(CLI.binary.path)' open '\(project)'; echo \"exit status $?\"; sleep 60"
    }

    static func press(_ tmux: Tmux, _ keys: String...) throws {
        for key in keys { try tmux.sendKeys(key) }
    }

    static func type(_ tmux: Tmux, _ text: String) throws {
        try tmux.run(["send-keys", "-t", "t", "-l", text])
        Thread.sleep(forTimeInterval: 0.1)
    }

    @Test func keysMakeTheSameChangesAsTheCLITwinsAndTheTerminalIsRestored() throws {
        let dir = TemporaryDirectory()
        let studio = try CLI.newDemo(in: dir.path)
        let twin = dir.file("twin.bdmm")
        try FileManager.default.copyItem(atPath: studio, toPath: twin)

        let tmux = try Tmux(command: Self.session(studio), columns: 120, rows: 40)
        _ = try tmux.waitFor("NORMAL")
        try Self.press(tmux, "l", "l", "l")
        _ = try tmux.waitFor(" 3/99 ")
        try Self.press(tmux, "Tab")
        try Self.type(tmux, "'")
        try Self.type(tmux, "RWrist")
        try Self.press(tmux, "Enter")
        _ = try tmux.waitFor("timeline · RWrist")
        try Self.press(tmux, "d", "S", "u", "C-r")
        _ = try tmux.waitFor("redo: move RWrist by (+0, +10)")
        try Self.press(tmux, "v", "L", "v", "=")
        _ = try tmux.waitFor(":filter median 5 joints=RWrist frames=3:14")
        try Self.press(tmux, "Enter")
        _ = try tmux.waitFor("median 5")
        // A second studio on the same project is refused while this one runs.
        let second = try CLI.run(["open", studio])
        #expect(second.status == 1)
        #expect(second.err.contains("already open in another posestudio studio"))
        try Self.press(tmux, "q")
        _ = try tmux.waitFor("exit status 0")
        #expect(try tmux.format("#{alternate_on} #{cursor_flag}") == "0 1")

        for arguments in [["edit", twin, "--frame", "3", "--joint", "RWrist", "--by", "1,0"],
                          ["edit", twin, "--frame", "3", "--joint", "RWrist", "--by", "0,10"],
                          ["undo", twin], ["redo", twin],
                          ["filter", twin, "--median", "5", "--joints", "RWrist", "--frames", "3:14"]] {
            let result = try CLI.run(arguments)
            #expect(result.status == 0, "\(arguments): \(result.err)")
        }
        let fromStudio = try CLI.run(["export", studio, "--format", "json", "--poses", "-"])
        let fromTwin = try CLI.run(["export", twin, "--format", "json", "--poses", "-"])
        #expect(fromStudio.status == 0 && fromTwin.status == 0)
        #expect(fromStudio.out == fromTwin.out)
        let pristine = TemporaryDirectory()
        let original = try CLI.run(["export", try CLI.newDemo(in: pristine.path), "--format", "json", "--poses", "-"])
        #expect(fromStudio.out != original.out)
        let historyStudio = try CLI.run(["history", studio]).out, historyTwin = try CLI.run(["history", twin]).out
        #expect(historyStudio.split(separator: "\n").count == historyTwin.split(separator: "\n").count)
    }

    @Test func resizingRedrawsAndTooSmallSaysSo() throws {
        let dir = TemporaryDirectory()
        let project = try CLI.newDemo(in: dir.path)
        let tmux = try Tmux(command: Self.session(project), columns: 100, rows: 30)
        _ = try tmux.waitFor("inspector")
        try tmux.run(["resize-window", "-t", "t", "-x", "60", "-y", "20"])
        // Waiting for the message's last line: a capture taken while the first was drawn would lack it.
        var screen = try tmux.waitFor("enlarge it, or q to quit")
        #expect(screen.contains("needs at least 80×24") && screen.contains("this terminal is 60×20"))
        try tmux.run(["resize-window", "-t", "t", "-x", "150", "-y", "45"])
        // The full redraw at the new size: its bottom border (drawn after the inspector) spans 150 columns.
        screen = try tmux.waitUntil("a 150-column frame") { screen in
            screen.contains("inspector") && screen.split(separator: "\n", omittingEmptySubsequences: false)
                .contains { $0.count == 150 && $0.hasPrefix("└") && $0.hasSuffix("┘") }
        }
        #expect(!screen.contains("needs at least"))
        try Self.press(tmux, "l")
        _ = try tmux.waitFor(" 1/99 ")
        try Self.press(tmux, "q")
        _ = try tmux.waitFor("exit status 0")
        #expect(try tmux.format("#{alternate_on} #{cursor_flag}") == "0 1")
    }

    @Test func sigtermRestoresTheTerminal() throws {
        let dir = TemporaryDirectory()
        let project = try CLI.newDemo(in: dir.path)
        let tmux = try Tmux(command: Self.session(project), columns: 100, rows: 30)
        _ = try tmux.waitFor("NORMAL")
        let pid = try tmux.format("#{pane_pid}")
        // The pane runs sh; the studio is its child.
        let children = try String(contentsOfFile: "/proc/\(pid)/task/\(pid)/children", encoding: .utf8)
        let studio = try #require(children.split(separator: " ").first.flatMap { Int32($0) })
        #expect(kill(studio, SIGTERM) == 0)
        _ = try tmux.waitFor("exit status 143")
        #expect(try tmux.format("#{alternate_on} #{cursor_flag}") == "0 1")
    }
}

@Suite(.serialized, .enabled(if: CI.runs(needing: Tmux.path != nil), "tmux is not installed (scripts/bootstrap.sh installs it)"))
struct StudioCrashTests {
    /// A trap inside the studio (its hidden debug switch traps after the first screen) leaves the
    /// shell a visible cursor, the main screen and cooked mode.
    @Test func aCrashRestoresTheTerminal() throws {
        let dir = TemporaryDirectory()
        let project = try CLI.newDemo(in: dir.path)
        let command = "env TERM=tmux-256color LANG=C.UTF-8 SWIFT_BACKTRACE=interactive=no POSESTUDIO_DEBUG_TRAP_AFTER_FIRST_SCREEN=1 '\(CLI.binary.path)' open '\(project)' 2>/dev/null; "
            + "echo \"exit status $?\"; stty -a | tr ' ;' '\\n\\n' | grep -x -e icanon -e -icanon -e echo -e -echo | tr '\\n' ' '; echo modes; sleep 60"
        let tmux = try Tmux(command: command, columns: 100, rows: 30)
        let screen = try tmux.waitFor("modes")
        #expect(screen.contains("exit status 132") || screen.contains("exit status 133") || screen.contains("exit status 134"), "\(screen)")
        #expect(screen.contains("icanon echo modes"), "cooked mode: \(screen)")
        #expect(try tmux.format("#{alternate_on} #{cursor_flag}") == "0 1")
    }
}
