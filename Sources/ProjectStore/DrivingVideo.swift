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
                let columns = ["path", "byte_count", "sha256", "frame_count", "fps", "width", "height"]
                guard let row = try TypedRow.select(db, columns, from: "driving_video", "WHERE id = 1", path: path).first else { return nil }
                let sides: ClosedRange<Int64> = 1...Int64(FrameSize.largestSide)
                let sha256 = try row.text(2)
                guard sha256.count == 64 else { throw row.damaged(2, "is not a SHA-256 (64 hexadecimal digits)") }
                return DrivingVideoReference(path: try row.text(0), byteCount: try row.integer(1, in: 1...Int64.max), sha256: sha256,
                                             frameCount: try row.integer(3, in: 1...Int64(Int32.max)), fps: try row.real(4, in: 1e-6...1e6),
                                             frameSize: FrameSize(width: try row.integer(5, in: sides), height: try row.integer(6, in: sides)))
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
