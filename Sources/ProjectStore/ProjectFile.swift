// An open project.bdmm: the in-memory model and the SQLite file kept in step. Every edit, undo
// and redo is one IMMEDIATE transaction (synchronous = FULL, WAL); the model changes only after the
// commit succeeds, so what the caller sees as done is on disk. Another process may write the same
// file: each transaction first reloads the model if the file's `revision` moved.
// Not thread-safe: one owner (the CLI, or the studio's store actor) per instance.
import Foundation
import GRDB
import PoseKit

public final class ProjectFile {
    public let path: String
    public private(set) var project: Project
    public private(set) var journal: JournalState
    private var revision: Int
    let queue: DatabaseQueue

    public var sequence: PoseSequence { project.sequence }

    private init(path: String, queue: DatabaseQueue, state: State) {
        self.path = path
        self.queue = queue
        self.project = state.project
        self.journal = state.journal
        self.revision = state.revision
    }

    /// Closes the database connection; the instance must not be used afterwards.
    public func close() throws {
        try sqlite("close") { try queue.close() }
    }

    // MARK: creating and opening

    /// Creates a new project file at `path` holding `project`, with an empty journal.
    /// The file appears atomically (built beside it, then linked into place) and is never overwritten.
    /// - Throws: `ProjectError.alreadyExists`, `.invalidEdit` for an invalid sequence, `.sqlite`, `.io`.
    public static func create(at path: String, project: Project, settings: [String: String] = [:]) throws -> ProjectFile {
        do {
            try project.sequence.validate()
            guard project.sourcePose.keypoints.allSatisfy(\.isValid) else {
                throw EditError.invalidSequence("the source pose has a non-finite value or a confidence outside 0…1")
            }
        } catch let error as EditError {
            throw ProjectError.invalidEdit(path: path, error)
        }
        guard !FileManager.default.fileExists(atPath: path) else { throw ProjectError.alreadyExists(path: path) }
        let url = URL(fileURLWithPath: path)
        let temporary = url.deletingLastPathComponent()
            .appendingPathComponent(".\(url.lastPathComponent).creating-\(getpid())-\(UInt32.random(in: 0...UInt32.max))").path
        defer {
            for suffix in ["", "-wal", "-shm", "-journal"] { unlink(temporary + suffix) }
        }
        try sqlite(path, "create") {
            let queue = try DatabaseQueue(path: temporary, configuration: configuration())
            try queue.writeWithoutTransaction { db in
                try db.execute(sql: "PRAGMA application_id = \(Schema.applicationID)")
                try db.inTransaction {
                    try Schema.migrate(db, from: 0)
                    try db.execute(sql: """
                        INSERT INTO project (id, fps, width, height, created_at) VALUES (1, ?, ?, ?, ?)
                        """, arguments: [project.sequence.fps, project.sequence.frameSize.width,
                                         project.sequence.frameSize.height, timestamp()])
                    try db.execute(sql: """
                        INSERT INTO source (id, image, image_format, image_width, image_height, keypoints, smpl, fit, source_frame)
                        VALUES (1, ?, ?, ?, ?, ?, ?, ?, ?)
                        """, arguments: [project.sourceImage.bytes, project.sourceImage.format.rawValue,
                                         project.sourceImage.size.width, project.sourceImage.size.height,
                                         BlobCodec.encode(pose: project.sourcePose.keypoints),
                                         project.sourcePose.smpl.map { BlobCodec.encode(smpl: $0) },
                                         project.sourcePose.fit.map { BlobCodec.encode(fit: $0) },
                                         project.sourceFrame])
                    try writeFrames(db, project.sequence, only: nil)
                    for (key, value) in settings {
                        try db.execute(sql: "INSERT INTO settings (key, value) VALUES (?, ?)", arguments: [key, value])
                    }
                    return .commit
                }
                _ = try String.fetchOne(db, sql: "PRAGMA journal_mode = WAL")
            }
            try queue.close()
        }
        // link(2) fails instead of replacing an existing file; where the file system has no hard
        // links, fall back to rename(2) after a last existence check.
        if link(temporary, path) != 0 {
            let code = errno
            if code == EEXIST { throw ProjectError.alreadyExists(path: path) }
            let noHardLinks = code == EPERM || code == ENOTSUP || code == EOPNOTSUPP || code == EMLINK
            guard noHardLinks, !FileManager.default.fileExists(atPath: path), rename(temporary, path) == 0 else {
                throw ProjectError.io(path: path, why: "cannot create the project file: \(String(cString: strerror(code)))")
            }
        }
        return try open(at: path)
    }

