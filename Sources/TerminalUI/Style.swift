// Styles and themes: what a piece of the screen means (a `Role`) and how the current theme shows
// it (a `Style`: colours and attributes). Panes draw with roles only; themes are data
// (Themes/*.toml, read by the studio's config loader) and `Theme.basic` is the built-in fallback.

/// Colours and attributes for one cell.
public struct Style: Hashable, Sendable {
    public var foreground: TerminalColor
    public var background: TerminalColor
    public var attributes: CellAttributes
    public init(foreground: TerminalColor = .default, background: TerminalColor = .default, attributes: CellAttributes = []) {
        self.foreground = foreground
        self.background = background
        self.attributes = attributes
    }
    public static let plain = Style()
}

/// The semantic roles a theme maps to styles. The raw value is the key in a theme file.
public enum Role: String, CaseIterable, Sendable {
    case text, dim = "muted", title, border, accent, key
    case statusBar = "status", statusMode = "status-mode"
    case message = "message-info", warning = "message-warning", error = "message-error"
    case selection, overlay
    case timeline, timelineCursor = "cursor-frame", timelineRange = "range"
    case suspect, rendered = "render-done", stale = "render-stale", rendering = "render-running"
    case confidenceHigh = "confidence-high", confidenceMid = "confidence-mid", confidenceLow = "confidence-low"
    case canvas
    case limbRight = "limb-right", limbLeft = "limb-left", limbCenter = "limb-center"
    case pointRaw = "provenance-raw", pointEdited = "provenance-edited", pointInterpolated = "provenance-interpolated"
    case pointFiltered = "provenance-filtered", pointFitted = "provenance-fitted", pointMissing = "point-missing"
    case pointSelected = "joint-selected", pointPinned = "joint-pinned"
}

/// A complete role → style table.
public struct Theme: Hashable, Sendable {
    public var name: String
    /// Whether images are drawn in colour under this theme (false for monochrome).
    public var colorImages: Bool
    private var styles: [Role: Style]

    public init(name: String, colorImages: Bool = true, styles: [Role: Style]) {
        self.name = name
        self.colorImages = colorImages
        self.styles = styles
    }

    public subscript(role: Role) -> Style {
        get { styles[role] ?? Self.basic.styles[role] ?? .plain }
        set { styles[role] = newValue }
    }

    /// The fallback theme: 16 ANSI colours, readable on dark and light backgrounds.
    public static let basic: Theme = {
        func s(_ fg: UInt8?, _ bg: UInt8? = nil, _ attributes: CellAttributes = []) -> Style {
            Style(foreground: fg.map { .ansi16($0) } ?? .default, background: bg.map { .ansi16($0) } ?? .default, attributes: attributes)
        }
        let table: [Role: Style] = [
            .text: s(nil), .dim: s(nil, nil, .dim), .title: s(nil, nil, .bold), .border: s(8), .accent: s(14, nil, .bold),
            .key: s(11, nil, .bold), .statusBar: s(15, 4), .statusMode: s(0, 14, .bold), .message: s(15, 4), .warning: s(11, 4, .bold),
            .error: s(15, 1, .bold), .selection: s(0, 14), .overlay: s(nil), .timeline: s(8), .timelineCursor: s(0, 11, .bold),
            .timelineRange: s(0, 6), .suspect: s(9, nil, .bold), .rendered: s(10), .stale: s(3), .rendering: s(14, nil, .bold),
            .confidenceHigh: s(2), .confidenceMid: s(3), .confidenceLow: s(1, nil, .bold), .canvas: s(nil),
            .limbRight: s(9), .limbLeft: s(12), .limbCenter: s(10), .pointRaw: s(15), .pointEdited: s(13, nil, .bold),
            .pointInterpolated: s(14), .pointFiltered: s(10), .pointFitted: s(11), .pointMissing: s(8),
            .pointSelected: s(0, 11, .bold), .pointPinned: s(13, nil, .bold),
        ]
        return Theme(name: "basic", styles: table)
    }()

    /// Every role in the terminal's default colours, marked by attributes only (NO_COLOR).
    public static let plainMonochrome: Theme = {
        var table: [Role: Style] = [:]
        for role in Role.allCases { table[role] = .plain }
        for role: Role in [.title, .accent, .key, .statusMode, .warning, .error, .suspect, .rendering, .pointEdited, .pointPinned, .confidenceLow] {
            table[role] = Style(attributes: .bold)
        }
        for role: Role in [.statusBar, .message, .selection, .timelineCursor, .pointSelected] { table[role] = Style(attributes: .reverse) }
        for role: Role in [.dim, .border, .timeline, .pointMissing, .stale] { table[role] = Style(attributes: .dim) }
        table[.timelineRange] = Style(attributes: .underline)
        return Theme(name: "monochrome", colorImages: false, styles: table)
    }()
}
