// The status line: mode, frame/total, a key hint for the mode, background jobs, the message —
// or, in command mode, the `:` line being typed.
import TerminalUI

struct StatusPane {
    let theme: Theme

    func draw(_ state: StudioState, row y: Int, width: Int, on grid: inout CellGrid) {
        grid.fill(Rect(x: 0, y: y, width: width, height: 1), theme[.statusBar])
        if case .command(let text) = state.mode {
            let shown = ":" + text
            grid.text(0, y, shown, theme[.statusBar], width: width)
            grid.set(min(width - 1, shown.count), y, " ", Style(attributes: .reverse))
            return
        }
        var x = grid.text(0, y, " \(state.mode.name) ", theme[.statusMode])
        x += grid.text(x, y, " \(state.frame)/\(max(0, state.frameCount - 1))\(state.playing ? " ▶" : "") ", theme[.statusBar])
        var right = ""
        if let job = state.jobs.first { right = JobText.describe(job) + (state.jobs.count > 1 ? " +\(state.jobs.count - 1)" : "") + " " }
        let rightWidth = right.count
        let available = width - x - rightWidth
        if let message = state.message {
            let role: Role = message.kind == .error ? .error : message.kind == .warning ? .warning : .message
            grid.text(x, y, " " + message.text, theme[role], width: available)
        } else {
            grid.text(x, y, " " + hint(state.mode), theme[.statusBar], width: available)
        }
        if rightWidth > 0 && rightWidth < width - x { grid.text(width - rightWidth, y, right, theme[.rendering]) }
    }

    func hint(_ mode: Mode) -> String {
        switch mode {
        case .normal: "h/l frame · Tab joint · wasd nudge · n suspect · f fix · u undo · : command · ? help · q quit"
        case .palette, .jointPicker: "type to filter · ↑/↓ choose · Enter run · Esc close"
        case .help: "↑/↓ scroll · any other key closes"
        case .preview: "Enter apply · Esc drop"
        case .command: ""
        }
    }
}
