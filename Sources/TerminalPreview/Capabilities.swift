// What the terminal can show, decided once from the environment: the colour mode for images
// (truecolor, 256, 16 or none) from COLORTERM and chafa's terminal database, and whether the UI
// chrome (captions, borders) may use colour at all, which NO_COLOR (non-empty) turns off. Images
// keep their colours under NO_COLOR: it is about decoration, not content (no-color.org).
import CChafa

/// How many colours image cells may use.
public enum ColorMode: String, Sendable, CaseIterable {
    case truecolor
    case indexed256 = "256"
    case indexed16 = "16"
    /// Terminal default colours only; shapes come from the symbols.
    case monochrome = "none"
}

public struct TerminalCapabilities: Sendable, Equatable {
    /// The colour mode for images.
    public var imageMode: ColorMode
    /// Whether captions and other chrome may be coloured (false under NO_COLOR or without colour).
    public var chromeColor: Bool

    public init(imageMode: ColorMode, chromeColor: Bool) {
        self.imageMode = imageMode
        self.chromeColor = chromeColor
    }

    /// Detects the capabilities from an environment (normally `ProcessInfo.processInfo.environment`).
    /// COLORTERM=truecolor|24bit means truecolor (tmux and screen pass it through when the outer
    /// terminal has it); otherwise chafa's database is asked which colour sequences TERM has.
    /// No TERM, or TERM=dumb, means monochrome.
    public static func detect(environment: [String: String]) -> TerminalCapabilities {
        let noColor = !(environment["NO_COLOR"] ?? "").isEmpty
        let term = environment["TERM"] ?? ""
        let mode: ColorMode
        if term.isEmpty || term == "dumb" {
            mode = .monochrome
        } else if let colorterm = environment["COLORTERM"]?.lowercased(), colorterm == "truecolor" || colorterm == "24bit" {
            mode = .truecolor
        } else {
            mode = chafaMode(environment)
        }
        return TerminalCapabilities(imageMode: mode, chromeColor: !noColor && mode != .monochrome)
    }

    /// The best colour sequences chafa's terminal database knows for this environment.
    static func chafaMode(_ environment: [String: String]) -> ColorMode {
        // chafa wants a NULL-terminated `gchar **` environment; the strings live for the call.
        var strings = environment.map { strdup("\($0.key)=\($0.value)") }
        defer { for s in strings { free(s) } }
        strings.append(nil)
        guard let info = strings.withUnsafeMutableBufferPointer({ chafa_term_db_detect(chafa_term_db_get_default(), $0.baseAddress) }) else {
            return .monochrome
        }
        defer { chafa_term_info_unref(info) }
        if chafa_term_info_have_seq(info, CHAFA_TERM_SEQ_SET_COLOR_FGBG_DIRECT) != 0 { return .truecolor }
        if chafa_term_info_have_seq(info, CHAFA_TERM_SEQ_SET_COLOR_FGBG_256) != 0 { return .indexed256 }
        if chafa_term_info_have_seq(info, CHAFA_TERM_SEQ_SET_COLOR_FGBG_16) != 0 { return .indexed16 }
        return .monochrome
    }
}
