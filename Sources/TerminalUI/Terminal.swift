// What a terminal is to the studio: a size, a key source and a place to present a finished grid of
// cells. The ncurses session (NcursesBackend) and the in-memory test backend (TestTerminal) both
// implement `TerminalScreen`; nothing above this protocol knows which one it is talking to.

/// A terminal size in cells.
public struct TerminalSize: Hashable, Sendable, CustomStringConvertible {
    public var columns: Int
    public var rows: Int
    public init(columns: Int, rows: Int) {
        self.columns = columns
        self.rows = rows
    }
    public var description: String { "\(columns)x\(rows)" }
}

/// One decoded key press (or a terminal event that arrives through the key queue).
public enum Key: Hashable, Sendable, CustomStringConvertible {
    /// A printable character, already shifted (`"H"` for Shift-h, `" "` for space).
    case character(Character)
    /// Ctrl with a letter: `.control("r")` is Ctrl-R (always lower case).
    case control(Character)
    case up, down, left, right
    case shiftUp, shiftDown, shiftLeft, shiftRight
    case home, end, pageUp, pageDown
    case tab, backTab, enter, escape, backspace, delete
    case function(Int)
    /// The terminal changed size; read `TerminalScreen.size` again.
    case resize

    public var description: String {
        switch self {
        case .character(" "): return "Space"
        case .character(let c): return String(c)
        case .control(let c): return "Ctrl-\(c.uppercased())"
        case .up: return "Up"
        case .down: return "Down"
        case .left: return "Left"
        case .right: return "Right"
        case .shiftUp: return "Shift-Up"
        case .shiftDown: return "Shift-Down"
        case .shiftLeft: return "Shift-Left"
        case .shiftRight: return "Shift-Right"
        case .home: return "Home"
        case .end: return "End"
        case .pageUp: return "PageUp"
        case .pageDown: return "PageDown"
        case .tab: return "Tab"
        case .backTab: return "Shift-Tab"
        case .enter: return "Enter"
        case .escape: return "Esc"
        case .backspace: return "Backspace"
        case .delete: return "Delete"
        case .function(let n): return "F\(n)"
        case .resize: return "Resize"
        }
    }
}

/// A terminal the studio can drive. `present` shows a complete frame (implementations draw only
/// what changed); `readKey` waits at most `timeoutMilliseconds` (0 = poll, negative = block).
public protocol TerminalScreen: ~Copyable {
    var size: TerminalSize { get }
    mutating func present(_ grid: CellGrid)
    mutating func readKey(timeoutMilliseconds: Int) -> Key?
}
