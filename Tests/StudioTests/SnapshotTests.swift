// Screens of the main views from the test backend, compared with golden files in
// Tests/Fixtures/studio/ (text, then one style letter per cell and the style legend). Run with
// UPDATE_SNAPSHOTS=1 to rewrite them after a deliberate change — then read the diff.
import Foundation
import Studio
import TerminalUI
import Testing

@Suite struct SnapshotTests {
    static let directory = Demo.root.appendingPathComponent("Tests/Fixtures/studio")

    enum View: String, CaseIterable { case main, help, palette, range }

    struct Case: CustomTestStringConvertible, Sendable {
        var view: View
        var columns: Int, rows: Int
        var theme: String
        var name: String { "\(view.rawValue)-\(columns)x\(rows)-\(theme)" }
        var testDescription: String { name }
    }

    static let cases: [Case] = {
        var all: [Case] = []
        for view in View.allCases {
            for (c, r) in [(80, 24), (160, 48)] {
                for theme in ["dark", "monochrome"] where view == .main || (c == 80 && theme == "dark") || view == .range {
                    all.append(Case(view: view, columns: c, rows: r, theme: theme))
                }
            }
        }
        all.append(Case(view: .main, columns: 60, rows: 20, theme: "dark"))
        return all
    }()

    @Test(arguments: cases) func screen(_ c: Case) throws {
        let dir = TemporaryDirectory()
        let file = try Demo.project(in: dir)
        let session = Demo.session(file, size: TerminalSize(columns: c.columns, rows: c.rows), theme: c.theme)
        session.press(.character("n"))
        switch c.view {
        case .main: break
        case .help: session.press(.character("?"))
        case .palette:
            session.press(.control("p"))
            session.type("fi")
        case .range:
            session.press(.character("v"), .character("L"), .character("L"))
        }
        let text = session.screen().styledSnapshot()
        let path = Self.directory.appendingPathComponent(c.name + ".txt").path
        if ProcessInfo.processInfo.environment["UPDATE_SNAPSHOTS"] == "1" {
            try FileManager.default.createDirectory(at: Self.directory, withIntermediateDirectories: true)
            try text.write(toFile: path, atomically: true, encoding: .utf8)
            return
        }
        let golden = try String(contentsOfFile: path, encoding: .utf8)
        if golden != text {
            let a = golden.split(separator: "\n", omittingEmptySubsequences: false), b = text.split(separator: "\n", omittingEmptySubsequences: false)
            let first = zip(a, b).enumerated().first { $0.element.0 != $0.element.1 }
            Issue.record("\(c.name) differs from \(path) at line \((first?.offset ?? min(a.count, b.count)) + 1):\n  golden: \(first.map { String($0.element.0) } ?? "")\n  now:    \(first.map { String($0.element.1) } ?? "")")
        }
    }

    @Test func monochromeUsesNoColours() throws {
        let dir = TemporaryDirectory()
        let file = try Demo.project(in: dir)
        let session = Demo.session(file, size: TerminalSize(columns: 80, rows: 24), theme: "monochrome")
        session.press(.character("n"))
        let grid = session.screen()
        #expect(grid.cells.allSatisfy { $0.foreground == .default && $0.background == .default })
        #expect(grid.cells.contains { $0.attributes.contains(.reverse) })
    }
}
