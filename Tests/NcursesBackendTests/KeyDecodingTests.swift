// The key table: every raw `wget_wch` result the studio names, and what it must ignore.
import Testing
import TerminalUI
@testable import NcursesBackend

@Suite struct KeyDecodingTests {
    static let keyCodes: [(RawKey, Key)] = [
        (.keyCode(CursesKeyCode.up), .up), (.keyCode(CursesKeyCode.down), .down),
        (.keyCode(CursesKeyCode.left), .left), (.keyCode(CursesKeyCode.right), .right),
        (.keyCode(CursesKeyCode.shiftUp), .shiftUp), (.keyCode(CursesKeyCode.shiftDown), .shiftDown),
        (.keyCode(CursesKeyCode.shiftLeft), .shiftLeft), (.keyCode(CursesKeyCode.shiftRight), .shiftRight),
        (.keyCode(CursesKeyCode.home), .home), (.keyCode(CursesKeyCode.end), .end),
        (.keyCode(CursesKeyCode.pageUp), .pageUp), (.keyCode(CursesKeyCode.pageDown), .pageDown),
        (.keyCode(CursesKeyCode.backTab), .backTab), (.keyCode(CursesKeyCode.enter), .enter),
        (.keyCode(CursesKeyCode.backspace), .backspace), (.keyCode(CursesKeyCode.delete), .delete),
        (.keyCode(CursesKeyCode.resize), .resize),
        (.keyCode(CursesKeyCode.function(1)), .function(1)), (.keyCode(CursesKeyCode.function(12)), .function(12)),
    ]

    static let characters: [(UInt32, Key)] = [
        (9, .tab), (13, .enter), (10, .enter), (27, .escape), (127, .backspace), (8, .backspace),
        (1, .control("a")), (18, .control("r")), (26, .control("z")), (3, .control("c")),
        (32, .character(" ")), (0x61, .character("a")), (0x41, .character("A")), (0x7E, .character("~")),
        (0xE9, .character("é")), (0x65E5, .character("日")), (0x1F600, .character("😀")),
    ]

    @Test func keyCodesDecode() {
        for (raw, key) in Self.keyCodes { #expect(decodeKey(raw) == key, "\(raw)") }
    }

    @Test func everyFunctionKeyDecodes() {
        for n in 1...12 { #expect(decodeKey(.keyCode(CursesKeyCode.function(n))) == .function(n)) }
    }

    @Test func charactersDecode() {
        for (value, key) in Self.characters { #expect(decodeKey(.character(value)) == key, "\(value)") }
    }

    @Test func unnamedInputIsDropped() {
        // NUL, FS…US, C1 controls, a surrogate (not a scalar), an unknown key code (KEY_F(13)).
        for value: UInt32 in [0, 28, 31, 0x80, 0x9F, 0xD800] { #expect(decodeKey(.character(value)) == nil, "\(value)") }
        #expect(decodeKey(.keyCode(CursesKeyCode.function(13))) == nil)
    }

    @Test func keyCodesAreDistinct() {
        let codes = Self.keyCodes.map { raw, _ in raw }
        #expect(Set(codes).count == codes.count)
    }
}
