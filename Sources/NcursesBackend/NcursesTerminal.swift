// The ncurses terminal session: opens the screen (newterm on stdout and stdin, or /dev/tty when
// stdin is redirected), raw keys, colours and wide characters; draws only the cells that changed
// since the last frame; decodes keys. `~Copyable`: one owner, and the terminal is restored when it
// goes away or on any exit path (see TerminalRestore). Not thread-safe: ncurses is not; call it
// from one thread.
import CNcurses
import Foundation
import TerminalUI

/// Why the terminal could not be opened.
public enum TerminalError: Error, CustomStringConvertible, Equatable {
    case notATerminal(String)
    case noTerminalType
    case unknownTerminalType(String)
    case noTerminfoDatabase(String)
    case unusableTerminal(String, reason: String)
    case alreadyOpen

    public var description: String {
        switch self {
        case .notATerminal(let what):
            return "\(what) is not a terminal; the studio needs an interactive terminal (use the CLI verbs for scripts)"
        case .noTerminalType:
            return "the TERM environment variable is not set; set it to your terminal's type (for example TERM=xterm-256color)"
        case .unknownTerminalType(let term):
            return "unknown terminal type TERM=\(term): no terminfo entry for it (install ncurses-term, or set TERM to a known type such as xterm-256color)"
        case .noTerminfoDatabase(let term):
            return "cannot open the terminfo database to look up TERM=\(term) (install ncurses-base)"
        case .unusableTerminal(let term, let reason):
            return "terminal type TERM=\(term) cannot run the studio: \(reason)"
        case .alreadyOpen:
            return "a terminal session is already open in this process"
        }
    }
}

public struct NcursesTerminal: ~Copyable, TerminalScreen {
    private let session: Int
    private let screen: OpaquePointer
    private let window: UnsafeMutablePointer<WINDOW>
    private let output: UnsafeMutablePointer<FILE>
    private let input: UnsafeMutablePointer<FILE>
    private let colors: ColorMapper
    private var pairs: PairTable
    /// The grid drawn by the last `present` and the screen size it was drawn at (nil = redraw all).
    private var previous: (grid: CellGrid, size: TerminalSize)?
    private var characters: [wchar_t] = []
    private let maxCharacters = Int(ps_ccharw_max())

    /// The terminal's colour count (curses COLORS; 0 when it has none) and colour pairs.
    public let colorCount: Int
    public let pairCount: Int

    /// Opens the terminal (ncurses `newterm`): raw keys, no echo, keypad, `nonl`, 25 ms Esc delay,
    /// hidden cursor, colours with the terminal's defaults when it has them.
    /// - Parameter environment: where TERM is read from.
    /// - Throws: `TerminalError` when stdout (or stdin and /dev/tty) is not a terminal, TERM is
    ///   missing, unknown or cannot address the cursor, or a session is already open.
    public init(environment: [String: String] = ProcessInfo.processInfo.environment) throws {
        guard isatty(STDOUT_FILENO) == 1 else { throw TerminalError.notATerminal("standard output") }
        guard let term = environment["TERM"], !term.isEmpty else { throw TerminalError.noTerminalType }
        try Self.checkTerminfo(term)
        Self.useUTF8Locale()

        let inputFD: Int32
        if isatty(STDIN_FILENO) == 1 {
            inputFD = dup(STDIN_FILENO)
        } else {
            inputFD = open("/dev/tty", O_RDWR | O_CLOEXEC)
        }
        guard inputFD >= 0 else { throw TerminalError.notATerminal("standard input (and /dev/tty)") }
        guard let input = fdopen(inputFD, "r") else {
            close(inputFD)
            throw TerminalError.notATerminal("standard input")
        }
        guard let output = fdopen(dup(STDOUT_FILENO), "w") else {
            fclose(input)
            throw TerminalError.notATerminal("standard output")
        }
        guard let session = TerminalRestore.begin() else {
            fclose(input); fclose(output)
            throw TerminalError.alreadyOpen
        }
        TerminalRestore.saveModes(input: inputFD)
        guard let screen = newterm(term, output, input) else {
            TerminalRestore.end(session)
            fclose(input); fclose(output)
            throw TerminalError.unusableTerminal(term, reason: "ncurses could not open it")
        }
        set_term(screen)
        TerminalRestore.arm(output: fileno(output))
        let window = ps_stdscr()!
        raw()
        noecho()
        nonl()
        keypad(window, true)
        intrflush(window, false)
        leaveok(window, true)
        set_escdelay(25)
        curs_set(0)
        var hasDefault = false
        if has_colors() {
            start_color()
            hasDefault = use_default_colors() == OK
        }
        self.session = session
        self.screen = screen
        self.window = window
        self.output = output
        self.input = input
        colorCount = has_colors() ? Int(ps_colors()) : 0
        pairCount = has_colors() ? Int(ps_color_pairs()) : 0
        colors = ColorMapper(colors: colorCount, hasDefaultColors: hasDefault)
        pairs = PairTable(capacity: pairCount - 1)
    }

    deinit {
        TerminalRestore.end(session)
        delscreen(screen)
        fclose(output)
        fclose(input)
    }

