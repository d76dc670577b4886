// `posestudio debug screen PROJECT --keys "n f t"`: the studio on the in-memory test terminal,
// driven by key names, with the real pictures (driving video, draft) — prints the final screen as
// text (or with --ansi in colour). For looking at the studio without a terminal, and for notes.
import ArgumentParser
import Foundation
import ProjectStore
import Studio
import TerminalPreview
import TerminalUI

struct DebugScreen: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "screen", abstract: "Print the studio's screen after a list of keys (test terminal, real pictures).")

    @Argument(help: "The project file.") var project: String
    @Option(help: "Key names separated by spaces, as ? in the studio shows them (h, Shift-Tab, Ctrl-R, Enter, Space); `wait` lets background work (renders, refits) finish before the next key.")
    var keys = ""
    @Option(help: "Terminal size, COLUMNSxROWS.") var size = "120x40"
    @Option(help: "Theme name.") var theme = "dark"
    @Flag(help: "Print with colours (ANSI) instead of plain text.") var ansi = false
    @Option(help: "Generator weights for neural renders (as open --weights).") var weights: String?
    @Option(name: .customLong("render-size"), help: "Size of the studio's renders (as open --render-size).")
    var renderSize: RenderSizeArgument?

    func run() throws {
        let parts = size.split(separator: "x").compactMap { Int($0) }
        guard parts.count == 2, parts[0] > 0, parts[1] > 0 else { throw ValidationError("--size \(size): write COLUMNSxROWS") }
        // Runs of keys between `wait`s.
        let script = try keys.split(separator: " ", omittingEmptySubsequences: true).split(separator: "wait").map { run in
            try run.map { name -> Key in
                guard let key = KeyMap.key(named: String(name)) else { throw ValidationError("--keys: unknown key name '\(name)'") }
                return key
            }
        }
        let lock = try StudioLock(path: project)
        let file = try ProjectFile.open(at: project)
        defer { try? file.close() }
        let config = StudioConfig.standard(environment: ProcessInfo.processInfo.environment, executable: "/proc/self/exe")
        let (chosen, problems) = config.loadTheme(theme)
        for problem in problems { Console.error("posestudio: \(problem)") }
        let hasVideo = (try file.drivingVideo()) != nil
        let terminalSize = TerminalSize(columns: parts[0], rows: parts[1])
        let session = StudioSession(file: file, size: terminalSize, theme: chosen, hasVideo: hasVideo)
        session.config = config
        try StudioWiring.attach(to: session, projectPath: project, file: file, hasVideo: hasVideo,
                                imageMode: chosen.colorImages ? .truecolor : .monochrome, weights: weights, renderSize: renderSize)
        session.settle()
        for keys in script {
            var terminal = TestTerminal(size: terminalSize, keys: keys)
            session.run(&terminal, exitWhenIdle: true)
            session.settle()
        }
        let screen = session.screen()
        Console.out(ansi ? ANSIText.render(screen) : screen.plainText())
        session.shutdown()
        withExtendedLifetime(lock) {}
    }
}
