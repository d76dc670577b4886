// chafa previews: cells of a known colour-block image carry the blocks' colours in every mode,
// the grid and its ANSI text have exactly the requested size, and capabilities follow the
// environment (NO_COLOR only affects chrome).
import Imaging
@testable import TerminalPreview
import TerminalUI
import Testing

/// 2×2 blocks: red, green / blue, white.
let blocks = [RGB(255, 0, 0), RGB(0, 255, 0), RGB(0, 0, 255), RGB(255, 255, 255)]
func blockImage(width: Int, height: Int) -> RGBImage {
    var image = RGBImage(width: width, height: height)
    for y in 0..<height {
        for x in 0..<width { image[x, y] = blocks[(y < height / 2 ? 0 : 2) + (x < width / 2 ? 0 : 1)] }
    }
    return image
}

/// The xterm 256-colour palette entry as RGB.
func xterm256(_ n: Int) -> RGB {
    if n < 16 {
        let base: [RGB] = [RGB(0, 0, 0), RGB(205, 0, 0), RGB(0, 205, 0), RGB(205, 205, 0), RGB(0, 0, 238), RGB(205, 0, 205),
                           RGB(0, 205, 205), RGB(229, 229, 229), RGB(127, 127, 127), RGB(255, 0, 0), RGB(0, 255, 0),
                           RGB(255, 255, 0), RGB(92, 92, 255), RGB(255, 0, 255), RGB(0, 255, 255), RGB(255, 255, 255)]
        return base[n]
    }
    if n < 232 {
        let levels = [0, 95, 135, 175, 215, 255], i = n - 16
        return RGB(UInt8(levels[i / 36]), UInt8(levels[(i / 6) % 6]), UInt8(levels[i % 6]))
    }
    let v = UInt8(8 + (n - 232) * 10)
    return RGB(v, v, v)
}

func rgb(_ color: TerminalColor) -> RGB? {
    switch color {
    case let .rgb(r, g, b): RGB(r, g, b)
    case let .indexed256(n): xterm256(Int(n))
    case let .ansi16(n): xterm256(Int(n))
    case .default: nil
    }
}

func close(_ a: RGB?, _ b: RGB, within tolerance: Int) -> Bool {
    guard let a else { return false }
    return abs(Int(a.r) - Int(b.r)) <= tolerance && abs(Int(a.g) - Int(b.g)) <= tolerance && abs(Int(a.b) - Int(b.b)) <= tolerance
}

/// The colour a viewer sees in a cell of uniform colour: the background behind a space, the
/// foreground of a full block, and for any other symbol both must agree.
func seen(_ cell: Cell) -> (RGB?, RGB?) {
    switch cell.character {
    case " ": (rgb(cell.background), rgb(cell.background))
    case "█": (rgb(cell.foreground), rgb(cell.foreground))
    default: (rgb(cell.foreground), rgb(cell.background))
    }
}