    /// Leaves curses mode (endwin) if a session is up: for error paths that are about to print
    /// and exit. Safe to call any number of times, from anywhere.
    public static func restoreIfActive() { TerminalRestore.endAny() }

    /// The screen size in cells (updated after `.resize`).
    public var size: TerminalSize { TerminalSize(columns: Int(getmaxx(window)), rows: Int(getmaxy(window))) }

    /// Shows `grid` at the top-left corner (clipped to the screen): draws the cells that differ from
    /// the last frame (all of them after a resize or a colour-pair reset), then one refresh.
    public mutating func present(_ grid: CellGrid) {
        guard TerminalRestore.isActive(session) else { return }
        let screenSize = size
        let full = previous.map { $0.size != screenSize || $0.grid.columns != grid.columns || $0.grid.rows != grid.rows } ?? true
        if !draw(grid, on: screenSize, full: full, canReset: true) {
            pairs.reset()
            _ = draw(grid, on: screenSize, full: true, canReset: false)
        }
        previous = (grid, screenSize)
        wnoutrefresh(window)
        doupdate()
    }

    /// Waits up to `timeoutMilliseconds` (0 = poll, negative = block) for a key (ncurses
    /// `wget_wch`). Keys the studio has no name for are dropped (and, when blocking, skipped).
    public mutating func readKey(timeoutMilliseconds: Int) -> Key? {
        guard TerminalRestore.isActive(session) else { return nil }
        wtimeout(window, timeoutMilliseconds < 0 ? -1 : Int32(clamping: timeoutMilliseconds))
        while true {
            var value: wint_t = 0
            let status = wget_wch(window, &value)
            if status == ERR { return nil }
            let raw: RawKey = status == KEY_CODE_YES ? .keyCode(Int32(bitPattern: value)) : .character(value)
            if let key = decodeKey(raw) {
                if key == .resize { previous = nil }
                return key
            }
            if timeoutMilliseconds >= 0 { return nil }
        }
    }

    /// Draws the changed (or, when `full`, all) cells. Returns false when the colour pairs ran out
    /// and `canReset` (the caller then resets the pairs and draws everything again).
    private mutating func draw(_ grid: CellGrid, on screenSize: TerminalSize, full: Bool, canReset: Bool) -> Bool {
        if full { werase(window) }
        let old = full ? nil : previous?.grid
        let columns = min(grid.columns, screenSize.columns)
        let rows = min(grid.rows, screenSize.rows)
        for y in 0..<rows {
            for x in 0..<columns {
                let cell = grid[x, y]
                if cell.isContinuation { continue }
                if let old, !Self.needsDraw(x, y, new: grid, old: old) { continue }
                guard let pair = pairNumber(for: cell, canReset: canReset) else { return false }
                put(cell, x: x, y: y, pair: pair)
            }
        }
        return true
    }

    /// A cell is drawn when it changed, or when the continuation to its right changed (drawing
    /// over half a wide character blanks the whole of it).
    private static func needsDraw(_ x: Int, _ y: Int, new: CellGrid, old: CellGrid) -> Bool {
        if new[x, y] != old[x, y] { return true }
        guard x + 1 < new.columns else { return false }
        let right = new[x + 1, y], oldRight = old[x + 1, y]
        return right != oldRight && (right.isContinuation || oldRight.isContinuation)
    }

    private mutating func pairNumber(for cell: Cell, canReset: Bool) -> Int32? {
        guard colorCount > 0 else { return 0 }
        let key = PairKey(foreground: colors.number(for: cell.foreground, foreground: true),
                          background: colors.number(for: cell.background, foreground: false))
        if let (number, isNew) = pairs.pair(for: key) {
            if isNew { init_extended_pair(number, key.foreground, key.background) }
            return number
        }
        if canReset { return nil }
        let colors = self.colors
        return pairs.nearest(to: key) { a, b in
            colors.rgb(ofNumber: a.foreground, foreground: true).distance(to: colors.rgb(ofNumber: b.foreground, foreground: true))
                + colors.rgb(ofNumber: a.background, foreground: false).distance(to: colors.rgb(ofNumber: b.background, foreground: false))
        }
    }

    private mutating func put(_ cell: Cell, x: Int, y: Int, pair: Int32) {
        var attributes = ps_a_normal()
        if cell.attributes.contains(.bold) { attributes |= ps_a_bold() }
        if cell.attributes.contains(.dim) { attributes |= ps_a_dim() }
        if cell.attributes.contains(.reverse) { attributes |= ps_a_reverse() }
        if cell.attributes.contains(.underline) { attributes |= ps_a_underline() }
        if cell.attributes.contains(.italic) { attributes |= ps_a_italic() }
        characters.removeAll(keepingCapacity: true)
        for scalar in cell.character.unicodeScalars.prefix(maxCharacters) {
            // Control characters would print as ^X over two cells: show them as blanks.
            let value = scalar.value < 32 || (scalar.value >= 127 && scalar.value < 160) ? 32 : scalar.value
            characters.append(wchar_t(bitPattern: value))
        }
        characters.append(0)
        characters.withUnsafeBufferPointer { chars in
            _ = ps_mvadd_cell(window, Int32(y), Int32(x), chars.baseAddress, attributes, pair)
        }
    }
}
