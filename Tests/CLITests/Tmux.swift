// A private tmux server for driving the real binary in a terminal (debug terminal, the studio).
import Foundation

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
        guard let tmux = Tmux.path else { throw Failure(description: "tmux is not installed (scripts/bootstrap.sh installs it)") }
        let argv = ([tmux, "-L", socket] + arguments).map { strdup($0) } + [nil]
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
        let spawned = posix_spawn(&pid, tmux, &actions, &attributes, argv, environ)
        guard spawned == 0 else { throw Failure(description: "cannot start tmux: error \(spawned)") }
        var status: Int32 = 0
        let watchdog = Watchdog(pid: pid, seconds: 60)
        while waitpid(pid, &status, 0) < 0 && errno == EINTR {}
        watchdog.cancel()
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
        try waitUntil(text.debugDescription) { $0.contains(text) }
    }

    /// The first capture that satisfies `condition` (a screen caught mid-redraw does not).
    func waitUntil(_ what: String, _ condition: (String) -> Bool) throws -> String {
        let deadline = Date().addingTimeInterval(20)
        var screen = ""
        while Date() < deadline {
            screen = try capture()
            if condition(screen) { return screen }
            Thread.sleep(forTimeInterval: 0.1)
        }
        throw Failure(description: "the screen never showed \(what); it shows:\n\(screen)")
    }
}
