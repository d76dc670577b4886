// Theme and key-map files (TOML). Themes: `Themes/*.toml` next to the program and user themes
// under `$XDG_CONFIG_HOME/posestudio/themes/` (a user theme of the same name wins); key map:
// `$XDG_CONFIG_HOME/posestudio/keys.toml`. A broken file never stops the studio: every problem is
// reported with file, line and key, and what could not be read falls back to the defaults.
import Foundation
import TerminalUI

public struct ConfigProblem: Error, Equatable, CustomStringConvertible, Sendable {
    public var file: String
    public var line: Int?
    public var key: String?
    public var message: String
    public init(file: String, line: Int?, key: String?, message: String) {
        self.file = file
        self.line = line
        self.key = key
        self.message = message
    }
    public var description: String {
        "\(file)\(line.map { ":\($0)" } ?? ""): \(key.map { "\($0): " } ?? "")\(message)"
    }
}

public enum ThemeFile {
    /// Parses a theme; roles it does not set (or sets wrongly) keep the basic theme's style.
    public static func parse(_ text: String, file: String) -> (Theme, [ConfigProblem]) {
        let table: TOMLTable
        do {
            table = try TOMLReader.parse(text)
        } catch {
            return (.basic, [ConfigProblem(file: file, line: error.line, key: nil, message: "not valid TOML: \(error.message)")])
        }
        var problems: [ConfigProblem] = []
        func problem(_ key: String, _ message: String) {
            problems.append(ConfigProblem(file: file, line: lineOf(key, in: text), key: key, message: message))
        }
        let name = table["name"]?.string ?? URL(fileURLWithPath: file).deletingPathExtension().lastPathComponent
        var theme = Theme(name: name, colorImages: table["color-images"]?.bool ?? true, styles: [:])
        for key in table.keys where !["name", "color-images", "roles"].contains(key) { problem(key, "unknown setting") }
        guard let roles = table["roles"]?.table else {
            problem("roles", "missing [roles] table")
            return (theme, problems)
        }
        for key in roles.keys.sorted() {
            guard let role = Role(rawValue: key) else {
                problem(key, "unknown role (known: \(Role.allCases.map(\.rawValue).joined(separator: ", ")))")
                continue
            }
            guard let entry = roles[key]?.table else {
                problem(key, "expected { fg = \"…\", bg = \"…\", attrs = [\"bold\"] }")
                continue
            }
            var style = Style()
            var ok = true
            for field in entry.keys where !["fg", "bg", "attrs"].contains(field) {
                problem(key, "unknown field '\(field)' (fg, bg, attrs)")
                ok = false
            }
            for (field, path) in [("fg", \Style.foreground), ("bg", \Style.background)] {
                guard let value = entry[field] else { continue }
                if let color = value.string.flatMap(color(named:)) {
                    style[keyPath: path] = color
                } else if let n = value.int, (0...255).contains(n) {
                    style[keyPath: path] = .indexed256(UInt8(n))
                } else {
                    problem(key, "\(field): not a colour (a name like bright-red, \"#rrggbb\", or 0–255)")
                    ok = false
                }
            }
            if let attrs = entry["attrs"] {
                for item in attrs.array ?? [] {
                    guard let name = item.string, let a = attribute(named: name) else {
                        problem(key, "attrs: unknown attribute (bold, dim, reverse, underline, italic)")
                        ok = false
                        continue
                    }
                    style.attributes.insert(a)
                }
            }
            if ok { theme[role] = style }
        }
        return (theme, problems)
    }

    static let colorNames = ["black", "red", "green", "yellow", "blue", "magenta", "cyan", "white"]

    public static func color(named name: String) -> TerminalColor? {
        if name == "default" { return .default }
        if let i = colorNames.firstIndex(of: name) { return .ansi16(UInt8(i)) }
        if name.hasPrefix("bright-"), let i = colorNames.firstIndex(of: String(name.dropFirst(7))) { return .ansi16(UInt8(i + 8)) }
        if name.hasPrefix("#"), name.count == 7, let v = UInt32(name.dropFirst(), radix: 16) {
            return .rgb(UInt8(v >> 16), UInt8((v >> 8) & 0xFF), UInt8(v & 0xFF))
        }
        return nil
    }

    static func attribute(named name: String) -> CellAttributes? {
        ["bold": .bold, "dim": .dim, "reverse": .reverse, "underline": .underline, "italic": .italic][name]
    }
}

