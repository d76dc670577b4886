// Colour numbers for each terminal depth, the nearest-colour degradation, and the pair table.
import Testing
import TerminalUI
@testable import NcursesBackend

@Suite struct ColorMappingTests {
    let direct = ColorMapper(colors: 1 << 24, hasDefaultColors: true)
    let xterm256 = ColorMapper(colors: 256, hasDefaultColors: true)
    let ansi16 = ColorMapper(colors: 16, hasDefaultColors: true)
    let ansi8 = ColorMapper(colors: 8, hasDefaultColors: false)

    @Test func defaultColour() {
        #expect(xterm256.number(for: .default, foreground: true) == -1)
        #expect(ansi8.number(for: .default, foreground: true) == 7)
        #expect(ansi8.number(for: .default, foreground: false) == 0)
    }

    @Test func richEnoughTerminalsTakeColoursAsTheyAre() {
        #expect(xterm256.number(for: .indexed256(200), foreground: true) == 200)
        #expect(xterm256.number(for: .ansi16(12), foreground: true) == 12)
        #expect(ansi16.number(for: .ansi16(9), foreground: true) == 9)
        #expect(direct.number(for: .rgb(0x12, 0x34, 0x56), foreground: true) == 0x123456)
        #expect(direct.number(for: .ansi16(3), foreground: true) == 3)
    }

    @Test func directColourNeverCollidesWithTheANSINumbers() {
        // 0–7 mean the ANSI palette in direct-colour terminfo; black must not become colour 0.
        #expect(direct.number(for: .rgb(0, 0, 0), foreground: true) >= 8)
        #expect(direct.number(for: .ansi16(9), foreground: true) == 0xFF0000)
        #expect(direct.number(for: .indexed256(196), foreground: true) == 0xFF0000)
    }

    @Test func rgbDegradesToTheNearestPaletteEntry() {
        #expect(xterm256.number(for: .rgb(255, 0, 0), foreground: true) == 196)
        #expect(xterm256.number(for: .rgb(0, 0, 0), foreground: true) == 16)
        #expect(xterm256.number(for: .rgb(128, 128, 128), foreground: true) == 244)
        #expect(xterm256.number(for: .rgb(95, 135, 175), foreground: true) == 67)
        #expect(ansi16.number(for: .rgb(250, 10, 10), foreground: true) == 9)
        #expect(ansi8.number(for: .rgb(250, 10, 10), foreground: true) == 1)
        #expect(ansi8.number(for: .indexed256(21), foreground: true) == 4)   // pure blue
        #expect(ansi8.number(for: .ansi16(15), foreground: true) == 7)       // bright white → white
    }

    /// The nearest 256-colour entry agrees with a brute-force search over 16–255.
    @Test func nearest256MatchesBruteForce() {
        for r in stride(from: 0, through: 255, by: 17) {
            for g in stride(from: 0, through: 255, by: 51) {
                for b in stride(from: 3, through: 255, by: 28) {
                    let c = RGB(r, g, b)
                    let fast = Palette.nearest256(c)
                    let best = (16..<256).map { Palette.xterm($0).distance(to: c) }.min()!
                    #expect(Palette.xterm(fast).distance(to: c) == best, "\(c) → \(fast)")
                }
            }
        }
    }

    @Test func paletteIsXterms() {
        #expect(Palette.xterm(16) == RGB(0, 0, 0))
        #expect(Palette.xterm(231) == RGB(255, 255, 255))
        #expect(Palette.xterm(67) == RGB(95, 135, 175))
        #expect(Palette.xterm(232) == RGB(8, 8, 8))
        #expect(Palette.xterm(255) == RGB(238, 238, 238))
    }

    @Test func pairsAreAllocatedOnceUpToCapacity() {
        var table = PairTable(capacity: 2)
        let red = PairKey(foreground: 1, background: -1), blue = PairKey(foreground: 4, background: -1)
        #expect(table.pair(for: PairKey(foreground: -1, background: -1))! == (0, false))
        #expect(table.pair(for: red)! == (1, true))
        #expect(table.pair(for: red)! == (1, false))
        #expect(table.pair(for: blue)! == (2, true))
        #expect(table.pair(for: PairKey(foreground: 2, background: -1)) == nil)
        table.reset()
        #expect(table.pair(for: blue)! == (1, true))
    }

    @Test func fullTableGivesTheNearestPair() {
        var table = PairTable(capacity: 2)
        _ = table.pair(for: PairKey(foreground: 10, background: 0))
        _ = table.pair(for: PairKey(foreground: 100, background: 0))
        let near = table.nearest(to: PairKey(foreground: 90, background: 0)) { a, b in
            Int(abs(a.foreground - b.foreground) + abs(a.background - b.background))
        }
        #expect(near == 2)
    }
}
