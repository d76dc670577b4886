// The seed of TerminalUI: a terminal cell (one character, a foreground and a background colour),
// the colour type (terminal default, 16 ANSI, 256 indexed, 24-bit truecolor) and a fixed-size
// grid of cells. TerminalPreview produces grids; the studio issue extends this target with
// surfaces, layout, widgets and themes. No terminal I/O here.

/// A terminal colour as the terminal understands it.
public enum TerminalColor: Hashable, Sendable {
    /// The terminal's own default foreground or background (SGR 39 / 49).
    case `default`
    /// One of the 16 ANSI colours: 0–7 normal, 8–15 bright.
    case ansi16(UInt8)
    /// An index into the xterm 256-colour palette.
    case indexed256(UInt8)
    /// A 24-bit colour.
    case rgb(UInt8, UInt8, UInt8)
}

/// Text attributes of a cell (what themes may ask for besides colours).
public struct CellAttributes: OptionSet, Hashable, Sendable {
    public let rawValue: UInt8
    public init(rawValue: UInt8) { self.rawValue = rawValue }
    public static let bold = CellAttributes(rawValue: 1 << 0)
    public static let dim = CellAttributes(rawValue: 1 << 1)
    public static let reverse = CellAttributes(rawValue: 1 << 2)
    public static let underline = CellAttributes(rawValue: 1 << 3)
    public static let italic = CellAttributes(rawValue: 1 << 4)
}

/// One character cell.
public struct Cell: Hashable, Sendable {
    /// The character shown. `Cell.continuation` marks the right half of a double-width glyph
    /// drawn in the cell to its left; writers print nothing for it.
    public var character: Character
    public var foreground: TerminalColor
    public var background: TerminalColor
    public var attributes: CellAttributes

    public init(_ character: Character = " ", foreground: TerminalColor = .default, background: TerminalColor = .default,
                attributes: CellAttributes = []) {
        self.character = character
        self.foreground = foreground
        self.background = background
        self.attributes = attributes
    }

    /// The right half of a wide character (the character is NUL and is never printed).
    public static let continuation = Cell("\u{0}")
    public var isContinuation: Bool { character == "\u{0}" }
}

/// A `columns × rows` grid of cells, row-major (row 0 at the top).
public struct CellGrid: Hashable, Sendable {
    public let columns: Int
    public let rows: Int
    public private(set) var cells: [Cell]

    /// A grid filled with `fill`. Traps when a dimension is negative (a programmer error).
    public init(columns: Int, rows: Int, fill: Cell = Cell()) {
        precondition(columns >= 0 && rows >= 0, "CellGrid needs non-negative size, got \(columns)x\(rows)")
        self.columns = columns
        self.rows = rows
        cells = Array(repeating: fill, count: columns * rows)
    }

    /// The cell at column `x`, row `y` (both 0-based).
    public subscript(x: Int, y: Int) -> Cell {
        get {
            precondition(x >= 0 && x < columns && y >= 0 && y < rows, "cell (\(x), \(y)) outside \(columns)x\(rows)")
            return cells[y * columns + x]
        }
        set {
            precondition(x >= 0 && x < columns && y >= 0 && y < rows, "cell (\(x), \(y)) outside \(columns)x\(rows)")
            cells[y * columns + x] = newValue
        }
    }

    /// The cells of row `y`, left to right.
    public func row(_ y: Int) -> ArraySlice<Cell> { cells[y * columns ..< (y + 1) * columns] }
}
