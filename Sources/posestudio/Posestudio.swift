// The posestudio command line: every studio action has a headless twin here. Exit status 0 on
// success and 1 on any user or input error (message on stderr naming the file and field).
import ArgumentParser
import Foundation
import MediaIO
import NcursesBackend
import BodyKit
import PoseTransfer
import ProjectFitting
import ProjectStore
import Rendering
import Studio
import TensorEngine

@main
struct Posestudio: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "posestudio",
        abstract: "A terminal studio for pose sequences: clean noisy keypoints, render pose transfer.",
        version: "0.1.0",
        subcommands: studioCommands + [New.self, Import.self, Info.self, Export.self, EditCommand.self,
                      Undo.self, Redo.self, History.self,
                      Suspects.self, Clean.self, Filter.self, Fill.self, Swap.self, Pin.self, Fix.self,
                      Preview.self, VideoCommand.self, Fit.self, BodyCommand.self, Render.self, Dataset.self, PlateCommand.self, ConfigCommand.self,
                      Bench.self, Debug.self])

    static func main() {
        // A file size limit (ulimit -f) must end in a write error we report, not in SIGXFSZ.
        signal(SIGXFSZ, SIG_IGN)
        OpenBLASRestart.ifNeeded()
        do {
            var command = try parseAsRoot()
            try command.run()
        } catch {
            // Our own errors already name the file and the field: printed as they are.
            switch error {
            case is ProjectError, is WeightError, is GeneratorError, is MeshFlowError, is RenderError, is MediaError, is BodyLoadError, is BodyModelError, is ProjectFitError, is StudioLockError, is TerminalError:
                Console.error("posestudio: \(error)")
                Foundation.exit(1)
            default: break
            }
            let code = exitCode(for: error)
            if code == .success {
                Console.out(fullMessage(for: error))
                Foundation.exit(0)
            }
            Console.error(fullMessage(for: error))
            Foundation.exit(1)
        }
    }
}

/// Unbuffered output: a line written is a line delivered, even if the process is killed next.
enum Console {
    static func out(_ text: String) { FileHandle.standardOutput.write(Data((text + "\n").utf8)) }
    static func error(_ text: String) { FileHandle.standardError.write(Data((text + "\n").utf8)) }
}
