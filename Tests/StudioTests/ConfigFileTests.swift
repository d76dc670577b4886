// Theme and key-map files: the shipped themes are complete and clean; broken files are reported
// with file, line and key, and the defaults stand in.
import Foundation
import Studio
import TerminalUI
import Testing

@Suite struct ConfigFileTests {
    @Test(arguments: ["dark", "light", "high-contrast", "monochrome"]) func shippedThemesAreCompleteAndClean(_ name: String) throws {
        let path = Demo.themes + "/\(name).toml"
        let text = try String(contentsOfFile: path, encoding: .utf8)
        let (theme, problems) = ThemeFile.parse(text, file: path)
        #expect(problems.isEmpty, "\(problems)")
        #expect(theme.name == name)
        for role in Role.allCases {
            #expect(text.contains("\n\(role.rawValue) "), "\(name) does not set \(role.rawValue)")
        }
    }

    @Test func aBrokenThemeNamesFileLineAndKey() {
        let text = """
            name = "mine"
            [roles]
            text = { fg = "default", bg = "default" }
            suspect = { fg = "reddish", bg = "default" }
            sparkle = { fg = "red" }
            title = { fg = "red", attrs = ["blink"] }
            """
        let (theme, problems) = ThemeFile.parse(text, file: "/u/mine.toml")
        #expect(problems.map(\.description) == [
            "/u/mine.toml:5: sparkle: unknown role (known: \(Role.allCases.map(\.rawValue).joined(separator: ", ")))",
            "/u/mine.toml:4: suspect: fg: not a colour (a name like bright-red, \"#rrggbb\", or 0–255)",
            "/u/mine.toml:6: title: attrs: unknown attribute (bold, dim, reverse, underline, italic)",
        ])  // in key order
        #expect(theme[.suspect] == Theme.basic[.suspect])
        #expect(theme[.text] == Style())
    }

    @Test func invalidTOMLGivesTheLineAndTheDefaults() {
        let (theme, problems) = ThemeFile.parse("name = \"x\"\n[roles]\ntext = { fg = \n", file: "t.toml")
        #expect(problems.count == 1)
        #expect(problems[0].file == "t.toml")
        #expect(problems[0].line == 3)
        #expect(theme == .basic)
    }

    /// Inputs that aborted the toml++ inside TOMLKit (found by `make fuzz`): each is a problem with
    /// its line and the defaults, never an abort.
    @Test(arguments: ["[=", "[&", "[[[1]]]", "[[=", "[ \t", "[", "[[\u{4}x]", "[ {a = 1}", "a = [}", "a = [ , ]", "a = {", "a = [1 2]"])
    func malformedLinesAreProblemsWithTheirLine(_ bad: String) {
        let text = "name = \"x\"\n# comment\n  \(bad)\ntext = { fg = \"red\" }\n"
        let (theme, problems) = ThemeFile.parse(text, file: "t.toml")
        #expect(problems.map(\.line) == [3])
        #expect(problems.first?.message.hasPrefix("not valid TOML") == true)
        #expect(theme == .basic)
        let (map, keyProblems) = KeyMapFile.parse(text, file: "k.toml")
        #expect(keyProblems.map(\.line) == [3])
        #expect(map == .defaults)
    }

    @Test func tomlReaderReadsWhatTheFilesUse() throws {
        let text = """
        \u{FEFF}# a comment
        name = "dark \\u00e9\\t" # after a value
        'literal' = 'C:\\path'
        flag = true
        off = false
        count = -1_000
        hex = 0xff
        ratio = 2.5e-1
        [roles]
        text = { fg = "default", bg = 7, attrs = ["bold", "underline",] }
        "quoted key" = [
          1, # one
          [2, 3],
        ]
        [a.b]
        c.d = "deep"
        """
        let table = try TOMLReader.parse(text)
        #expect(table.keys == ["name", "literal", "flag", "off", "count", "hex", "ratio", "roles", "a"])
        #expect(table["name"]?.string == "dark \u{e9}\t")
        #expect(table["literal"]?.string == "C:\\path")
        #expect(table["flag"]?.bool == true && table["off"]?.bool == false)
        #expect(table["count"]?.int == -1000 && table["hex"]?.int == 255)
        #expect(table["ratio"] == .float(0.25))
        let roles = try #require(table["roles"]?.table)
        #expect(roles["text"]?.table?["bg"]?.int == 7)
        #expect(roles["text"]?.table?["attrs"] == .array([.string("bold"), .string("underline")]))
        #expect(roles["quoted key"] == .array([.integer(1), .array([.integer(2), .integer(3)])]))
        #expect(table["a"]?.table?["b"]?.table?["c"]?.table?["d"]?.string == "deep")
    }

    @Test(arguments: [
        ("a = 1\na = 2", 2, "defined twice"), ("[t]\n[t]", 2, "defined twice"), ("a = 1979-05-27", 1, "dates"),
        ("a = \"\"\"x\"\"\"", 1, "multi-line"), ("[[t]]", 1, "arrays of tables"), ("a = \"open", 1, "not closed"),
        ("a = \"\\q\"", 1, "unknown escape"), ("a = 012", 1, "not a valid integer"), ("a = bare", 1, "not a value"),
        ("a = 1 b = 2", 1, "end of the line"), ("a = 1\na.b = 2", 2, "not a table"),
        ("a = " + String(repeating: "[", count: 40) + String(repeating: "]", count: 40), 1, "nest deeper"),
    ])
    func tomlReaderRefusesWithLineAndReason(_ text: String, _ line: Int, _ reason: String) {
        #expect(throws: TOMLError.self) { try TOMLReader.parse(text) }
        do {
            _ = try TOMLReader.parse(text)
        } catch {
            #expect(error.line == line)
            #expect(error.message.contains(reason), "\(error.message)")
        }
    }

    @Test func keyMapFilesRebindAndReportBadEntries() {
        let text = """
            [keys]
            next-frame = ["n", "Right"]
            next-suspect = "Ctrl-N"
            undo = "Hyper-Z"
            launch-rockets = "!"
            """
        let (map, problems) = KeyMapFile.parse(text, file: "/u/keys.toml")
        #expect(map.command(for: .character("n")) == .nextFrame)
        #expect(map.command(for: .character("l")) == nil)
        #expect(map.command(for: .control("n")) == .nextSuspect)
        #expect(map.command(for: .character("u")) == .undo)
        #expect(problems.map(\.description) == [
            "/u/keys.toml:5: launch-rockets: unknown command (see ? in the studio for the names)",
            "/u/keys.toml:4: undo: unknown key 'Hyper-Z' (examples: h, H, Ctrl-R, Left, Shift-Tab, Space, F5)",
        ])
    }

    @Test func everyDefaultKeyNameRoundTrips() {
        for key in KeyMap.defaults.bindings.keys {
            #expect(KeyMap.key(named: key.description) == key, "\(key)")
        }
        #expect(Set(KeyMap.defaults.bindings.values) == Set(Command.allCases))
    }

    @Test func themeChoiceAndSearchPath() {
        #expect(StudioConfig.startupThemeName(requested: nil, environment: ["NO_COLOR": "1"]) == "monochrome")
        #expect(StudioConfig.startupThemeName(requested: nil, environment: ["NO_COLOR": ""]) == "dark")
        #expect(StudioConfig.startupThemeName(requested: "light", environment: ["NO_COLOR": "1"]) == "light")
        let user = TemporaryDirectory()
        try? FileManager.default.createDirectory(atPath: user.path + "/posestudio/themes", withIntermediateDirectories: true)
        _ = FileManager.default.createFile(atPath: user.path + "/posestudio/themes/dark.toml",
                                       contents: Data("name = \"my dark\"\n[roles]\ntext = { fg = \"red\" }\n".utf8))
        var config = StudioConfig.standard(environment: ["XDG_CONFIG_HOME": user.path], executable: "/nonexistent/posestudio")
        config.themeDirectories.append(Demo.themes)
        let (theme, problems) = config.loadTheme("dark")
        #expect(problems.isEmpty)
        #expect(theme.name == "my dark")
        #expect(config.loadTheme("light").0.name == "light")
        let (fallback, missing) = config.loadTheme("nope")
        #expect(fallback == .basic)
        #expect(missing.first?.message.contains("no such theme") == true)
    }
}
