// The .bdmm schema: identified by SQLite's `application_id` and versioned by `user_version`.
// Migrations are a list; migration i takes a file from version i to i + 1, each in the same
// transaction as the user_version bump. Never edit a shipped migration: append a new one.
import GRDB
import PoseKit

public enum Schema {
    /// "PSTD" — posestudio. Written at creation; a file without it is not a project.
    public static let applicationID: Int32 = 0x5053_5444
    /// The newest schema this build reads and writes.
    public static var currentVersion: Int { migrations.count }

    /// `migrations[i]` upgrades a version-i database to version i + 1 (index 0 creates version 1).
    static let migrations: [@Sendable (Database) throws -> Void] = [
        { db in
            try db.execute(sql: """
                CREATE TABLE project (
                    id INTEGER PRIMARY KEY CHECK (id = 1),
                    fps REAL NOT NULL CHECK (fps > 0),
                    width INTEGER NOT NULL CHECK (width > 0),
                    height INTEGER NOT NULL CHECK (height > 0),
                    created_at TEXT NOT NULL,
                    journal_position INTEGER NOT NULL DEFAULT 0 CHECK (journal_position >= 0),
                    revision INTEGER NOT NULL DEFAULT 0
                );
                CREATE TABLE settings (
                    key TEXT PRIMARY KEY NOT NULL,
                    value TEXT NOT NULL
                );
                CREATE TABLE source (
                    id INTEGER PRIMARY KEY CHECK (id = 1) REFERENCES project(id),
                    image BLOB NOT NULL,
                    image_format TEXT NOT NULL CHECK (image_format IN ('png', 'jpeg')),
                    image_width INTEGER NOT NULL CHECK (image_width > 0),
                    image_height INTEGER NOT NULL CHECK (image_height > 0),
                    keypoints BLOB NOT NULL,
                    smpl BLOB,
                    source_frame INTEGER
                );
                CREATE TABLE frames (
                    idx INTEGER PRIMARY KEY CHECK (idx >= 0),
                    keypoints BLOB NOT NULL,
                    smpl BLOB
                );
                CREATE TABLE journal (
                    seq INTEGER PRIMARY KEY CHECK (seq >= 1),
                    label TEXT NOT NULL,
                    forward BLOB NOT NULL,
                    inverse BLOB NOT NULL,
                    created_at TEXT NOT NULL
                );
                """)
        },
        // "v2-driving-video": the project's driving video, referenced by path (absolute) and
        // checksum, with the stream facts read when it was linked. At most one row.
        { db in
            try db.execute(sql: """
                CREATE TABLE driving_video (
                    id INTEGER PRIMARY KEY CHECK (id = 1) REFERENCES project(id),
                    path TEXT NOT NULL,
                    byte_count INTEGER NOT NULL CHECK (byte_count > 0),
                    sha256 TEXT NOT NULL CHECK (length(sha256) = 64),
                    frame_count INTEGER NOT NULL CHECK (frame_count > 0),
                    fps REAL NOT NULL CHECK (fps > 0),
                    width INTEGER NOT NULL CHECK (width > 0),
                    height INTEGER NOT NULL CHECK (height > 0)
                );
                """)
        },
        // "v3-fits": SMPL posestudio fitted. Per frame and for the source a fit record (crop box and
        // per-keypoint reprojection errors, see BlobCodec) beside the SMPL blob; per project the
        // body the fit used: the built-in body, or a SMPL file by absolute path and SHA-256.
        { db in
            try db.execute(sql: """
                ALTER TABLE frames ADD COLUMN fit BLOB;
                ALTER TABLE source ADD COLUMN fit BLOB;
                CREATE TABLE body (
                    id INTEGER PRIMARY KEY CHECK (id = 1) REFERENCES project(id),
                    kind TEXT NOT NULL CHECK (kind IN ('builtin', 'smpl')),
                    path TEXT,
                    sha256 TEXT CHECK (sha256 IS NULL OR length(sha256) = 64),
                    CHECK ((kind = 'smpl') = (path IS NOT NULL AND sha256 IS NOT NULL))
                );
                """)
        },
    ]

    /// What each column of the current schema may hold: its SQLite storage classes (`typeof`
    /// names) and, for the values, a condition (SQL over the column) beyond the CHECKs, which a
    /// file edited elsewhere may bypass. Rowid aliases (`INTEGER PRIMARY KEY`) are left out: SQLite
    /// keeps them integers. A file holding anything else is refused, naming the table and column.
    struct Column: Sendable {
        let name: String
        let types: Set<String>
        let valid: String?
        init(_ name: String, _ types: Set<String>, _ valid: String? = nil) {
            self.name = name
            self.types = types
            self.valid = valid
        }
    }

    static let side = "BETWEEN 1 AND \(FrameSize.largestSide)"
    static let columnTypes: [(table: String, columns: [Column])] = [
        ("project", [Column("fps", ["real", "integer"], "fps BETWEEN \(PoseSequence.fpsRange.lowerBound) AND \(PoseSequence.fpsRange.upperBound)"), Column("width", ["integer"], "width \(side)"),
                     Column("height", ["integer"], "height \(side)"), Column("created_at", ["text"]),
                     Column("journal_position", ["integer"], "journal_position BETWEEN 0 AND 2147483647"), Column("revision", ["integer"])]),
        ("settings", [Column("key", ["text"]), Column("value", ["text"])]),
        ("source", [Column("image", ["blob"]), Column("image_format", ["text"], "image_format IN ('png', 'jpeg')"),
                    Column("image_width", ["integer"], "image_width \(side)"), Column("image_height", ["integer"], "image_height \(side)"),
                    Column("keypoints", ["blob"]), Column("smpl", ["blob", "null"]),
                    Column("source_frame", ["integer", "null"], "source_frame IS NULL OR source_frame BETWEEN 0 AND 2147483647"),
                    Column("fit", ["blob", "null"])]),
        ("frames", [Column("keypoints", ["blob"]), Column("smpl", ["blob", "null"]), Column("fit", ["blob", "null"])]),
        ("journal", [Column("label", ["text"]), Column("forward", ["blob"]), Column("inverse", ["blob"]), Column("created_at", ["text"])]),
        ("driving_video", [Column("path", ["text"]), Column("byte_count", ["integer"], "byte_count > 0"),
                           Column("sha256", ["text"], "length(sha256) = 64"), Column("frame_count", ["integer"], "frame_count BETWEEN 1 AND 2147483647"),
                           Column("fps", ["real", "integer"], "fps BETWEEN 1e-6 AND 1e6"), Column("width", ["integer"], "width \(side)"),
                           Column("height", ["integer"], "height \(side)")]),
        ("body", [Column("kind", ["text"], "kind IN ('builtin', 'smpl')"), Column("path", ["text", "null"]),
                  Column("sha256", ["text", "null"], "sha256 IS NULL OR length(sha256) = 64")]),
    ]

    /// Runs the migrations from `version` up to `target` (default: current), bumping user_version.
    static func migrate(_ db: Database, from version: Int, to target: Int = currentVersion) throws {
        for index in version..<target {
            try migrations[index](db)
            try db.execute(sql: "PRAGMA user_version = \(index + 1)")
        }
    }
}
