// Boxes drawn over the panes: help (generated from the key map and the `:` verbs), the fuzzy
// command palette, the joint picker, and the auto-clean preview banner.
import PoseKit
import TerminalUI

struct Overlays {
    let theme: Theme

    func draw(_ state: StudioState, screen: Rect, on grid: inout CellGrid) {
        switch state.mode {
        case .help(let scroll): help(state, scroll: scroll, screen, &grid)
        case let .palette(query, selected):
            let matches = Reducer.paletteMatches(query, state.keyMap)
            list(title: "commands", query: query, rows: matches.map { ($0.summary, keys(state.keyMap, $0) ?? ($0.colonVerb.map { ":" + $0 } ?? "")) },
                 selected: selected, screen, &grid)
        case let .jointPicker(query, selected):
            let matches = Reducer.jointMatches(query)
            list(title: "joint", query: query, rows: matches.map { ($0.name, "\($0.rawValue)") }, selected: selected, screen, &grid)
        case let .preview(summary, frames, points):
            let text = "auto-clean: \(points) point\(points == 1 ? "" : "s") in \(frames) frame\(frames == 1 ? "" : "s")"
            let width = min(screen.width - 4, max(text.count, summary.count, 34) + 4)
            let box = Rect(x: (screen.width - width) / 2, y: 2, width: width, height: 5)
            grid.fill(box, theme[.overlay])
            grid.box(box, theme[.accent], title: "preview", titleStyle: theme[.title])
            grid.text(box.x + 2, box.y + 1, text, theme[.text], width: width - 4)
            grid.text(box.x + 2, box.y + 2, summary, theme[.dim], width: width - 4)
            grid.text(box.x + 2, box.y + 3, "Enter apply · Esc drop", theme[.key], width: width - 4)
        case .normal, .command: break
        }
    }

    private func keys(_ map: KeyMap, _ command: Command) -> String? {
        let keys = map.keys(for: command)
        return keys.isEmpty ? nil : keys.prefix(2).map(\.description).joined(separator: " ")
    }

    private func help(_ state: StudioState, scroll: Int, _ screen: Rect, _ grid: inout CellGrid) {
        var lines: [(String, String)] = Command.allCases.map { (keys(state.keyMap, $0) ?? "(unbound)", $0.summary) }
        lines.append(("", ""))
        lines += ColonCommands.verbs.map { (":" + $0.0, $0.1) }
        let box = Rect(x: 2, y: 1, width: screen.width - 4, height: screen.height - 3)
        grid.fill(box, theme[.overlay])
        grid.box(box, theme[.accent], title: "keys — from the binding table (keys.toml rebinds)", titleStyle: theme[.title])
        let inner = box.inset(1)
        let keyWidth = 16
        let top = min(scroll, max(0, lines.count - inner.height))
        for (i, (key, text)) in lines.dropFirst(top).prefix(inner.height).enumerated() {
            if key.hasPrefix(":") {
                grid.text(inner.x + 1, inner.y + i, key + (text.isEmpty ? "" : "  — " + text), theme[.text], width: inner.width - 2)
            } else {
                grid.text(inner.x + 1, inner.y + i, key, theme[.key], width: keyWidth)
                grid.text(inner.x + 1 + keyWidth, inner.y + i, text, theme[.text], width: inner.width - keyWidth - 2)
            }
        }
    }

    private func list(title: String, query: String, rows: [(String, String)], selected: Int, _ screen: Rect, _ grid: inout CellGrid) {
        let width = min(screen.width - 4, 60)
        let height = min(screen.height - 4, rows.count + 4)
        let box = Rect(x: (screen.width - width) / 2, y: 2, width: width, height: max(5, height))
        grid.fill(box, theme[.overlay])
        grid.box(box, theme[.accent], title: title, titleStyle: theme[.title])
        let inner = box.inset(1)
        grid.text(inner.x + 1, inner.y, "> " + query, theme[.accent], width: inner.width - 2)
        let visible = inner.height - 1
        let top = max(0, selected - visible + 1)
        for (i, row) in rows.dropFirst(top).prefix(visible).enumerated() {
            let y = inner.y + 1 + i
            let isSelected = top + i == selected
            let style = isSelected ? theme[.selection] : theme[.text]
            grid.fill(Rect(x: inner.x, y: y, width: inner.width, height: 1), isSelected ? theme[.selection] : theme[.overlay])
            grid.text(inner.x + 1, y, row.0, style, width: inner.width - row.1.count - 3)
            grid.text(inner.maxX - row.1.count - 1, y, row.1, isSelected ? theme[.selection] : theme[.key])
        }
        if rows.isEmpty { grid.text(inner.x + 1, inner.y + 1, "no match", theme[.dim]) }
    }
}
