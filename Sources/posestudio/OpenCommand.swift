// `posestudio open PROJECT`: the studio in the terminal. One studio per project (a lock on the
// file); the terminal is restored on every way out (the ncurses backend's job); configuration
// problems are shown in the studio and printed again on exit.
#if canImport(NcursesBackend)
import ArgumentParser
import Foundation
import NcursesBackend
import ProjectStore
import Rendering
import Studio
import TerminalPreview
import TerminalUI

struct Open: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Open the studio on a project: scrub, fix keypoints, render, export (? inside lists every key).")

    @Argument(help: "The project file.") var project: String
    @Option(help: "Theme name (Themes/*.toml or a user theme under $XDG_CONFIG_HOME/posestudio/themes).") var theme: String?
    @Option(help: "Generator weights for neural renders (r, R); default: the project setting render.weights, then $XDG_DATA_HOME/posestudio/weights/.")
    var weights: String?
    @Option(name: .customLong("render-size"), help: "Size of the studio's renders: S or HxW (multiples of 8, at least 128x64; smaller renders faster). Default: the project's render.size, else 256.")
    var renderSize: RenderSizeArgument?

    func run() throws {
        guard FileManager.default.fileExists(atPath: project) else { throw ProjectError.io(path: project, why: "no such file") }
        let lock = try StudioLock(path: project)
        guard isatty(STDIN_FILENO) == 1, isatty(STDOUT_FILENO) == 1 else {
            throw ValidationError("posestudio open needs a terminal on stdin and stdout; for batch work use the CLI verbs (posestudio --help)")
        }
        if let weights, !FileManager.default.fileExists(atPath: weights) { throw RenderError("\(weights): no such weights file (--weights)") }
        let file = try ProjectFile.open(at: project)
        let environment = ProcessInfo.processInfo.environment
        let config = StudioConfig.standard(environment: environment, executable: "/proc/self/exe")
        let (theme, themeProblems) = config.loadTheme(StudioConfig.startupThemeName(requested: theme, environment: environment))
        let (keyMap, keyProblems) = config.loadKeyMap()
        let problems = themeProblems + keyProblems
        let capabilities = TerminalCapabilities.detect(environment: environment)
        let hasVideo = (try file.drivingVideo()) != nil

        var terminal = try NcursesTerminal(environment: environment)
        let session = StudioSession(file: file, size: terminal.size, theme: theme, keyMap: keyMap, hasVideo: hasVideo)
        session.config = config
        try StudioWiring.attach(to: session, projectPath: project, file: file, hasVideo: hasVideo,
                                imageMode: theme.colorImages ? capabilities.imageMode : .monochrome, weights: weights,
                                renderSize: renderSize)
        if let first = problems.first { session.dispatch(.notify(StatusMessage(first.description, .error))) }
        let latencyLog = LatencyLog(path: environment["POSESTUDIO_LATENCY_LOG"])
        if let latencyLog { session.latencyProbe = { latencyLog.record($0) } }
        // Hidden, for the crash test: a trap with the screen up must still leave a usable terminal.
        if environment["POSESTUDIO_DEBUG_TRAP_AFTER_FIRST_SCREEN"] == "1" {
            session.presented = { fatalError("POSESTUDIO_DEBUG_TRAP_AFTER_FIRST_SCREEN: trapping after the first screen") }
        }

        session.run(&terminal)
        _ = consume terminal
        session.shutdown()
        try file.close()
        withExtendedLifetime(lock) {}
        for problem in problems { Console.error("posestudio: \(problem)") }
    }
}

/// Key-to-screen latencies appended to a file, one number (ms) per line (`bench studio --tmux`).
final class LatencyLog {
    private let handle: FileHandle
    init?(path: String?) {
        guard let path, FileManager.default.createFile(atPath: path, contents: nil), let handle = FileHandle(forWritingAtPath: path) else { return nil }
        self.handle = handle
    }
    func record(_ duration: Duration) {
        handle.write(Data(String(format: "%.3f\n", duration.ms).utf8))
    }
}

let studioCommands: [ParsableCommand.Type] = [Open.self]
#else
import ArgumentParser
let studioCommands: [ParsableCommand.Type] = []
#endif