    /// Opens an existing project. A file that is not a posestudio project, is of a newer schema or
    /// is damaged is refused with a message and is not modified. An older schema is migrated.
    public static func open(at path: String) throws -> ProjectFile {
        try FileCheck.verify(path)
        let queue = try sqlite(path, "open") { try DatabaseQueue(path: path, configuration: configuration()) }
        do {
            let state = try queue.writeWithoutTransaction { db in
                try db.inTransaction(.deferred) {
                    try FileCheck.verifyContents(db, path: path)
                    return .commit
                }
                try db.inTransaction(.immediate) {
                    let version = try Int.fetchOne(db, sql: "PRAGMA user_version") ?? 0
                    if version < Schema.currentVersion { try Schema.migrate(db, from: version) }
                    return .commit
                }
                return try State.load(db, path: path)
            }
            return ProjectFile(path: path, queue: queue, state: state)
        } catch let error as DatabaseError {
            try? queue.close()
            throw ProjectError.damaged(path: path, why: error.message ?? "\(error)")
        } catch {
            try? queue.close()
            throw error
        }
    }

    static func configuration() -> Configuration {
        var config = Configuration()
        config.foreignKeysEnabled = true
        config.busyMode = .timeout(10)
        config.label = "posestudio"
        config.prepareDatabase { db in
            try db.execute(sql: "PRAGMA synchronous = FULL")
        }
        return config
    }

    // MARK: edits and the journal

    /// Applies `edit`, records it in the journal (dropping any undone entries after the current
    /// position) and commits, all in one transaction.
    /// - Returns: the new journal entry.
    /// - Throws: `ProjectError.invalidEdit` (nothing written) or `.sqlite` (nothing written).
    @discardableResult
    public func apply(_ edit: Edit, label: String? = nil) throws -> JournalEntry {
        try transact("commit an edit") { db, state in
            try journal(edit, label: label, db: db, state: &state)
        }
    }

    /// Applies `edit` to `state` and writes it and its journal entry (inside a transaction).
    func journal(_ edit: Edit, label: String?, db: Database, state: inout State) throws -> JournalEntry {
        var sequence = state.project.sequence
        let inverse: Edit
        do throws(EditError) { inverse = try sequence.apply(edit) } catch { throw ProjectError.invalidEdit(path: path, error) }
        try Self.writeSequenceChange(db, sequence, edit: edit)
        let index = state.journal.position + 1
        let entry = JournalEntry(index: index, label: label ?? edit.summary, createdAt: Date(), isApplied: true)
        try db.execute(sql: "DELETE FROM journal WHERE seq >= ?", arguments: [index])
        try db.execute(sql: "INSERT INTO journal (seq, label, forward, inverse, created_at) VALUES (?, ?, ?, ?, ?)",
                       arguments: [index, entry.label, BlobCodec.encode(edit), BlobCodec.encode(inverse),
                                   Self.timestamp(entry.createdAt)])
        state.project.sequence = sequence
        state.journal = JournalState(length: index, position: index)
        return entry
    }

    /// Undoes the entry at the current journal position; nil when there is nothing to undo.
    @discardableResult
    public func undo() throws -> JournalEntry? {
        try transact("undo") { db, state in
            guard state.journal.canUndo else { return nil }
            let index = state.journal.position
            let (entry, _, inverse) = try Self.journalEntry(db, index: index, path: path)
            try replay(inverse, entry: entry, db: db, state: &state)
            state.journal.position = index - 1
            return JournalEntry(index: index, label: entry.label, createdAt: entry.createdAt, isApplied: false)
        }
    }