public enum KeyMapFile {
    /// Parses keys.toml: `[keys]` with `command-name = "key"` or `= ["key", "key"]`; a listed
    /// command loses its default keys.
    public static func parse(_ text: String, file: String, base: KeyMap = .defaults) -> (KeyMap, [ConfigProblem]) {
        let table: TOMLTable
        do {
            table = try TOMLReader.parse(text)
        } catch {
            return (base, [ConfigProblem(file: file, line: error.line, key: nil, message: "not valid TOML: \(error.message)")])
        }
        var problems: [ConfigProblem] = []
        func problem(_ key: String, _ message: String) {
            problems.append(ConfigProblem(file: file, line: lineOf(key, in: text), key: key, message: message))
        }
        var map = base
        for key in table.keys where key != "keys" { problem(key, "unknown setting (bindings go under [keys])") }
        guard let keys = table["keys"]?.table else { return (map, problems) }
        for name in keys.keys.sorted() {
            guard let command = Command(rawValue: name) else {
                problem(name, "unknown command (see ? in the studio for the names)")
                continue
            }
            let values: [String?]
            if let one = keys[name]?.string { values = [one] } else if let list = keys[name]?.array { values = list.map { $0.string } } else {
                problem(name, "expected a key name or a list of key names")
                continue
            }
            let parsed = values.map { $0.flatMap(KeyMap.key(named:)) }
            if let bad = zip(values, parsed).first(where: { $0.1 == nil }) {
                problem(name, "unknown key '\(bad.0 ?? "?")' (examples: h, H, Ctrl-R, Left, Shift-Tab, Space, F5)")
                continue
            }
            map.unbindAll(command)
            for key in parsed { map.bind(key!, to: command) }
        }
        return (map, problems)
    }
}

/// The first line (1-based) where `key` is assigned.
func lineOf(_ key: String, in text: String) -> Int? {
    for (i, line) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
        let trimmed = line.drop { $0 == " " || $0 == "\t" }
        if trimmed.hasPrefix(key) || trimmed.hasPrefix("\"\(key)\"") {
            let rest = trimmed.dropFirst(trimmed.hasPrefix("\"") ? key.count + 2 : key.count).drop { $0 == " " }
            if rest.hasPrefix("=") || (key == "roles" && trimmed.hasPrefix("[")) { return i + 1 }
        }
        if trimmed.hasPrefix("[\(key)]") { return i + 1 }
    }
    return nil
}

/// Where themes and the key map are found, and which theme the studio starts with.
public struct StudioConfig: Sendable {
    public var themeDirectories: [String]
    public var keyMapPath: String?

    public init(themeDirectories: [String], keyMapPath: String?) {
        self.themeDirectories = themeDirectories
        self.keyMapPath = keyMapPath
    }

    /// User directory first (its themes win), then `$POSESTUDIO_THEMES`, then `Themes/` next to
    /// the program or in a parent directory (a build tree), then `Themes/` in the working directory.
    public static func standard(environment: [String: String], executable: String) -> StudioConfig {
        var dirs: [String] = []
        let configHome = environment["XDG_CONFIG_HOME"].flatMap { $0.isEmpty ? nil : $0 }
            ?? environment["HOME"].map { $0 + "/.config" }
        if let configHome { dirs.append(configHome + "/posestudio/themes") }
        if let extra = environment["POSESTUDIO_THEMES"], !extra.isEmpty { dirs.append(extra) }
        var dir = URL(fileURLWithPath: executable).resolvingSymlinksInPath().deletingLastPathComponent()
        for _ in 0..<6 {
            let candidate = dir.appendingPathComponent("Themes").path
            if FileManager.default.fileExists(atPath: candidate + "/dark.toml") {
                dirs.append(candidate)
                break
            }
            dir.deleteLastPathComponent()
        }
        dirs.append(FileManager.default.currentDirectoryPath + "/Themes")
        return StudioConfig(themeDirectories: dirs, keyMapPath: configHome.map { $0 + "/posestudio/keys.toml" })
    }

    /// The theme files by name, first directory winning.
    public func themeFiles() -> [String: String] {
        var found: [String: String] = [:]
        for dir in themeDirectories.reversed() {
            for name in (try? FileManager.default.contentsOfDirectory(atPath: dir)) ?? [] where name.hasSuffix(".toml") {
                found[String(name.dropLast(5))] = dir + "/" + name
            }
        }
        return found
    }

    /// Loads theme `name`; unknown names and unreadable files fall back to the basic theme.
    public func loadTheme(_ name: String) -> (Theme, [ConfigProblem]) {
        let files = themeFiles()
        guard let path = files[name] else {
            let known = files.keys.sorted().joined(separator: ", ")
            let fallback: Theme = name == "monochrome" ? .plainMonochrome : .basic
            return (fallback, [ConfigProblem(file: "theme \(name)", line: nil, key: nil,
                                             message: "no such theme (known: \(known.isEmpty ? "none found" : known)); using the built-in one")])
        }
        guard let text = try? String(contentsOfFile: path, encoding: .utf8) else {
            return (.basic, [ConfigProblem(file: path, line: nil, key: nil, message: "cannot be read as UTF-8 text")])
        }
        return ThemeFile.parse(text, file: path)
    }

    /// The theme to start with: `--theme`, else monochrome under NO_COLOR, else dark.
    public static func startupThemeName(requested: String?, environment: [String: String]) -> String {
        if let requested { return requested }
        if let noColor = environment["NO_COLOR"], !noColor.isEmpty { return "monochrome" }
        return "dark"
    }

    /// The user's key map, or the defaults when there is none.
    public func loadKeyMap() -> (KeyMap, [ConfigProblem]) {
        guard let path = keyMapPath, FileManager.default.fileExists(atPath: path) else { return (.defaults, []) }
        guard let text = try? String(contentsOfFile: path, encoding: .utf8) else {
            return (.defaults, [ConfigProblem(file: path, line: nil, key: nil, message: "cannot be read as UTF-8 text")])
        }
        return KeyMapFile.parse(text, file: path)
    }
}
