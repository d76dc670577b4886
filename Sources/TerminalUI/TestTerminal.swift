// The in-memory terminal: scripted keys in, presented grids out. Tests and `bench studio` drive
// the studio through it exactly as ncurses does, and snapshot what it would show.

public struct TestTerminal: TerminalScreen {
    public var size: TerminalSize
    /// Keys still to deliver, first first.
    public var pendingKeys: [Key]
    /// The last presented grid.
    public private(set) var screen: CellGrid
    public private(set) var presentCount = 0
    /// Called after every present (the latency probe of `bench studio`).
    public var onPresent: (() -> Void)?

    public init(size: TerminalSize, keys: [Key] = []) {
        self.size = size
        pendingKeys = keys
        screen = CellGrid(columns: size.columns, rows: size.rows)
    }

    public mutating func present(_ grid: CellGrid) {
        screen = grid
        presentCount += 1
        onPresent?()
    }

    /// The next scripted key, or nil when the script is used up.
    public mutating func readKey(timeoutMilliseconds: Int) -> Key? {
        pendingKeys.isEmpty ? nil : pendingKeys.removeFirst()
    }

    /// Changes the size and queues the resize event, as a terminal does.
    public mutating func resize(to newSize: TerminalSize) {
        size = newSize
        pendingKeys.insert(.resize, at: 0)
    }
}
