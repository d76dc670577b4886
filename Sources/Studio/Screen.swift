// The whole screen from the state: title row, canvas and inspector side by side, the timeline,
// the status line, then any overlay. Below 80×24 it shows a notice instead of a squeezed layout.
import TerminalUI

public struct ScreenRenderer {
    public static let minimum = TerminalSize(columns: 80, rows: 24)
    public var theme: Theme
    public init(theme: Theme) { self.theme = theme }

    /// Where the canvas pictures go for this terminal size (the session prefetches for it).
    static func canvasArea(_ size: TerminalSize) -> Rect {
        Rect(x: 0, y: 1, width: size.columns - InspectorPane.width, height: size.rows - 2 - TimelinePane.height)
    }

    public func render(_ state: StudioState, images: CanvasImageSource?) -> CellGrid {
        let size = state.size
        var grid = CellGrid(columns: size.columns, rows: size.rows,
                            fill: Cell(" ", foreground: theme[.text].foreground, background: theme[.text].background))
        guard size.columns >= Self.minimum.columns, size.rows >= Self.minimum.rows else {
            tooSmall(size, &grid)
            return grid
        }
        let title = " posestudio · \(state.projectName) · \(state.frameCount) frames @ \(fpsText(state.sequence.fps)) fps"
        grid.fill(Rect(x: 0, y: 0, width: size.columns, height: 1), theme[.title])
        grid.text(0, 0, title, theme[.title])
        let right = "view \(state.view.label) · theme \(theme.name) "
        if title.count + right.count < size.columns { grid.text(size.columns - right.count, 0, right, theme[.dim]) }
        let canvas = Self.canvasArea(size)
        CanvasPane(theme: theme).draw(state, in: canvas, images: images, on: &grid)
        InspectorPane(theme: theme).draw(state, in: Rect(x: canvas.maxX, y: 1, width: InspectorPane.width, height: canvas.height), on: &grid)
        TimelinePane(theme: theme).draw(state, in: Rect(x: 0, y: canvas.maxY, width: size.columns, height: TimelinePane.height), on: &grid)
        StatusPane(theme: theme).draw(state, row: size.rows - 1, width: size.columns, on: &grid)
        Overlays(theme: theme).draw(state, screen: grid.bounds, on: &grid)
        return grid
    }

    private func fpsText(_ fps: Double) -> String {
        fps == fps.rounded() ? String(Int(fps)) : String(format: "%.2f", fps)
    }

    private func tooSmall(_ size: TerminalSize, _ grid: inout CellGrid) {
        let lines = ["posestudio needs at least \(Self.minimum.columns)×\(Self.minimum.rows)",
                     "this terminal is \(size.columns)×\(size.rows)", "enlarge it, or q to quit"]
        for (i, line) in lines.enumerated() {
            let y = size.rows / 2 - 1 + i
            grid.text(max(0, (size.columns - line.count) / 2), y, line, i == 0 ? theme[.warning] : theme[.text])
        }
    }
}
