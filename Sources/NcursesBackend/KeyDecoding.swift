// What `wget_wch` returns, decoded into TerminalUI's `Key`. A pure function over `RawKey`, so the
// whole table is unit-tested without a terminal. Key codes are the <curses.h> constants
// themselves (never copied values); `CursesKeyCode` names them for tests and logs.
import CNcurses
import TerminalUI

/// One read from `wget_wch`: a character (it returned `OK`) or a curses key code (`KEY_CODE_YES`).
public enum RawKey: Hashable, Sendable {
    case character(UInt32)
    case keyCode(Int32)
}

/// The curses key codes the decoder understands, as <curses.h> defines them.
public enum CursesKeyCode {
    public static let up = KEY_UP, down = KEY_DOWN, left = KEY_LEFT, right = KEY_RIGHT
    /// Shift-Up and Shift-Down arrive as "scroll reverse" / "scroll forward" (terminfo kri / kind).
    public static let shiftUp = KEY_SR, shiftDown = KEY_SF, shiftLeft = KEY_SLEFT, shiftRight = KEY_SRIGHT
    public static let home = KEY_HOME, end = KEY_END, pageUp = KEY_PPAGE, pageDown = KEY_NPAGE
    public static let backTab = KEY_BTAB, enter = KEY_ENTER, backspace = KEY_BACKSPACE, delete = KEY_DC
    public static let resize = KEY_RESIZE
    /// KEY_F(n).
    public static func function(_ n: Int) -> Int32 { ps_key_f(Int32(n)) }
}

private let keyCodes: [Int32: Key] = {
    var table: [Int32: Key] = [
        CursesKeyCode.up: .up, CursesKeyCode.down: .down, CursesKeyCode.left: .left, CursesKeyCode.right: .right,
        CursesKeyCode.shiftUp: .shiftUp, CursesKeyCode.shiftDown: .shiftDown,
        CursesKeyCode.shiftLeft: .shiftLeft, CursesKeyCode.shiftRight: .shiftRight,
        CursesKeyCode.home: .home, CursesKeyCode.end: .end,
        CursesKeyCode.pageUp: .pageUp, CursesKeyCode.pageDown: .pageDown,
        CursesKeyCode.backTab: .backTab, CursesKeyCode.enter: .enter,
        CursesKeyCode.backspace: .backspace, CursesKeyCode.delete: .delete,
        CursesKeyCode.resize: .resize,
    ]
    for n in 1...12 { table[CursesKeyCode.function(n)] = .function(n) }
    return table
}()

/// Decodes one `wget_wch` result. Returns nil for what the studio has no name for (unknown key
/// codes, NUL, C0/C1 control characters other than the ones below, invalid scalars).
/// Characters: Tab (9), Enter (CR 13 — `nonl` mode — and LF 10), Esc (27), Backspace (DEL 127 and
/// BS 8), Ctrl-A…Ctrl-Z (1…26 except 8, 9, 10, 13) → `.control("a")…`; anything printable, ASCII
/// or not, → `.character`.
public func decodeKey(_ raw: RawKey) -> Key? {
    switch raw {
    case .keyCode(let code):
        return keyCodes[code]
    case .character(let value):
        switch value {
        case 9: return .tab
        case 10, 13: return .enter
        case 27: return .escape
        case 8, 127: return .backspace
        case 1...26: return .control(Character(Unicode.Scalar(UInt8(value + 96))))
        case 0..<32, 128..<160: return nil
        default: return Unicode.Scalar(value).map { .character(Character($0)) }
        }
    }
}
