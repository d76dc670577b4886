// `posestudio debug terminal` driven in a real terminal (tmux) as a person would: keys typed,
// the screen read back, the window resized, then q or SIGTERM — after which the terminal must be
// back to normal (main screen, cursor visible). Each test uses its own tmux server socket.
import Foundation
import Testing

@Suite(.serialized, .enabled(if: Tmux.path != nil, "tmux is not installed (scripts/bootstrap.sh installs it)"))
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

/// One private tmux server (`-L` socket) with one session `t`; killed when dropped.
final class Tmux {
    static let path: String? = ["/usr/bin/tmux", "/usr/local/bin/tmux", "/bin/tmux"].first {
        FileManager.default.isExecutableFile(atPath: $0)
    }
    let socket = "posestudio-test-\(getpid())-\(UUID().uuidString.prefix(8))"

    init(command: String, columns: Int, rows: Int) throws {
        try run(["-f", "/dev/null", "new-session", "-d", "-s", "t", "-x", "\(columns)", "-y", "\(rows)", command])
    }

    deinit { _ = try? run(["kill-server"]) }

    struct Failure: Error, CustomStringConvertible {
        var description: String
    }

    /// Runs `tmux -L socket arguments…` and returns its stdout. posix_spawn + waitpid rather than
    /// Foundation's Process: the server that `new-session` forks inherits the client's descriptors,
    /// including the one Process watches to learn that the child exited, so Process never returns.
    @discardableResult
    func run(_ arguments: [String]) throws -> String {
        let outPath = NSTemporaryDirectory() + "tmux-\(UUID().uuidString).out"
        defer { unlink(outPath) }
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
        posix_spawn_file_actions_addopen(&actions, 1, outPath, O_WRONLY | O_CREAT | O_TRUNC, 0o600)
        posix_spawn_file_actions_addopen(&actions, 2, "/dev/null", O_WRONLY, 0)
        let argv = ([Tmux.path!, "-L", socket] + arguments).map { strdup($0) } + [nil]
        defer { argv.forEach { free($0) } }
        // A person's shell blocks no signals; the test runner's threads block most, and the mask is
        // inherited by the server and the panes (SIGWINCH, SIGTERM, SIGHUP would never arrive).
        var attributes = posix_spawnattr_t()
        posix_spawnattr_init(&attributes)
        defer { posix_spawnattr_destroy(&attributes) }
        var none = sigset_t()
        sigemptyset(&none)
        posix_spawnattr_setsigmask(&attributes, &none)
        posix_spawnattr_setflags(&attributes, Int16(POSIX_SPAWN_SETSIGMASK))
        var pid: pid_t = 0
        let spawned = posix_spawn(&pid, Tmux.path!, &actions, &attributes, argv, environ)
        guard spawned == 0 else { throw Failure(description: "cannot start tmux: error \(spawned)") }
        var status: Int32 = 0
        while waitpid(pid, &status, 0) < 0 && errno == EINTR {}
        let output = String(decoding: FileManager.default.contents(atPath: outPath) ?? Data(), as: UTF8.self)
        guard status == 0 else {
            throw Failure(description: "tmux \(arguments.joined(separator: " ")) failed (wait status \(status))")
        }
        return output
    }

    func capture(escapes: Bool = false) throws -> String {
        try run(["capture-pane", "-t", "t", "-p"] + (escapes ? ["-e"] : []))
    }

    func format(_ format: String) throws -> String {
        try run(["display-message", "-t", "t", "-p", format]).trimmingCharacters(in: .whitespacesAndNewlines)
    }

    func sendKeys(_ key: String) throws {
        try run(["send-keys", "-t", "t", key])
        Thread.sleep(forTimeInterval: 0.05)
    }

    /// Polls the screen until it shows `text` (20 s at most, for a busy machine).
    func waitFor(_ text: String) throws -> String {
        let deadline = Date().addingTimeInterval(20)
        var screen = ""
        while Date() < deadline {
            screen = try capture()
            if screen.contains(text) { return screen }
            Thread.sleep(forTimeInterval: 0.1)
        }
        throw Failure(description: "the screen never showed \(text.debugDescription); it shows:\n\(screen)")
    }
}
