// The posestudio command line: every studio action has a headless twin here. Exit status 0 on
// success and 1 on any user or input error (message on stderr naming the file and field).
import ArgumentParser
import Foundation
import MediaIO
import BodyKit
import PoseTransfer
import ProjectFitting
import ProjectStore
import TensorEngine

@main
struct Posestudio: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "posestudio",
        abstract: "A terminal studio for pose sequences: clean noisy keypoints, render pose transfer.",
        version: "0.1.0",
        subcommands: [New.self, Import.self, Info.self, Export.self, EditCommand.self,
                      Undo.self, Redo.self, History.self,
                      Suspects.self, Clean.self, Filter.self, Fill.self, Swap.self, Pin.self, Fix.self,
                      Preview.self, VideoCommand.self, Fit.self, BodyCommand.self,
                      Bench.self, Debug.self])

    static func main() {
        // A file size limit (ulimit -f) must end in a write error we report, not in SIGXFSZ.
        signal(SIGXFSZ, SIG_IGN)
        do {
            var command = try parseAsRoot()
            try command.run()
        } catch let error as ProjectError {
            Console.error("posestudio: \(error)")
            Foundation.exit(1)
        } catch let error as WeightError {
            Console.error("posestudio: \(error)")
            Foundation.exit(1)
        } catch let error as GeneratorError {
            Console.error("posestudio: \(error)")
            Foundation.exit(1)
        } catch let error as MeshFlowError {
            Console.error("posestudio: \(error)")
            Foundation.exit(1)
        } catch let error as MediaError {
            Console.error("posestudio: \(error)")
            Foundation.exit(1)
        } catch let error as BodyLoadError {
            Console.error("posestudio: \(error)")
            Foundation.exit(1)
        } catch let error as BodyModelError {
            Console.error("posestudio: \(error)")
            Foundation.exit(1)
        } catch let error as ProjectFitError {
            Console.error("posestudio: \(error)")
            Foundation.exit(1)
        } catch {
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
