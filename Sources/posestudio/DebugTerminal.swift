// `posestudio debug terminal`: opens the ncurses backend, draws a test pattern (every kind of
// colour, the attributes, a wide character, the size and pid) and echoes the name of each key
// pressed until q. For checking a terminal by hand and for the tmux CLI test.
import ArgumentParser
import Foundation
import NcursesBackend
import TerminalUI

struct DebugTerminal: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "terminal",
        abstract: "Open the studio's terminal backend, draw a test pattern and echo key names (q quits).")

    func run() throws {
        let terminal: NcursesTerminal
        do {
            terminal = try NcursesTerminal()
        } catch let error as TerminalError {
            Console.error("posestudio: debug terminal: \(error)")
            throw ExitCode.failure
        }
        var screen = terminal
        var keys: [Key] = []
        while true {
            let size = screen.size
            screen.present(TestPattern.grid(size: size, colors: screen.colorCount, pairs: screen.pairCount, keys: keys))
            guard let key = screen.readKey(timeoutMilliseconds: -1) else { continue }
            if key == .character("q") { break }
            if key != .resize { keys.append(key) }
        }
    }
}

/// The test pattern, as a grid of the given size.
enum TestPattern {
    static func grid(size: TerminalSize, colors: Int, pairs: Int, keys: [Key]) -> CellGrid {
        var grid = CellGrid(columns: size.columns, rows: size.rows)
        var writer = GridWriter(grid: grid)
        writer.text("posestudio terminal test  size \(size)  pid \(getpid())  q quits", x: 0, y: 0, attributes: [.bold])

        var x = writer.text("ansi16 ", x: 0, y: 1)
        for i in 0..<16 { x = writer.text(String(i, radix: 16), x: x, y: 1, foreground: .ansi16(UInt8(15 - i)), background: .ansi16(UInt8(i))) }

        x = writer.text("256    ", x: 0, y: 2)
        for i in stride(from: 16, to: 256, by: 8) { x = writer.text(" ", x: x, y: 2, background: .indexed256(UInt8(i))) }

        x = writer.text("rgb    ", x: 0, y: 3)
        for i in 0..<32 {
            let v = UInt8(i * 255 / 31)
            x = writer.text(" ", x: x, y: 3, background: .rgb(v, 64, 255 - v))
        }

        x = writer.text("attrs  ", x: 0, y: 4)
        for (name, attribute) in [("bold", CellAttributes.bold), ("dim", .dim), ("reverse", .reverse),
                                  ("underline", .underline), ("italic", .italic)] {
            x = writer.text(name, x: x, y: 4, attributes: attribute) + 1
        }

        x = writer.text("wide   ", x: 0, y: 5)
        x = writer.wide("日", x: x, y: 5)
        x = writer.wide("本", x: x, y: 5)
        writer.text("|end", x: x, y: 5)

        writer.text("colours \(colors)  pairs \(pairs)", x: 0, y: 6)
        writer.text("last key: \(keys.last?.description ?? "-")", x: 0, y: 8)
        writer.text("keys: " + keys.map(\.description).joined(separator: " "), x: 0, y: 9)
        grid = writer.grid
        return grid
    }
}

/// Writes text into a grid, clipped to it; one cell per character except `wide`.
struct GridWriter {
    var grid: CellGrid

    @discardableResult
    mutating func text(_ text: String, x: Int, y: Int, foreground: TerminalColor = .default,
                       background: TerminalColor = .default, attributes: CellAttributes = []) -> Int {
        var column = x
        for character in text {
            if y < grid.rows && column < grid.columns {
                grid[column, y] = Cell(character, foreground: foreground, background: background, attributes: attributes)
            }
            column += 1
        }
        return column
    }

    /// A double-width character: the character, then `Cell.continuation`.
    mutating func wide(_ character: Character, x: Int, y: Int) -> Int {
        guard y < grid.rows && x + 1 < grid.columns else { return x + 2 }
        grid[x, y] = Cell(character, foreground: .ansi16(11))
        grid[x + 1, y] = .continuation
        return x + 2
    }
}
