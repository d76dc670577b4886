// The one place that knows whether a curses screen is up, and restores the terminal from every
// exit path: the session's deinit, `restoreIfActive()` on error paths and `atexit` (endwin); and
// from signal handlers, where endwin is not safe, with async-signal-safe calls only (the shim's
// `ps_terminal_reset_*`: write(2) of the reset sequence, tcsetattr with the modes saved before
// curses started): SIGINT / SIGTERM / SIGHUP / SIGQUIT, then the signal again with its default
// action (exit status 128 + signal), and crashes (SIGSEGV, SIGBUS, SIGILL, SIGTRAP, SIGABRT,
// SIGFPE, on an alternate signal stack), then the signal on to the handler that was there (the
// Swift runtime's backtrace prints on a restored terminal). Restoring twice is harmless.
// SIGTSTP/SIGCONT and SIGWINCH stay with ncurses (suspend restores and resumes the screen; resize
// arrives as KEY_RESIZE).
import CNcurses
import Foundation
import Synchronization

/// The id of the session whose screen is up (0 = none).
private let activeSession = Atomic<Int>(0)
private let nextSession = Atomic<Int>(1)
private let hooksInstalled = Atomic<Bool>(false)

enum TerminalRestore {
    static let fatalSignals: [Int32] = [SIGINT, SIGTERM, SIGHUP, SIGQUIT]
    static let crashSignals: [Int32] = [SIGSEGV, SIGBUS, SIGILL, SIGTRAP, SIGABRT, SIGFPE]

    /// Saves the terminal's modes for the signal-safe reset: before newterm, which already turns
    /// off echo and output newline translation.
    static func saveModes(input: Int32) { ps_terminal_reset_save_modes(input) }

    /// Arms the signal-safe reset for the screen just opened on `output` (terminfo loaded).
    static func arm(output: Int32) {
        let names: [String] = ["rmcup", "cnorm", "sgr0", "rmkx"]
        let parts = names.compactMap { (name: String) -> String? in ps_tigetstr(name).map { String(cString: $0) } }
        let sequence = parts.count == 4 ? parts.joined() : "\u{1B}[0m\u{1B}[?25h\u{1B}[?1049l\u{1B}[?1l\u{1B}>"
        ps_terminal_reset_sequence(output, sequence)
        ps_terminal_reset_arm(1)
    }

    /// Marks a new session as up; nil when one already is.
    static func begin() -> Int? {
        let id = nextSession.add(1, ordering: .sequentiallyConsistent).oldValue
        guard activeSession.compareExchange(expected: 0, desired: id, ordering: .sequentiallyConsistent).exchanged else {
            return nil
        }
        installHooks()
        return id
    }

    static func isActive(_ session: Int) -> Bool { activeSession.load(ordering: .sequentiallyConsistent) == session }

    /// endwin for `session` if its screen is still up.
    static func end(_ session: Int) {
        if activeSession.compareExchange(expected: session, desired: 0, ordering: .sequentiallyConsistent).exchanged {
            ps_terminal_reset_arm(0)
            endwin()
        }
    }

    /// endwin for whichever session is up.
    static func endAny() {
        if activeSession.exchange(0, ordering: .sequentiallyConsistent) != 0 {
            ps_terminal_reset_arm(0)
            endwin()
        }
    }

    /// Installed once per process, after the first newterm (so they replace ncurses' own SIGINT and
    /// SIGTERM handlers, which exit with status 1). Signals the process ignores stay ignored; blocked
    /// ones (and SIGWINCH, SIGTSTP, SIGCONT) are unblocked on the calling thread, which also gets an
    /// alternate signal stack.
    private static func installHooks() {
        guard !hooksInstalled.exchange(true, ordering: .sequentiallyConsistent) else { return }
        atexit { TerminalRestore.endAny() }
        _ = ps_install_alternate_stack()
        for sig in fatalSignals { _ = ps_install_reset_handler(sig, 0) }
        for sig in crashSignals { _ = ps_install_reset_handler(sig, 1) }
        // A parent may have left these blocked (the mask is inherited across exec): a blocked
        // SIGTERM would never reach the handler, a blocked SIGWINCH never becomes KEY_RESIZE.
        var unblock = sigset_t()
        sigemptyset(&unblock)
        for sig in fatalSignals + [SIGWINCH, SIGTSTP, SIGCONT] { sigaddset(&unblock, sig) }
        pthread_sigmask(SIG_UNBLOCK, &unblock, nil)
    }
}