    /// Redoes the entry after the current journal position; nil when there is nothing to redo.
    @discardableResult
    public func redo() throws -> JournalEntry? {
        try transact("redo") { db, state in
            guard state.journal.canRedo else { return nil }
            let index = state.journal.position + 1
            let (entry, forward, _) = try Self.journalEntry(db, index: index, path: path)
            try replay(forward, entry: entry, db: db, state: &state)
            state.journal.position = index
            return JournalEntry(index: index, label: entry.label, createdAt: entry.createdAt, isApplied: true)
        }
    }

    /// Every journal entry, oldest first.
    public func history() throws -> [JournalEntry] {
        let position = journal.position
        return try sqlite("read the journal") {
            try queue.read { db in
                try TypedRow.select(db, ["seq", "label", "created_at"], from: "journal", "ORDER BY seq", path: path).map { row in
                    let index = try row.integer(0)
                    return JournalEntry(index: index, label: try row.text(1), createdAt: Self.date(try row.text(2)), isApplied: index <= position)
                }
            }
        }
    }

    // MARK: settings

    public func setting(_ key: String) throws -> String? {
        try sqlite("read a setting") {
            try queue.read { db in
                try TypedRow.fetchOne(db, "SELECT value FROM settings WHERE key = ?", table: "settings", columns: ["value"], path: path,
                                      arguments: [key])?.text(0)
            }
        }
    }

    /// Every setting, by key.
    public func settings() throws -> [String: String] {
        try sqlite("read the settings") {
            try queue.read { db in
                Dictionary(try TypedRow.select(db, ["key", "value"], from: "settings", path: path).map { (try $0.text(0), try $0.text(1)) },
                           uniquingKeysWith: { first, _ in first })
            }
        }
    }

    /// Sets (or with nil removes) a project setting, committed at once. Settings are not journaled.
    public func setSetting(_ key: String, _ value: String?) throws {
        try transact("save a setting") { db, _ in
            if let value {
                try db.execute(sql: "INSERT INTO settings (key, value) VALUES (?, ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value",
                               arguments: [key, value])
            } else {
                try db.execute(sql: "DELETE FROM settings WHERE key = ?", arguments: [key])
            }
        }
    }

    // MARK: internals

    /// Runs `body` in an IMMEDIATE transaction on a copy of the state (reloaded first when another
    /// connection changed the file), bumps the revision, commits, and only then adopts the copy.
    /// Re-reads the project when another connection changed it since (a fit run in the background
    /// on its own connection). - Returns: whether it changed.
    @discardableResult
    public func refresh() throws -> Bool {
        let fresh: State? = try sqlite("refresh") {
            try queue.read { db in
                let onDisk = try Int.fetchOne(db, sql: "SELECT revision FROM project WHERE id = 1")
                return onDisk == revision ? nil : try State.load(db, path: path)
            }
        }
        guard let fresh else { return false }
        project = fresh.project
        journal = fresh.journal
        revision = fresh.revision
        return true
    }

    func transact<T>(_ operation: String, _ body: (Database, inout State) throws -> T) throws -> T {
        var result: T?
        var committed: State?
        try sqlite(operation) {
            try queue.writeWithoutTransaction { db in
                try db.inTransaction(.immediate) {
                    var state = State(project: project, journal: journal, revision: revision)
                    let onDisk = try Int.fetchOne(db, sql: "SELECT revision FROM project WHERE id = 1")
                    if onDisk != revision { state = try State.load(db, path: path) }
                    result = try body(db, &state)
                    state.revision += 1
                    try db.execute(sql: "UPDATE project SET journal_position = ?, revision = ? WHERE id = 1",
                                   arguments: [state.journal.position, state.revision])
                    committed = state
                    return .commit
                }
            }
        }
        if let committed {
            project = committed.project
            journal = committed.journal
            revision = committed.revision
        }
        return result!
    }

