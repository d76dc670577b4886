// TerminalColor → curses colour numbers for a terminal with `colors` colours (curses COLORS):
// direct colour (2^24) takes RGB as is, 256 takes the xterm palette, 16 and 8 the ANSI colours;
// anything richer than the terminal degrades to the nearest colour it has (rgb → 256 → 16 → 8).
// Pure values; the xterm default palette is the reference for "nearest".
import TerminalUI

struct ColorMapper: Sendable {
    /// curses COLORS.
    let colors: Int
    /// `use_default_colors` succeeded: -1 means the terminal's own foreground/background.
    let hasDefaultColors: Bool

    var isDirect: Bool { colors >= 1 << 24 }

    /// The curses colour number for `color` (-1 = terminal default).
    func number(for color: TerminalColor, foreground: Bool) -> Int32 {
        switch color {
        case .default:
            return hasDefaultColors ? -1 : (foreground ? 7 : 0)
        case .ansi16(let n):
            let index = Int(n & 15)
            if colors >= 16 && !isDirect { return Int32(index) }
            if isDirect && index < 8 { return Int32(index) }
            return fromRGB(Palette.xterm(index))
        case .indexed256(let n):
            if colors >= 256 && !isDirect { return Int32(n) }
            if n < 16 { return number(for: .ansi16(n), foreground: foreground) }
            return fromRGB(Palette.xterm(Int(n)))
        case .rgb(let r, let g, let b):
            return fromRGB(RGB(Int(r), Int(g), Int(b)))
        }
    }

    private func fromRGB(_ c: RGB) -> Int32 {
        if isDirect {
            // In direct-colour terminfo, numbers below 8 still mean the ANSI palette.
            return Int32(max(c.r << 16 | c.g << 8 | c.b, 8))
        }
        if colors >= 256 { return Int32(Palette.nearest256(c)) }
        return Int32(Palette.nearest(c, among: colors >= 16 ? 16 : 8))
    }

    /// The colour a curses number stands for (for "nearest pair" when pairs run out).
    func rgb(ofNumber n: Int32, foreground: Bool) -> RGB {
        if n < 0 { return foreground ? Palette.xterm(7) : Palette.xterm(0) }
        if isDirect && n >= 8 { return RGB(Int(n) >> 16 & 255, Int(n) >> 8 & 255, Int(n) & 255) }
        return Palette.xterm(Int(n) & 255)
    }
}

struct RGB: Hashable, Sendable {
    var r, g, b: Int
    init(_ r: Int, _ g: Int, _ b: Int) { self.r = r; self.g = g; self.b = b }
    func distance(to o: RGB) -> Int { (r - o.r) * (r - o.r) + (g - o.g) * (g - o.g) + (b - o.b) * (b - o.b) }
}

/// The xterm 256-colour palette: 16 ANSI colours (xterm defaults), a 6×6×6 cube, 24 greys.
enum Palette {
    static let ansi: [RGB] = [
        RGB(0, 0, 0), RGB(205, 0, 0), RGB(0, 205, 0), RGB(205, 205, 0),
        RGB(0, 0, 238), RGB(205, 0, 205), RGB(0, 205, 205), RGB(229, 229, 229),
        RGB(127, 127, 127), RGB(255, 0, 0), RGB(0, 255, 0), RGB(255, 255, 0),
        RGB(92, 92, 255), RGB(255, 0, 255), RGB(0, 255, 255), RGB(255, 255, 255),
    ]
    static let cubeLevels = [0, 95, 135, 175, 215, 255]

    static func xterm(_ index: Int) -> RGB {
        switch index {
        case 0..<16: return ansi[index]
        case 16..<232:
            let i = index - 16
            return RGB(cubeLevels[i / 36], cubeLevels[i / 6 % 6], cubeLevels[i % 6])
        default:
            let v = 8 + 10 * (index - 232)
            return RGB(v, v, v)
        }
    }

    /// The nearest of palette entries 16–255 (the cube and the greys, which every 256-colour
    /// terminal shows the same; 0–15 are themeable and not used as targets).
    static func nearest256(_ c: RGB) -> Int {
        func level(_ v: Int) -> Int { v < 48 ? 0 : v < 115 ? 1 : (v - 35) / 40 }
        let cube = 16 + 36 * level(c.r) + 6 * level(c.g) + level(c.b)
        let average = (c.r + c.g + c.b) / 3
        let grey = 232 + min(23, max(0, (average - 3) / 10))
        return xterm(cube).distance(to: c) <= xterm(grey).distance(to: c) ? cube : grey
    }

    /// The nearest of the first `count` (8 or 16) ANSI colours.
    static func nearest(_ c: RGB, among count: Int) -> Int {
        var best = 0
        for i in 1..<count where ansi[i].distance(to: c) < ansi[best].distance(to: c) { best = i }
        return best
    }
}