@Suite struct PreviewCellTests {
    @Test(arguments: [(ColorMode.truecolor, 2), (.indexed256, 0)])
    func blockColoursReachTheCells(mode: ColorMode, tolerance: Int) {
        let grid = PreviewRenderer.cells(for: blockImage(width: 160, height: 80), columns: 20, rows: 10, mode: mode, fit: .stretch)
        #expect(grid.columns == 20 && grid.rows == 10)
        for y in 0..<10 {
            for x in 0..<20 {
                // Cells on the block borders mix two colours; check the interiors.
                guard ![9, 10].contains(x), ![4, 5].contains(y) else { continue }
                let block = blocks[(y < 5 ? 0 : 2) + (x < 10 ? 0 : 1)]
                let (a, b) = seen(grid[x, y])
                #expect(close(a, block, within: tolerance) && close(b, block, within: tolerance),
                        "\(mode) cell (\(x), \(y)) \(grid[x, y]) for block \(block)")
            }
        }
    }

    @Test func sixteenColourCellsUseTheMatchingANSIColours() {
        let grid = PreviewRenderer.cells(for: blockImage(width: 160, height: 80), columns: 20, rows: 10, mode: .indexed16, fit: .stretch)
        // Normal or bright red, green, blue, white.
        let expected: [Set<UInt8>] = [[1, 9], [2, 10], [4, 12], [7, 15]]
        for (x, y) in [(2, 2), (17, 2), (2, 7), (17, 8)] {
            let block = (y < 5 ? 0 : 2) + (x < 10 ? 0 : 1)
            let cell = grid[x, y]
            let shown = cell.character == "█" ? cell.foreground : cell.background
            guard case let .ansi16(n) = shown else { Issue.record("cell (\(x), \(y)): \(cell)"); continue }
            #expect(expected[block].contains(n), "cell (\(x), \(y)) shows ANSI \(n) for block \(blocks[block])")
        }
    }

    @Test func monochromeUsesDefaultColoursOnly() {
        let grid = PreviewRenderer.cells(for: blockImage(width: 64, height: 64), columns: 8, rows: 4, mode: .monochrome)
        #expect(grid.cells.allSatisfy { $0.foreground == .default && $0.background == .default })
    }

    @Test(arguments: [(60, 30), (1, 1), (13, 41), (200, 3)])
    func gridAndTextHaveTheRequestedSize(columns: Int, rows: Int) throws {
        let tall = blockImage(width: 90, height: 320)
        let grid = PreviewRenderer.cells(for: tall, columns: columns, rows: rows, mode: .truecolor)
        #expect(grid.columns == columns && grid.rows == rows)
        let text = ANSIText.render(grid)
        let lines = text.split(separator: "\n", omittingEmptySubsequences: false).dropLast()
        #expect(lines.count == rows)
        for line in lines {
            // Strip the SGR sequences: what is left is one character per cell.
            let visible = line.replacing(/\x{1B}\[[0-9;]*m/, with: "")
            #expect(visible.count == columns)
        }
    }

    @Test func letterboxKeepsTheBackgroundBesideATallImage() {
        let tall = RGBImage(width: 100, height: 400, fill: RGB(255, 0, 0))
        let grid = PreviewRenderer.cells(for: tall, columns: 40, rows: 10, mode: .truecolor, background: RGB(0, 0, 255))
        #expect(close(seen(grid[0, 5]).0, RGB(0, 0, 255), within: 2))
        #expect(close(seen(grid[20, 5]).0, RGB(255, 0, 0), within: 2))
    }

    @Test func letterboxGivesThePictureWholeCentredCellsAndTheRestOneBackgroundCell() {
        // 100×400 px, cells twice as tall as wide: 0.5 cells wide per row, so 5 of 40 columns.
        let tall = RGBImage(width: 100, height: 400, fill: RGB(255, 0, 0))
        for mode in [ColorMode.truecolor, .indexed256, .indexed16] {
            let grid = PreviewRenderer.cells(for: tall, columns: 40, rows: 10, mode: mode, background: RGB(0, 0, 255))
            let picture = Set((0..<10).flatMap { y in (0..<40).filter { x in grid[x, y] != grid[0, 0] }.map { [$0, y] } })
            #expect(picture == Set((0..<10).flatMap { y in (17..<22).map { [$0, y] } }), "\(mode)")
            #expect(seen(grid[0, 0]).0.map { $0.b > 200 && $0.r < 100 } == true, "\(mode) background \(grid[0, 0])")
        }
        // A wide image: 20 columns are 2.5 rows, rounded to 3, centred vertically.
        #expect(PreviewRenderer.letterboxed(imageWidth: 400, imageHeight: 100, columns: 20, rows: 30) == Rect(x: 0, y: 13, width: 20, height: 3))
        #expect(PreviewRenderer.letterboxed(imageWidth: 1, imageHeight: 1000, columns: 20, rows: 10) == Rect(x: 9, y: 0, width: 1, height: 10))
    }

    @Test(arguments: [ColorMode.truecolor, .indexed256])
    func largeImagesAreShrunkToTheSameCells(mode: ColorMode) {
        // 10× the 8×8 pixels per cell: shrunk (area averaging) before chafa sees it.
        let large = PreviewRenderer.cells(for: blockImage(width: 1600, height: 800), columns: 20, rows: 10, mode: mode, fit: .stretch)
        let exact = PreviewRenderer.cells(for: blockImage(width: 160, height: 80), columns: 20, rows: 10, mode: mode, fit: .stretch)
        #expect(large == exact)
    }

    @Test func ansiSequencesEncodeEachColourKind() {
        #expect(ANSIText.sgr(foreground: .rgb(1, 2, 3), background: .indexed256(200)) == "\u{1B}[0;38;2;1;2;3;48;5;200m")
        #expect(ANSIText.sgr(foreground: .ansi16(9), background: .ansi16(4)) == "\u{1B}[0;91;44m")
        #expect(ANSIText.sgr(foreground: .default, background: .default) == "\u{1B}[0;39;49m")
    }
}

@Suite struct CapabilityTests {
    @Test func environmentDecidesTheMode() {
        func mode(_ env: [String: String]) -> ColorMode { TerminalCapabilities.detect(environment: env).imageMode }
        #expect(mode(["TERM": "xterm-256color", "COLORTERM": "truecolor"]) == .truecolor)
        #expect(mode(["TERM": "tmux-256color", "COLORTERM": "24bit"]) == .truecolor)
        #expect(mode(["TERM": "tmux-256color"]) == .indexed256)
        #expect(mode(["TERM": "xterm-direct"]) == .truecolor)
        #expect(mode(["TERM": "dumb", "COLORTERM": "truecolor"]) == .monochrome)
        #expect(mode([:]) == .monochrome)
    }

    @Test func noColorTurnsOffChromeColourOnly() {
        let plain = TerminalCapabilities.detect(environment: ["TERM": "xterm-256color", "COLORTERM": "truecolor", "NO_COLOR": "1"])
        #expect(plain.imageMode == .truecolor && !plain.chromeColor)
        let empty = TerminalCapabilities.detect(environment: ["TERM": "xterm-256color", "COLORTERM": "truecolor", "NO_COLOR": ""])
        #expect(empty.chromeColor)
    }
}
