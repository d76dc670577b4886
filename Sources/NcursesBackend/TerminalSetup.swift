// Checks made before ncurses takes the terminal: TERM has a terminfo entry that can address the
// cursor (so failures are a clear error instead of ncurses exiting or drawing garbage), and the
// character locale is UTF-8 (wide characters and box drawing need it).
import CNcurses
import Foundation

extension NcursesTerminal {
    /// Looks `term` up (setupterm, silently) and throws what makes it unusable.
    static func checkTerminfo(_ term: String) throws {
        switch ps_check_terminfo(term) {
        case 0: return
        case 1: throw TerminalError.unusableTerminal(term, reason: "it is a hardcopy terminal")
        case -1: throw TerminalError.noTerminfoDatabase(term)
        case -3: throw TerminalError.unusableTerminal(term, reason: "it cannot move the cursor")
        case -4: throw TerminalError.unusableTerminal(term, reason: "it cannot clear the screen")
        default: throw TerminalError.unknownTerminalType(term)
        }
    }

    /// `setlocale(LC_ALL, "")`, then C.UTF-8 for the characters when the environment's locale is
    /// not UTF-8 (a bare `C` locale would show every non-ASCII character as an escape).
    static func useUTF8Locale() {
        setlocale(LC_ALL, "")
        if let codeset = nl_langinfo(nl_item(CODESET)), String(cString: codeset) == "UTF-8" { return }
        setlocale(LC_CTYPE, "C.UTF-8")
    }
}
