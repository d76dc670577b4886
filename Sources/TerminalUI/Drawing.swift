// Drawing on a CellGrid: rectangles, text clipped to a width, boxes, and pasting one grid into
// another. Everything clips to the grid, so a pane never writes outside its rectangle by accident.

/// A rectangle of cells.
public struct Rect: Hashable, Sendable {
    public var x: Int, y: Int, width: Int, height: Int
    public init(x: Int, y: Int, width: Int, height: Int) {
        self.x = x
        self.y = y
        self.width = max(0, width)
        self.height = max(0, height)
    }
    public var maxX: Int { x + width }
    public var maxY: Int { y + height }
    public var isEmpty: Bool { width == 0 || height == 0 }
    /// The rectangle shrunk by `n` cells on every side.
    public func inset(_ n: Int) -> Rect { Rect(x: x + n, y: y + n, width: width - 2 * n, height: height - 2 * n) }
    public func contains(x px: Int, y py: Int) -> Bool { px >= x && px < maxX && py >= y && py < maxY }
}

extension CellGrid {
    public var bounds: Rect { Rect(x: 0, y: 0, width: columns, height: rows) }

    /// Sets one cell when it lies on the grid.
    public mutating func set(_ x: Int, _ y: Int, _ character: Character, _ style: Style) {
        guard x >= 0, x < columns, y >= 0, y < rows else { return }
        self[x, y] = Cell(character, foreground: style.foreground, background: style.background, attributes: style.attributes)
    }

    /// Changes only the style of a cell, keeping its character.
    public mutating func restyle(_ x: Int, _ y: Int, _ style: Style) {
        guard x >= 0, x < columns, y >= 0, y < rows else { return }
        let c = self[x, y]
        set(x, y, c.isContinuation ? " " : c.character, style)
    }

    /// Fills a rectangle with `character` in `style`.
    public mutating func fill(_ rect: Rect, _ style: Style, character: Character = " ") {
        for y in max(0, rect.y)..<min(rows, rect.maxY) {
            for x in max(0, rect.x)..<min(columns, rect.maxX) { set(x, y, character, style) }
        }
    }

    /// Writes `text` from (x, y), at most `width` cells (default: to the grid's edge); a text cut
    /// short ends in "…". Returns the number of cells written.
    @discardableResult
    public mutating func text(_ x: Int, _ y: Int, _ text: String, _ style: Style, width: Int? = nil) -> Int {
        let limit = min(width ?? (columns - x), columns - x)
        guard limit > 0, y >= 0, y < rows else { return 0 }
        var characters = Array(text)
        if characters.count > limit { characters = Array(characters.prefix(limit - 1)) + ["…"] }
        for (i, c) in characters.enumerated() { set(x + i, y, c == "\n" || c == "\t" ? " " : c, style) }
        return characters.count
    }

    /// A single-line box around `rect` with an optional title in its top edge.
    public mutating func box(_ rect: Rect, _ style: Style, title: String? = nil, titleStyle: Style? = nil) {
        guard rect.width >= 2, rect.height >= 2 else { return }
        for x in rect.x + 1..<rect.maxX - 1 {
            set(x, rect.y, "─", style)
            set(x, rect.maxY - 1, "─", style)
        }
        for y in rect.y + 1..<rect.maxY - 1 {
            set(rect.x, y, "│", style)
            set(rect.maxX - 1, y, "│", style)
        }
        set(rect.x, rect.y, "┌", style)
        set(rect.maxX - 1, rect.y, "┐", style)
        set(rect.x, rect.maxY - 1, "└", style)
        set(rect.maxX - 1, rect.maxY - 1, "┘", style)
        if let title, rect.width > 4 {
            text(rect.x + 1, rect.y, " \(title) ", titleStyle ?? style, width: rect.width - 2)
        }
    }

    /// Copies `grid` with its top-left corner at (x, y), clipped.
    public mutating func blit(_ grid: CellGrid, x: Int, y: Int) {
        for gy in 0..<grid.rows where y + gy >= 0 && y + gy < rows {
            for gx in 0..<grid.columns where x + gx >= 0 && x + gx < columns {
                self[x + gx, y + gy] = grid[gx, gy]
            }
        }
    }

    /// The rows as plain text, trailing spaces removed (continuation cells print nothing).
    public func plainText() -> String {
        (0..<rows).map { y in
            var line = ""
            for cell in row(y) where !cell.isContinuation { line.append(cell.character) }
            while line.last == " " { line.removeLast() }
            return line
        }.joined(separator: "\n")
    }
}
