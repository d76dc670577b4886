// Cells → text with ANSI SGR colour sequences, for printing a preview to a terminal (or a file).
// A colour sequence is written only when a cell's colours differ from the previous cell's; each
// row ends with a reset and a newline. Continuation cells (right halves of wide glyphs) print nothing.
import TerminalUI

public enum ANSIText {
    public static let reset = "\u{1B}[0m"

    /// The grid as lines of text with colour sequences.
    public static func render(_ grid: CellGrid) -> String {
        var out: [UInt8] = []
        out.reserveCapacity(grid.columns * grid.rows * 24)
        for y in 0..<grid.rows {
            var current: (TerminalColor, TerminalColor)? = nil
            for cell in grid.row(y) where !cell.isContinuation {
                if current == nil || current! != (cell.foreground, cell.background) {
                    appendSGR(foreground: cell.foreground, background: cell.background, to: &out)
                    current = (cell.foreground, cell.background)
                }
                out.append(contentsOf: cell.character.utf8)
            }
            out.append(contentsOf: reset.utf8)
            out.append(UInt8(ascii: "\n"))
        }
        return String(decoding: out, as: UTF8.self)
    }

    /// The SGR sequence selecting these colours (starting from a reset).
    public static func sgr(foreground: TerminalColor, background: TerminalColor) -> String {
        var bytes: [UInt8] = []
        appendSGR(foreground: foreground, background: background, to: &bytes)
        return String(decoding: bytes, as: UTF8.self)
    }

    static func appendSGR(foreground: TerminalColor, background: TerminalColor, to out: inout [UInt8]) {
        out.append(contentsOf: [0x1B, UInt8(ascii: "["), UInt8(ascii: "0"), UInt8(ascii: ";")])
        appendCode(foreground, background: false, to: &out)
        out.append(UInt8(ascii: ";"))
        appendCode(background, background: true, to: &out)
        out.append(UInt8(ascii: "m"))
    }

    static func appendCode(_ color: TerminalColor, background: Bool, to out: inout [UInt8]) {
        switch color {
        case .default: appendNumber(background ? 49 : 39, to: &out)
        case let .ansi16(n):
            let n = Int(n & 15)
            appendNumber(n < 8 ? (background ? 40 : 30) + n : (background ? 100 : 90) + n - 8, to: &out)
        case let .indexed256(n):
            out.append(contentsOf: (background ? "48;5;" : "38;5;").utf8)
            appendNumber(Int(n), to: &out)
        case let .rgb(r, g, b):
            out.append(contentsOf: (background ? "48;2;" : "38;2;").utf8)
            appendNumber(Int(r), to: &out)
            out.append(UInt8(ascii: ";"))
            appendNumber(Int(g), to: &out)
            out.append(UInt8(ascii: ";"))
            appendNumber(Int(b), to: &out)
        }
    }

    /// A non-negative number below 1000 in decimal.
    static func appendNumber(_ n: Int, to out: inout [UInt8]) {
        if n >= 100 { out.append(UInt8(ascii: "0") + UInt8(n / 100)) }
        if n >= 10 { out.append(UInt8(ascii: "0") + UInt8(n / 10 % 10)) }
        out.append(UInt8(ascii: "0") + UInt8(n % 10))
    }
}
