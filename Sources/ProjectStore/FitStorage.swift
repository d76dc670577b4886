// Stored fits (schema "v3-fits"): which body a project was fitted with, and recording a (re)fit.
// A fit is one transaction: the frames' SMPL and fit records as one journaled `Edit.setSMPL`
// (undoable), the source pose's SMPL and fit record, and the body reference. The source and the
// body are facts about the fit, not edits: undo restores the frames only.
import Foundation
import GRDB
import PoseKit

/// The body a project's fits used. A SMPL file is recorded by absolute path and SHA-256 so that
/// a moved or changed file is recognised.
public enum BodyReference: Hashable, Sendable {
    case builtin
    /// `sha256`: 64 lower-case hex digits of the whole file.
    case smpl(path: String, sha256: String)
}

extension ProjectFile {
    /// The body the project was last fitted with; nil when it was never fitted.
    public func body() throws -> BodyReference? {
        try sqlite("read the body reference") {
            try queue.read { db in
                guard let row = try TypedRow.select(db, ["kind", "path", "sha256"], from: "body", "WHERE id = 1", path: path).first else { return nil }
                switch try row.text(0) {
                case "builtin": return .builtin
                case "smpl":
                    guard let file = try row.optionalText(1), let sha = try row.optionalText(2) else { throw row.damaged(1, "is missing for a SMPL body") }
                    return .smpl(path: file, sha256: sha)
                default: throw row.damaged(0, "is neither builtin nor smpl")
                }
            }
        }
    }

    /// Records a fit in one transaction: `frames` as one journal entry (`Edit.setSMPL`, undoable),
    /// the source pose's SMPL and fit record when `source` is given, and `body`.
    /// - Parameters:
    ///   - frames: per frame its new SMPL and fit record (a value with both nil clears the frame).
    ///   - label: the journal label; `Edit.summary` when nil.
    /// - Returns: the journal entry, or nil when `frames` is empty (then only source and body are written).
    /// - Throws: `ProjectError.invalidEdit` (a frame out of range; nothing written) or `.sqlite`.
    @discardableResult
    public func recordFit(frames: [SMPLValue], source: (smpl: SMPLParameters, fit: SMPLFitRecord)?, body: BodyReference,
                          label: String? = nil) throws -> JournalEntry? {
        try transact("record a fit") { db, state in
            let entry = frames.isEmpty ? nil : try journal(.setSMPL(frames), label: label, db: db, state: &state)
            if let source {
                try db.execute(sql: "UPDATE source SET smpl = ?, fit = ? WHERE id = 1",
                               arguments: [BlobCodec.encode(smpl: source.smpl), BlobCodec.encode(fit: source.fit)])
                state.project.sourcePose.smpl = source.smpl
                state.project.sourcePose.fit = source.fit
            }
            try db.execute(sql: "DELETE FROM body")
            switch body {
            case .builtin:
                try db.execute(sql: "INSERT INTO body (id, kind) VALUES (1, 'builtin')")
            case let .smpl(path, sha256):
                try db.execute(sql: "INSERT INTO body (id, kind, path, sha256) VALUES (1, 'smpl', ?, ?)", arguments: [path, sha256])
            }
            return entry
        }
    }
}
