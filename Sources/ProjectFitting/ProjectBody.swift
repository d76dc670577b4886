// Which body fits a project: the one asked for now, else the one the project remembers, else the
// built-in body. A SMPL file is identified by absolute path and SHA-256; a recorded file that is
// gone fails (naming the path, offering --body builtin); one whose digest changed gives a note.
import BodyKit
import Foundation
import ProjectStore

/// A loaded body and how a project records it.
public struct ProjectBody: Sendable {
    public let model: BodyModel
    public let reference: BodyReference
    /// Something the user should know (e.g. the recorded SMPL file changed since the fit); nil if none.
    public let note: String?

    /// Loads the body for `file`.
    /// - Parameter requested: the body the user asked for now (`--body`); nil means the one
    ///   the project was fitted with, or the built-in body for a project never fitted.
    /// - Throws: `BodyLoadError` (a missing file: `.smplFileMissing`, naming the path and saying
    ///   whether the project recorded it; a broken file: `.model`, naming the key); `ProjectError`.
    public static func load(for file: ProjectFile, requested: BodyKind?) throws -> ProjectBody {
        let recorded = try file.body()
        let kind: BodyKind
        switch (requested, recorded) {
        case let (asked?, _): kind = asked
        case let (nil, .smpl(path, _)?): kind = .smpl(path: path)
        case (nil, _): kind = .builtin
        }
        return try load(kind, requested: requested != nil, recorded: recorded)
    }

    /// Loads a body outside any project (benchmarks, previews).
    public static func load(_ kind: BodyKind) throws -> ProjectBody {
        try load(kind, requested: true, recorded: nil)
    }

    private static func load(_ kind: BodyKind, requested: Bool, recorded: BodyReference?) throws -> ProjectBody {
        switch kind {
        case .builtin:
            return ProjectBody(model: try BodyLibrary.load(.builtin, requested: requested), reference: .builtin, note: nil)
        case let .smpl(path):
            let absolute = URL(fileURLWithPath: path).standardizedFileURL.path
            let model = try BodyLibrary.load(.smpl(path: absolute), requested: requested)
            guard let digest = SHA256.hex(path: absolute) else {
                throw BodyLoadError.model(.unreadable(source: absolute, why: "cannot read the file"))
            }
            var note: String?
            if case let .smpl(oldPath, oldDigest)? = recorded, oldPath == absolute, oldDigest != digest {
                note = "\(absolute): the SMPL model file changed since this project was fitted with it; fit again (posestudio fit) for consistent bodies"
            }
            return ProjectBody(model: model, reference: .smpl(path: absolute, sha256: digest), note: note)
        }
    }
}
