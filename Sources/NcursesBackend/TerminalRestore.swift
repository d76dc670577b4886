// The one place that knows whether a curses screen is up, and restores the terminal from every
// exit path: the session's deinit, `restoreIfActive()` on error paths, `atexit`, and SIGINT /
// SIGTERM / SIGHUP / SIGQUIT (endwin, then the signal again with its default action, so the exit
// status is 128 + signal). Restoring twice is harmless. SIGTSTP/SIGCONT and SIGWINCH stay with
// ncurses' own handlers (suspend restores and resumes the screen; resize arrives as KEY_RESIZE).
import CNcurses
import Foundation
import Synchronization

/// The id of the session whose screen is up (0 = none).
private let activeSession = Atomic<Int>(0)
private let nextSession = Atomic<Int>(1)
private let hooksInstalled = Atomic<Bool>(false)

enum TerminalRestore {
    static let fatalSignals: [Int32] = [SIGINT, SIGTERM, SIGHUP, SIGQUIT]

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
            endwin()
        }
    }

    /// endwin for whichever session is up.
    static func endAny() {
        if activeSession.exchange(0, ordering: .sequentiallyConsistent) != 0 {
            endwin()
        }
    }

    /// Installed once per process, after the first newterm (so they replace ncurses' own SIGINT and
    /// SIGTERM handlers, which exit with status 1). Signals the process ignores stay ignored; blocked
    /// ones (and SIGWINCH, SIGTSTP, SIGCONT) are unblocked on the calling thread.
    private static func installHooks() {
        guard !hooksInstalled.exchange(true, ordering: .sequentiallyConsistent) else { return }
        atexit { TerminalRestore.endAny() }
        for sig in fatalSignals {
            var previous = sigaction()
            sigaction(sig, nil, &previous)
            if unsafeBitCast(previous.__sigaction_handler.sa_handler, to: Int.self) == unsafeBitCast(SIG_IGN, to: Int.self) {
                continue
            }
            var action = sigaction()
            action.__sigaction_handler.sa_handler = { sig in
                TerminalRestore.endAny()
                signal(sig, SIG_DFL)
                raise(sig)
            }
            sigemptyset(&action.sa_mask)
            action.sa_flags = 0
            sigaction(sig, &action, nil)
        }
        // A parent may have left these blocked (the mask is inherited across exec): a blocked
        // SIGTERM would never reach the handler, a blocked SIGWINCH never becomes KEY_RESIZE.
        var unblock = sigset_t()
        sigemptyset(&unblock)
        for sig in fatalSignals + [SIGWINCH, SIGTSTP, SIGCONT] { sigaddset(&unblock, sig) }
        pthread_sigmask(SIG_UNBLOCK, &unblock, nil)
    }
}
