// `posestudio debug terminal` driven in a real terminal (tmux) as a person would: keys typed,
// the screen read back, the window resized, then q or SIGTERM — after which the terminal must be
// back to normal (main screen, cursor visible). Each test uses its own tmux server socket.
import Foundation
import Testing

@Suite(.serialized, .enabled(if: CI.runs(needing: Tmux.path != nil), "tmux is not installed (scripts/bootstrap.sh installs it)"))
struct DebugTerminalTests {
    /// The pane runs the studio backend under a shell that reports its exit status and stays
    /// alive, so the pane's modes after the exit can be read.
    static func session(term: String = "tmux-256color") -> String {
        "env TERM=\(term) LANG=C.UTF-8 '\(CLI.binary.path)' debug terminal; echo \"exit status $?\"; sleep 60"
    }

    @Test func drawsThePatternEchoesKeysFollowsResizeAndRestoresOnQuit() throws {
        let tmux = try Tmux(command: Self.session(), columns: 120, rows: 30)
        var screen = try tmux.waitFor("size 120x30")
        #expect(screen.contains("ansi16 0123456789abcdef"))
        #expect(screen.contains("attrs  bold dim reverse underline italic"))
        #expect(screen.contains("wide   日本|end"))
        #expect(screen.contains("colours 256  pairs 65536"))
        let escapes = try tmux.capture(escapes: true)
        for sgr in ["\u{1B}[1m", "\u{1B}[2m", "\u{1B}[7m", "\u{1B}[4m", "\u{1B}[3m", "\u{1B}[41m", "\u{1B}[101m", "\u{1B}[48;5;"] {
            #expect(escapes.contains(sgr), "no \(sgr.debugDescription) on screen")
        }
        // RGB on a 256-colour terminal comes out as the nearest palette entries.
        #expect(escapes.contains("\u{1B}[48;5;27m"))

        for key in ["a", "Up", "C-r", "F5", "S-Left", "S-Up", "BTab", "Enter", "BSpace", "DC", "Home", "NPage", "Escape", "é", "Space"] {
            try tmux.sendKeys(key)
        }
        screen = try tmux.waitFor("last key: Space")
        #expect(screen.contains("keys: a Up Ctrl-R F5 Shift-Left Shift-Up Shift-Tab Enter Backspace Delete Home PageDown Esc é Space"))

        try tmux.run(["resize-window", "-t", "t", "-x", "80", "-y", "24"])
        screen = try tmux.waitFor("size 80x24")
        #expect(screen.contains("keys: a Up Ctrl-R"))

        try tmux.sendKeys("q")
        _ = try tmux.waitFor("exit status 0")
        #expect(try tmux.format("#{alternate_on} #{cursor_flag}") == "0 1")
    }

    @Test func sigtermRestoresTheTerminalAndExitsWith143() throws {
        let tmux = try Tmux(command: Self.session(), columns: 90, rows: 20)
        let screen = try tmux.waitFor("size 90x20")
        let pid = try #require(screen.firstMatch(of: /pid (\d+)/).flatMap { Int32($0.1) })
        #expect(kill(pid, SIGTERM) == 0)
        _ = try tmux.waitFor("exit status 143")
        #expect(try tmux.format("#{alternate_on} #{cursor_flag}") == "0 1")
    }

    @Test func unknownTerminalTypeIsAClearError() throws {
        let tmux = try Tmux(command: Self.session(term: "no-such-terminal"), columns: 120, rows: 10)
        let screen = try tmux.waitFor("exit status 1")
        #expect(screen.contains("posestudio: debug terminal: unknown terminal type TERM=no-such-terminal"))
        #expect(try tmux.format("#{alternate_on}") == "0")
    }

    @Test func refusesWhenOutputIsNotATerminal() throws {
        let result = try CLI.run(["debug", "terminal"])
        #expect(result.status == 1)
        #expect(result.err.contains("standard output is not a terminal"))
    }
}