    private func replay(_ edit: Edit, entry: JournalEntry, db: Database, state: inout State) throws {
        var sequence = state.project.sequence
        do throws(EditError) { try sequence.apply(edit) } catch {
            throw ProjectError.damaged(path: path, why: "journal entry \(entry.index) (\(entry.label)) does not apply: \(error)")
        }
        try Self.writeSequenceChange(db, sequence, edit: edit)
        state.project.sequence = sequence
    }

    private static func journalEntry(_ db: Database, index: Int, path: String) throws -> (JournalEntry, Edit, Edit) {
        guard let row = try TypedRow.fetchOne(db, "SELECT label, forward, inverse, created_at FROM journal WHERE seq = ?", table: "journal",
                                              columns: ["label", "forward", "inverse", "created_at"], path: path, arguments: [index]) else {
            throw ProjectError.damaged(path: path, why: "journal entry \(index) is missing")
        }
        do {
            let forward = try BlobCodec.decodeEdit(try row.blob(1), what: "journal entry \(index) forward edit")
            let inverse = try BlobCodec.decodeEdit(try row.blob(2), what: "journal entry \(index) inverse edit")
            return (JournalEntry(index: index, label: try row.text(0), createdAt: date(try row.text(3)), isApplied: true), forward, inverse)
        } catch let error as BlobCodec.DecodeError {
            throw ProjectError.damaged(path: path, why: error.description)
        }
    }

    /// Writes the frames an applied edit touched (all of them, and the project row, for a whole-sequence replace).
    private static func writeSequenceChange(_ db: Database, _ sequence: PoseSequence, edit: Edit) throws {
        if edit.touchedFrames == nil {
            try db.execute(sql: "UPDATE project SET fps = ?, width = ?, height = ? WHERE id = 1",
                           arguments: [sequence.fps, sequence.frameSize.width, sequence.frameSize.height])
        }
        try writeFrames(db, sequence, only: edit.touchedFrames)
    }

    /// Rewrites the given frames' rows, or every row when `only` is nil.
    private static func writeFrames(_ db: Database, _ sequence: PoseSequence, only frames: [Int]?) throws {
        let statement: Statement
        if frames == nil {
            try db.execute(sql: "DELETE FROM frames")
            statement = try db.cachedStatement(sql: "INSERT INTO frames (keypoints, smpl, fit, idx) VALUES (?, ?, ?, ?)")
        } else {
            statement = try db.cachedStatement(sql: "UPDATE frames SET keypoints = ?, smpl = ?, fit = ? WHERE idx = ?")
        }
        for frame in frames ?? Array(sequence.frames) {
            let points = sequence.keypoints[frame * BODY25.jointCount ..< (frame + 1) * BODY25.jointCount]
            try statement.execute(arguments: [BlobCodec.encode(pose: points),
                                              sequence.smpl[frame].map { BlobCodec.encode(smpl: $0) },
                                              sequence.fits[frame].map { BlobCodec.encode(fit: $0) }, frame])
        }
    }

    static func timestamp(_ date: Date = Date()) -> String {
        ISO8601DateFormatter().string(from: date)
    }

    static func date(_ text: String) -> Date {
        ISO8601DateFormatter().date(from: text) ?? Date(timeIntervalSince1970: 0)
    }

    func sqlite<T>(_ operation: String, _ body: () throws -> T) throws -> T {
        try Self.sqlite(path, operation, body)
    }

    private static func sqlite<T>(_ path: String, _ operation: String, _ body: () throws -> T) throws -> T {
        do {
            return try body()
        } catch let error as DatabaseError {
            throw ProjectError.sqlite(path: path, operation: operation, why: error.message ?? "\(error)")
        }
    }
}

/// The model as stored: what `load` reads back from the tables.
struct State {
    var project: Project
    var journal: JournalState
    var revision: Int

