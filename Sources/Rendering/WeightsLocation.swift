// Where the neural render's weights come from, in order: the path given on the command line,
// the project's `render.weights` setting, then `$XDG_DATA_HOME/posestudio/weights/` (default
// ~/.local/share) holding the authors' `latest_net_G.pth` as downloaded or a `.safetensors` copy.
import Foundation
import PoseTransfer
import TensorEngine

public enum WeightsLocation {
    /// The project setting naming a checkpoint file.
    public static let settingKey = "render.weights"
    /// Where the BDMM authors publish the trained generator.
    public static let downloadHint = "the BDMM authors' trained generator, latest_net_G.pth (github.com/rocketappslab/BDMM, \"pretrained model\")"

    /// The data directory searched last.
    public static func directory(environment: [String: String]) -> String {
        let base = environment["XDG_DATA_HOME"].flatMap { $0.isEmpty ? nil : $0 }
            ?? ((environment["HOME"] ?? NSHomeDirectory()) as NSString).appendingPathComponent(".local/share")
        return (base as NSString).appendingPathComponent("posestudio/weights")
    }

    /// The checkpoint to use, or a `RenderError` saying where to put one and that `--draft` works.
    public static func find(explicit: String?, setting: String?, environment: [String: String]) throws -> String {
        let fileManager = FileManager.default
        if let explicit {
            guard fileManager.fileExists(atPath: explicit) else { throw RenderError("\(explicit): no such weights file (--weights)") }
            return explicit
        }
        if let setting {
            guard fileManager.fileExists(atPath: setting) else {
                throw RenderError("\(setting): the weights file named by the project setting \(settingKey) is not there")
            }
            return setting
        }
        let dir = directory(environment: environment)
        let names = ((try? fileManager.contentsOfDirectory(atPath: dir)) ?? []).sorted()
        if names.contains("latest_net_G.pth") { return (dir as NSString).appendingPathComponent("latest_net_G.pth") }
        if let safetensors = names.first(where: { $0.hasSuffix(".safetensors") }) {
            return (dir as NSString).appendingPathComponent(safetensors)
        }
        throw RenderError("no generator weights: give --weights PATH, or put \(downloadHint) into \(dir)/ "
                          + "(or a .safetensors copy). The draft render needs no weights and works now: add --draft.")
    }

    /// The weights' identity in render cache keys: absolute path, size and modification time.
    public static func identity(of path: String) -> String {
        let attributes = try? FileManager.default.attributesOfItem(atPath: path)
        return [URL(fileURLWithPath: path).standardizedFileURL.path, "\(attributes?[.size] ?? "")",
                "\((attributes?[.modificationDate] as? Date)?.timeIntervalSince1970 ?? 0)"].joined(separator: "|")
    }

    /// The generator of the checkpoint at `path` (`.pth` or `.safetensors`).
    /// - Throws: weight-file errors naming the file and the tensor.
    public static func generator(at path: String) throws -> BDMMGenerator {
        try BDMMGenerator(weights: try WeightFile.read(contentsOf: URL(fileURLWithPath: path)), source: path)
    }
}
