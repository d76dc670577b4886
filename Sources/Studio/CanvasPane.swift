// The canvas: the current frame's picture (driving video, draft or neural render, as chafa cells
// the image cache prepared off the main thread) with the skeleton drawn over it in cells — limbs
// by side, points by provenance, dimmed by confidence, the selected joint highlighted.
import Imaging
import PoseKit
import TerminalUI

/// Where the view box lands inside a cell rectangle: cells are taken as twice as tall as wide.
public struct CanvasPlacement: Equatable, Hashable, Sendable {
    public var rect: Rect
    public var box: ViewBox
    let scale: Double

    public init(box: ViewBox, inside area: Rect) {
        self.box = box
        let s = min(Double(area.width) / max(box.width, 1), 2 * Double(area.height) / max(box.height, 1))
        let w = max(1, min(area.width, Int((box.width * s).rounded())))
        let h = max(1, min(area.height, Int((box.height * s / 2).rounded())))
        rect = Rect(x: area.x + (area.width - w) / 2, y: area.y + (area.height - h) / 2, width: w, height: h)
        scale = s
    }

    /// The cell showing pixel (x, y) of the frame.
    public func cell(x: Double, y: Double) -> (x: Int, y: Int) {
        (rect.x + Int(((x - box.x) * scale).rounded(.down)), rect.y + Int(((y - box.y) * scale / 2).rounded(.down)))
    }
}

struct CanvasPane {
    let theme: Theme

    func draw(_ state: StudioState, in area: Rect, images: CanvasImageSource?, on grid: inout CellGrid) {
        let title = "\(state.view.label)" + (state.hasVideo ? "" : " · no driving video")
        grid.box(area, theme[.border], title: title, titleStyle: theme[.title])
        let inner = area.inset(1)
        grid.fill(inner, theme[.canvas])
        guard !inner.isEmpty else { return }
        for part in Self.layout(state, in: inner) {
            picture(state, part.kind, placement: part.placement, images: images, grid: &grid, skeleton: part.skeleton)
        }
        if state.view == .sideBySide {
            let x = inner.x + (inner.width - 1) / 2
            for y in inner.y..<inner.maxY { grid.set(x, y, "│", theme[.border]) }
        }
    }

    /// The pictures the canvas shows for this state inside `inner` (the canvas without its box):
    /// which kind, where, and whether the skeleton goes over it.
    static func layout(_ state: StudioState, in inner: Rect) -> [(kind: ImageKind, placement: CanvasPlacement, skeleton: Bool)] {
        switch state.view {
        case .skeleton:
            return [(.driving, CanvasPlacement(box: state.viewBox, inside: inner), true)]
        case .draft, .neural:
            return [(state.view == .draft ? .draft : .neural, CanvasPlacement(box: state.viewBox, inside: inner), true)]
        case .sideBySide:
            let half = (inner.width - 1) / 2
            let left = Rect(x: inner.x, y: inner.y, width: half, height: inner.height)
            let right = Rect(x: inner.x + half + 1, y: inner.y, width: inner.width - half - 1, height: inner.height)
            // The render column is the draft: the one render every project can show at once.
            let renderKind: ImageKind = .draft
            return [(.driving, CanvasPlacement(box: state.viewBox, inside: left), true),
                    (renderKind, CanvasPlacement(box: state.viewBox, inside: right), false)]
        }
    }

    private func picture(_ state: StudioState, _ kind: ImageKind, placement: CanvasPlacement, images: CanvasImageSource?,
                         grid: inout CellGrid, skeleton: Bool) {
        let key = ImageKey(frame: state.frame, kind: kind, placement: placement)
        var note: String?
        if let images {
            switch images.lookup(key) {
            case .ready(let cells): grid.blit(cells, x: placement.rect.x, y: placement.rect.y)
            case .nearby(let cells):
                grid.blit(cells, x: placement.rect.x, y: placement.rect.y)
                note = "loading frame \(state.frame)…"
            case .loading: note = "loading…"
            case .none where kind != .driving:
                note = "not rendered (r: window, R: all)"
            case .none: break
            case .unavailable(let why): note = why
            }
        } else if kind != .driving {
            note = "\(kind.rawValue) render not available"
        }
        if skeleton { drawSkeleton(state, placement, &grid) }
        if let note {
            grid.text(placement.rect.x, placement.rect.maxY - 1, note, theme[.dim], width: placement.rect.width)
        }
    }

    func drawSkeleton(_ state: StudioState, _ placement: CanvasPlacement, _ grid: inout CellGrid) {
        let pose = state.sequence.pose(at: state.frame)
        let clip = placement.rect
        func put(_ x: Int, _ y: Int, _ c: Character, _ style: Style) {
            guard clip.contains(x: x, y: y) else { return }
            let under = grid[x, y]
            grid.set(x, y, c, Style(foreground: style.foreground,
                                    background: style.background == .default ? under.background : style.background,
                                    attributes: style.attributes))
        }
        for (a, b) in BODY25.limbs {
            let p = pose[a.rawValue], q = pose[b.rawValue]
            guard !p.isMissing, !q.isMissing else { continue }
            let role: Role = Self.rightSide.contains(a) || Self.rightSide.contains(b) ? .limbRight
                : Self.leftSide.contains(a) || Self.leftSide.contains(b) ? .limbLeft : .limbCenter
            let (x0, y0) = placement.cell(x: p.x, y: p.y), (x1, y1) = placement.cell(x: q.x, y: q.y)
            let steps = max(abs(x1 - x0), abs(y1 - y0))
            guard steps > 1 else { continue }
            for i in 1..<steps {
                let t = Double(i) / Double(steps)
                put(x0 + Int((Double(x1 - x0) * t).rounded()), y0 + Int((Double(y1 - y0) * t).rounded()), "·", theme[role])
            }
        }
        for joint in Joint.allCases where joint != state.joint {
            let p = pose[joint.rawValue]
            guard !p.isMissing else { continue }
            let (x, y) = placement.cell(x: p.x, y: p.y)
            var style = theme[Self.role(p.provenance)]
            if p.confidence < 0.3 { style.attributes.insert(.dim) }
            if p.isPinned { style.attributes.formUnion(theme[.pointPinned].attributes) }
            put(x, y, Self.marker(p.provenance), style)
        }
        let p = pose[state.joint.rawValue]
        if !p.isMissing {
            let (x, y) = placement.cell(x: p.x, y: p.y)
            put(x, y, "◉", theme[.pointSelected])
        }
    }

    static let rightSide = Set(BODY25.leftRightPairs.map(\.right))
    static let leftSide = Set(BODY25.leftRightPairs.map(\.left))

    static func role(_ provenance: Provenance) -> Role {
        switch provenance {
        case .raw: .pointRaw
        case .edited: .pointEdited
        case .interpolated: .pointInterpolated
        case .filtered: .pointFiltered
        case .fitted: .pointFitted
        }
    }

    static func marker(_ provenance: Provenance) -> Character {
        switch provenance {
        case .raw: "●"
        case .edited: "◆"
        case .interpolated: "○"
        case .filtered: "•"
        case .fitted: "◇"
        }
    }
}
