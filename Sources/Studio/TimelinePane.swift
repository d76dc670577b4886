// The timeline: the whole sequence squeezed into the pane's width (each column a bucket of
// frames). Rows: the selected joint's confidence heat strip (missing points marked), the cleanup
// queue's suspect marks, and which frames are rendered, stale or rendering. The cursor column and
// the selected range are highlighted in every row.
import PoseKit
import TerminalUI

struct TimelinePane {
    let theme: Theme
    static let height = 5

    func draw(_ state: StudioState, in area: Rect, on grid: inout CellGrid) {
        var title = "timeline · \(state.joint.name)"
        if let r = state.range { title += " · range \(r.lowerBound):\(r.upperBound)\(state.rangeEnd == nil ? "…" : "")" }
        grid.box(area, theme[.border], title: title, titleStyle: theme[.title])
        let inner = area.inset(1)
        guard inner.width > 8, inner.height >= 3, state.frameCount > 0 else { return }
        let labels = ["conf", "queue", "render"]
        for (i, label) in labels.enumerated() { grid.text(inner.x, inner.y + i, label, theme[.dim], width: 6) }
        let x0 = inner.x + 7, width = inner.width - 7
        let n = state.frameCount
        func bucket(_ column: Int) -> Range<Int> {
            let a = column * n / width, b = max(a + 1, (column + 1) * n / width)
            return a..<min(n, b)
        }
        let cursorColumn = min(width - 1, state.frame * width / n)
        let suspectFrames = suspectColumns(state, width: width)
        for column in 0..<width {
            let frames = bucket(column)
            let x = x0 + column
            guard !frames.isEmpty else { continue }
            // Confidence: the worst point of the selected joint in the bucket.
            var worst = 1.0, missing = false
            for f in frames {
                let p = state.sequence[f, state.joint]
                if p.isMissing { missing = true } else { worst = min(worst, p.confidence) }
            }
            let confRole: Role = worst >= 0.6 ? .confidenceHigh : worst >= 0.3 ? .confidenceMid : .confidenceLow
            grid.set(x, inner.y, missing ? "×" : worst >= 0.6 ? " " : worst >= 0.3 ? "-" : "!", missing ? theme[.confidenceLow] : theme[confRole])
            grid.set(x, inner.y + 1, suspectFrames[column] ? "▲" : " ", suspectFrames[column] ? theme[.suspect] : theme[.timeline])
            var mark = RenderMark.none
            for f in frames where state.renderMarks.indices.contains(f) { mark = max(mark, state.renderMarks[f]) }
            let (c, role): (Character, Role) = switch mark {
            case .none: ("·", .timeline)
            case .rendered: ("■", .rendered)
            case .stale: ("□", .stale)
            case .rendering: ("▶", .rendering)
            }
            grid.set(x, inner.y + 2, c, theme[role])
            if let r = state.range, frames.overlaps(r) {
                for row in 1...2 { grid.restyle(x, inner.y + row, merge(grid[x, inner.y + row], theme[.timelineRange])) }
            }
        }
        for row in 0..<3 { grid.restyle(x0 + cursorColumn, inner.y + row, theme[.timelineCursor]) }
        grid.set(x0 + cursorColumn, area.maxY - 1, "▲", theme[.timelineCursor])
    }

    /// Whether any suspect covers each column's frames.
    func suspectColumns(_ state: StudioState, width: Int) -> [Bool] {
        var marks = Array(repeating: false, count: width)
        let n = state.frameCount
        for s in state.suspects {
            let a = s.frames.lowerBound * width / n, b = max(a, (s.frames.upperBound - 1) * width / n)
            for c in a...min(b, width - 1) { marks[c] = true }
        }
        return marks
    }

    private func merge(_ cell: Cell, _ style: Style) -> Style {
        Style(foreground: cell.foreground, background: style.background == .default ? cell.background : style.background,
              attributes: cell.attributes.union(style.attributes))
    }
}

extension RenderMark: Comparable {
    public static func < (a: RenderMark, b: RenderMark) -> Bool { a.rawValue < b.rawValue }
}
