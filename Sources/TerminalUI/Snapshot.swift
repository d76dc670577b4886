// Screen snapshots for golden-file tests: the text, then the same grid as style letters (one
// letter per distinct style, in order of first appearance) with the legend, so that a colour
// change shows up in a diff as clearly as a text change.

extension CellGrid {
    public func styledSnapshot() -> String {
        var legend: [Style] = []
        var letters: [String] = []
        let alphabet = Array("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789")
        for y in 0..<rows {
            var line = ""
            for cell in row(y) {
                let style = Style(foreground: cell.foreground, background: cell.background, attributes: cell.attributes)
                var index = legend.firstIndex(of: style)
                if index == nil {
                    legend.append(style)
                    index = legend.count - 1
                }
                line.append(index! < alphabet.count ? alphabet[index!] : "?")
            }
            letters.append(line)
        }
        let key = legend.enumerated().map { i, s in
            "\(i < alphabet.count ? alphabet[i] : "?") = fg \(Self.name(s.foreground)) bg \(Self.name(s.background))"
                + (s.attributes.isEmpty ? "" : " \(Self.name(s.attributes))")
        }
        return plainText() + "\n--- styles\n" + letters.joined(separator: "\n") + "\n--- legend\n" + key.joined(separator: "\n") + "\n"
    }

    static func name(_ color: TerminalColor) -> String {
        switch color {
        case .default: "default"
        case .ansi16(let n): "ansi\(n)"
        case .indexed256(let n): "idx\(n)"
        case let .rgb(r, g, b): "#" + [r, g, b].map { String($0, radix: 16).leftPadded(2) }.joined()
        }
    }

    static func name(_ attributes: CellAttributes) -> String {
        let names: [(CellAttributes, String)] = [(.bold, "bold"), (.dim, "dim"), (.reverse, "reverse"), (.underline, "underline"), (.italic, "italic")]
        return names.filter { attributes.contains($0.0) }.map(\.1).joined(separator: "+")
    }
}

extension String {
    fileprivate func leftPadded(_ width: Int) -> String { String(repeating: "0", count: max(0, width - count)) + self }
}
