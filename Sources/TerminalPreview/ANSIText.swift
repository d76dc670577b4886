// Cells → text with ANSI SGR colour sequences, for printing a preview to a terminal (or a file).
// A colour sequence is written only when a cell's colours differ from the previous cell's; each
// row ends with a reset and a newline. Continuation cells (right halves of wide glyphs) print nothing.
import TerminalUI

public enum ANSIText {
    public static let reset = "\u{1B}[0m"

    /// The grid as lines of text with colour sequences.
    public static func render(_ grid: CellGrid) -> String {
        var out = ""
        out.reserveCapacity(grid.columns * grid.rows * 20)
        for y in 0..<grid.rows {
            var current: (TerminalColor, TerminalColor)? = nil
            for cell in grid.row(y) where !cell.isContinuation {
                if current == nil || current! != (cell.foreground, cell.background) {
                    out += sgr(foreground: cell.foreground, background: cell.background)
                    current = (cell.foreground, cell.background)
                }
                out.append(cell.character)
            }
            out += reset + "\n"
        }
        return out
    }

    /// The SGR sequence selecting these colours (starting from a reset).
    public static func sgr(foreground: TerminalColor, background: TerminalColor) -> String {
        "\u{1B}[0;" + code(foreground, background: false) + ";" + code(background, background: true) + "m"
    }

    static func code(_ color: TerminalColor, background: Bool) -> String {
        switch color {
        case .default: return background ? "49" : "39"
        case let .ansi16(n):
            let n = Int(n & 15)
            return String(n < 8 ? (background ? 40 : 30) + n : (background ? 100 : 90) + n - 8)
        case let .indexed256(n): return (background ? "48;5;" : "38;5;") + String(n)
        case let .rgb(r, g, b): return (background ? "48;2;" : "38;2;") + "\(r);\(g);\(b)"
        }
    }
}
