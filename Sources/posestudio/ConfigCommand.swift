// `posestudio config PROJECT [KEY [VALUE]] [--unset]`: list, read and write a project's settings.
// The render keys (`RenderSettings`) are checked before they are stored; paths (render.weights)
// are stored as given, and a relative one is read relative to the project file's directory.
import ArgumentParser
import Foundation
import ProjectStore
import Rendering

struct ConfigCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "config",
        abstract: "List, read or write the project's settings (render.size, render.background, render.normalise, render.weights).")

    static let known: [(key: String, help: String)] = [
        (RenderSettings.sizeKey, "render size, S or HxW (height first), e.g. 256x128"),
        (RenderSettings.backgroundKey, "neutral, black, white, RRGGBB or plate"),
        (RenderSettings.normaliseKey, "true or false: global pose normalisation towards the source person"),
        (RenderSettings.weightsKey, "generator weights (.pth or .safetensors); relative to the project's directory unless absolute"),
    ]

    @Argument(help: "The project file.") var project: String
    @Argument(help: "A setting's key (without it: every setting).") var key: String?
    @Argument(help: "The value to store.") var value: String?
    @Flag(help: "Remove the setting.") var unset = false

    func validate() throws {
        if unset && (key == nil || value != nil) { throw ValidationError("--unset takes a key and no value") }
    }

    func run() throws {
        let file = try ProjectFile.open(at: project)
        defer { try? file.close() }
        guard let key else {
            for (k, v) in try file.settings().sorted(by: { $0.key < $1.key }) { Console.out("\(k) = \(v)") }
            return
        }
        let stored = try file.settings()
        guard Self.known.contains(where: { $0.key == key }) || stored[key] != nil else {
            throw ValidationError("unknown setting '\(key)'; the settings are:\n" + Self.known.map { "  \($0.key): \($0.help)" }.joined(separator: "\n"))
        }
        if unset {
            try file.setSetting(key, nil)
            Console.out("removed \(key)")
        } else if let value {
            var settings = stored
            settings[key] = value
            _ = try RenderSettings(settings: settings, project: project)   // refuses a value the renderer cannot use
            if key == RenderSettings.weightsKey, !FileManager.default.fileExists(atPath: RenderSettings.resolve(value, project: project)) {
                Console.error("posestudio: note: \(RenderSettings.resolve(value, project: project)) does not exist (yet)")
            }
            try file.setSetting(key, value)
            Console.out("\(key) = \(value)")
        } else if let current = try file.setting(key) {
            Console.out(current)
        } else {
            throw ValidationError("\(project): \(key) is not set")
        }
    }
}
