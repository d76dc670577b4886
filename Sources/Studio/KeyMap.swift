// Key bindings: key → command, in a table that help and the palette are generated from. The
// defaults are vim-like; keys.toml (see ConfigFiles) rebinds by command name. Key names in files
// are what `Key.description` prints ("h", "H", "Ctrl-R", "Left", "Shift-Tab", "Space", "F5").
import TerminalUI

public struct KeyMap: Sendable, Equatable {
    public private(set) var bindings: [Key: Command]

    public init(bindings: [Key: Command]) { self.bindings = bindings }

    public static let defaults: KeyMap = {
        var b: [Key: Command] = [:]
        func bind(_ command: Command, _ keys: Key...) { for k in keys { b[k] = command } }
        bind(.nextFrame, .character("l"), .right)
        bind(.previousFrame, .character("h"), .left)
        bind(.forwardTen, .character("L"), .shiftRight)
        bind(.backTen, .character("H"), .shiftLeft)
        bind(.firstFrame, .character("g"), .home)
        bind(.lastFrame, .character("G"), .end)
        bind(.playPause, .character(" "))
        bind(.nextJoint, .tab, .character("j"))
        bind(.previousJoint, .backTab, .character("k"))
        bind(.mirrorJoint, .character("m"))
        bind(.pickJoint, .character("'"))
        bind(.nudgeUp, .character("w"))
        bind(.nudgeLeft, .character("a"))
        bind(.nudgeDown, .character("s"))
        bind(.nudgeRight, .character("d"))
        bind(.nudgeUp10, .character("W"))
        bind(.nudgeLeft10, .character("A"))
        bind(.nudgeDown10, .character("S"))
        bind(.nudgeRight10, .character("D"))
        bind(.toggleMissing, .character("x"))
        bind(.togglePin, .character("p"))
        bind(.toggleRange, .character("v"))
        bind(.filterRange, .character("="))
        bind(.fillRange, .character("o"))
        bind(.swapRange, .character("|"))
        bind(.interpolateRange, .character("i"))
        bind(.nextSuspect, .character("n"))
        bind(.previousSuspect, .character("N"))
        bind(.fixSuspect, .character("f"))
        bind(.autoClean, .character("F"))
        bind(.undo, .character("u"))
        bind(.redo, .control("r"))
        bind(.renderWindow, .character("r"))
        bind(.renderAll, .character("R"))
        bind(.cancelJobs, .character("c"))
        bind(.toggleView, .character("t"))
        bind(.commandLine, .character(":"))
        bind(.palette, .control("p"))
        bind(.help, .character("?"), .function(1))
        bind(.quit, .character("q"))
        return KeyMap(bindings: b)
    }()

    public func command(for key: Key) -> Command? { bindings[key] }

    /// The keys bound to `command`, in a stable order (single characters first).
    public func keys(for command: Command) -> [Key] {
        bindings.filter { $0.value == command }.map(\.key).sorted { a, b in
            let (la, lb) = (a.description.count, b.description.count)
            return la != lb ? la < lb : a.description < b.description
        }
    }

    /// Binds `key` to `command`, replacing what the key did before.
    public mutating func bind(_ key: Key, to command: Command) { bindings[key] = command }

    /// Removes every binding of `command`.
    public mutating func unbindAll(_ command: Command) { bindings = bindings.filter { $0.value != command } }

    /// Parses a key name as `Key.description` prints it.
    public static func key(named name: String) -> Key? {
        if name.count == 1, let c = name.first { return .character(c) }
        let fixed: [String: Key] = [
            "Space": .character(" "), "Up": .up, "Down": .down, "Left": .left, "Right": .right,
            "Shift-Up": .shiftUp, "Shift-Down": .shiftDown, "Shift-Left": .shiftLeft, "Shift-Right": .shiftRight,
            "Home": .home, "End": .end, "PageUp": .pageUp, "PageDown": .pageDown, "Tab": .tab, "Shift-Tab": .backTab,
            "Enter": .enter, "Esc": .escape, "Backspace": .backspace, "Delete": .delete,
        ]
        if let key = fixed[name] { return key }
        if name.hasPrefix("Ctrl-"), name.count == 6, let c = name.last, c.isLetter { return .control(Character(c.lowercased())) }
        if name.hasPrefix("F"), let n = Int(name.dropFirst()), (1...12).contains(n) { return .function(n) }
        return nil
    }
}
