// The driving video a project may reference (schema "v2-driving-video"): stored by path and
// SHA-256 with the stream facts seen when it was linked, never by content. ProjectStore only
// records the reference; MediaIO reads and checksums the file, and the caller compares.
import Foundation
import GRDB
import PoseKit

public struct DrivingVideoReference: Hashable, Sendable {
    /// Absolute path of the video file.
    public var path: String
    public var byteCount: Int
    /// SHA-256 of the whole file, 64 lower-case hex digits.
    public var sha256: String
    public var frameCount: Int
    public var fps: Double
    public var frameSize: FrameSize

    public init(path: String, byteCount: Int, sha256: String, frameCount: Int, fps: Double, frameSize: FrameSize) {
        self.path = path
        self.byteCount = byteCount
        self.sha256 = sha256
        self.frameCount = frameCount
        self.fps = fps
        self.frameSize = frameSize
    }
}

extension ProjectFile {
    /// The project's driving video reference, or nil when it has none.
    public func drivingVideo() throws -> DrivingVideoReference? {
        try sqlite("read the driving video reference") {
            try queue.read { db in
                guard let row = try Row.fetchOne(db, sql: """
                    SELECT path, byte_count, sha256, frame_count, fps, width, height FROM driving_video WHERE id = 1
                    """) else { return nil }
                return DrivingVideoReference(path: row[0], byteCount: row[1], sha256: row[2], frameCount: row[3], fps: row[4],
                                             frameSize: FrameSize(width: row[5], height: row[6]))
            }
        }
    }

    /// Sets (or with nil removes) the driving video reference, committed at once. Not journaled.
    public func setDrivingVideo(_ reference: DrivingVideoReference?) throws {
        try transact("save the driving video reference") { db, _ in
            try db.execute(sql: "DELETE FROM driving_video")
            guard let r = reference else { return }
            try db.execute(sql: """
                INSERT INTO driving_video (id, path, byte_count, sha256, frame_count, fps, width, height)
                VALUES (1, ?, ?, ?, ?, ?, ?, ?)
                """, arguments: [r.path, r.byteCount, r.sha256, r.frameCount, r.fps, r.frameSize.width, r.frameSize.height])
        }
    }
}