    static func load(_ db: Database, path: String) throws -> State {
        func damaged(_ why: String) -> ProjectError { .damaged(path: path, why: why) }
        do {
            let sides: ClosedRange<Int64> = 1...Int64(FrameSize.largestSide)
            guard let row = try TypedRow.fetchOne(db, "SELECT fps, width, height, journal_position, revision FROM project WHERE id = 1",
                                                  table: "project", columns: ["fps", "width", "height", "journal_position", "revision"],
                                                  path: path) else {
                throw damaged("the project table is empty")
            }
            let fps = try row.real(0, in: PoseSequence.fpsRange)
            let size = FrameSize(width: try row.integer(1, in: sides), height: try row.integer(2, in: sides))
            let position = try row.integer(3, in: 0...Int64(Int32.max))
            let revision = try row.integer(4)

            let sourceColumns = ["image", "image_format", "image_width", "image_height", "keypoints", "smpl", "source_frame", "fit"]
            guard let source = try TypedRow.fetchOne(db, "SELECT \(sourceColumns.joined(separator: ", ")) FROM source WHERE id = 1",
                                                     table: "source", columns: sourceColumns, path: path) else {
                throw damaged("the source table is empty")
            }
            guard let format = SourceImage.Format(rawValue: try source.text(1)) else { throw source.damaged(1, "is not png or jpeg") }
            let image = SourceImage(bytes: try source.blob(0), format: format,
                                    size: FrameSize(width: try source.integer(2, in: sides), height: try source.integer(3, in: sides)))
            let sourcePose = SourcePose(keypoints: try BlobCodec.decodePose(try source.blob(4), what: "source keypoints"),
                                        smpl: try source.optionalBlob(5).map { try BlobCodec.decodeSMPL($0, what: "source SMPL") },
                                        fit: try source.optionalBlob(7).map { try BlobCodec.decodeFit($0, what: "source fit") })
            let sourceFrame = try source.optionalInteger(6, in: 0...Int64(Int32.max))

            var frames: [[Keypoint]] = []
            var smpl: [SMPLParameters?] = []
            var fits: [SMPLFitRecord?] = []
            let frameColumns = ["idx", "keypoints", "smpl", "fit"]
            let rows = try Row.fetchCursor(db, sql: "SELECT idx, keypoints, smpl, fit FROM frames ORDER BY idx")
            while let next = try rows.next() {
                let frame = TypedRow(next, table: "frames", columns: frameColumns, path: path)
                let index = try frame.integer(0, in: 0...Int64(Int32.max))
                guard index == frames.count else { throw damaged("frame \(frames.count) is missing from the frames table") }
                frames.append(try BlobCodec.decodePose(try frame.blob(1), what: "frame \(index) keypoints"))
                smpl.append(try frame.optionalBlob(2).map { try BlobCodec.decodeSMPL($0, what: "frame \(index) SMPL") })
                fits.append(try frame.optionalBlob(3).map { try BlobCodec.decodeFit($0, what: "frame \(index) fit") })
                if fits[index] != nil && smpl[index] == nil { throw damaged("frame \(index) has a fit record but no SMPL") }
            }
            if let sourceFrame, sourceFrame >= frames.count {
                throw source.damaged(6, "names frame \(sourceFrame), the sequence has \(frames.count)")
            }
            let sequence = PoseSequence(fps: fps, frameSize: size, frames: frames, smpl: smpl, fits: fits)

            let length = try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM journal") ?? 0
            let last = try Int.fetchOne(db, sql: "SELECT MAX(seq) FROM journal") ?? 0
            guard last == length else { throw damaged("the journal has gaps (\(length) entries, last is \(last))") }
            guard position <= length else { throw damaged("journal position \(position) is past its \(length) entries") }

            let project = Project(sourceImage: image, sourcePose: sourcePose,
                                  sourceFrame: sourceFrame, sequence: sequence)
            return State(project: project, journal: JournalState(length: length, position: position), revision: revision)
        } catch let error as BlobCodec.DecodeError {
            throw damaged(error.description)
        }
    }
}
