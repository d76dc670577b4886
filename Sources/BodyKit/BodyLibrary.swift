// Choosing and loading a body: the built-in stand-in (always there) or a SMPL model file the user
// supplies. A project remembers the body it was fitted with; when that was a SMPL file that is
// no longer where it was, loading says so and offers the built-in body.
import Foundation

public enum BodyLoadError: Error, Equatable, CustomStringConvertible {
    /// The SMPL file is missing. `recorded`: the path came from the project, not the command.
    case smplFileMissing(path: String, recorded: Bool)
    /// The file exists but cannot be used as a SMPL model.
    case model(BodyModelError)

    public var description: String {
        switch self {
        case let .smplFileMissing(path, recorded):
            recorded
                ? "\(path): this project was fitted with that SMPL model file, which is not there. Give its new place with --body PATH, or use the built-in stand-in body with --body builtin (a refit is needed: poses fitted to one body do not carry over to another)."
                : "\(path): no such SMPL model file. Use --body builtin for the built-in stand-in body."
        case let .model(error):
            "\(error)"
        }
    }
}

public enum BodyLibrary {
    /// Loads the body of `kind`. `requested`: the user named it now (rather than the project).
    public static func load(_ kind: BodyKind, requested: Bool) throws(BodyLoadError) -> BodyModel {
        switch kind {
        case .builtin:
            return BuiltinBody.model
        case let .smpl(path):
            guard FileManager.default.fileExists(atPath: path) else { throw .smplFileMissing(path: path, recorded: !requested) }
            do { return try SMPLFile.load(path: path) } catch { throw .model(error) }
        }
    }
}
