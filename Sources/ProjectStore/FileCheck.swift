// Decides whether a file is a posestudio project we can open, without modifying it: first from
// the raw SQLite header (magic, application_id, user_version, size), so that foreign files never
// reach SQLite; then, on the opened connection and before any write, user_version again and
// quick_check. A refused file is closed unwritten (SQLite removes the empty WAL it made).
import Foundation
import GRDB

enum FileCheck {
    static let sqliteMagic = Array("SQLite format 3\u{0}".utf8)

    static func verify(_ path: String) throws {
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) else { throw ProjectError.notFound(path: path) }
        guard !isDirectory.boolValue else { throw ProjectError.notSQLite(path: path, why: "it is a directory") }
        try verifyHeader(path)
    }

    private static func verifyHeader(_ path: String) throws {
        guard let handle = FileHandle(forReadingAtPath: path) else {
            throw ProjectError.io(path: path, why: "cannot read the file (permission denied?)")
        }
        defer { try? handle.close() }
        let header = [UInt8]((try? handle.read(upToCount: 100)) ?? Data())
        let fileSize = (try? handle.seekToEnd()).map(Int.init) ?? 0

        guard header.count >= 16, Array(header[0..<16]) == sqliteMagic else {
            throw ProjectError.notSQLite(path: path, why: fileSize == 0 ? "the file is empty" : "it is not an SQLite database")
        }
        guard header.count == 100 else {
            throw ProjectError.damaged(path: path, why: "the file is truncated (\(fileSize) bytes, shorter than the SQLite header)")
        }
        let applicationID = Int32(bitPattern: be32(header, 68))
        guard applicationID == Schema.applicationID else {
            throw ProjectError.otherApplication(path: path, applicationID: applicationID)
        }
        let version = Int(be32(header, 60))
        guard version <= Schema.currentVersion else {
            throw ProjectError.newerSchema(path: path, version: version, supported: Schema.currentVersion)
        }
        // Page size at 16 (1 means 65536); page count at 28, valid when the change counter at 24
        // equals the version-valid-for number at 92. The WAL may hold pages the main file lacks.
        let rawPageSize = Int(header[16]) << 8 | Int(header[17])
        let pageSize = rawPageSize == 1 ? 65536 : rawPageSize
        let pageCount = Int(be32(header, 28))
        let countIsValid = be32(header, 24) == be32(header, 92)
        if countIsValid, !FileManager.default.fileExists(atPath: path + "-wal"), fileSize < pageCount * pageSize {
            throw ProjectError.damaged(path: path, why: "the file is truncated (\(fileSize) bytes; its header says \(pageCount * pageSize))")
        }
    }

    /// Checks made through the open connection before anything is written: the schema version
    /// (the header's copy may be older than the WAL's) and SQLite's quick_check.
    static func verifyContents(_ db: Database, path: String) throws {
        let version = try Int.fetchOne(db, sql: "PRAGMA user_version") ?? 0
        guard version <= Schema.currentVersion else {
            throw ProjectError.newerSchema(path: path, version: version, supported: Schema.currentVersion)
        }
        guard version >= 1 else { throw ProjectError.damaged(path: path, why: "it has posestudio's id but no schema (user_version 0)") }
        let problems = try String.fetchAll(db, sql: "PRAGMA quick_check(3)")
        guard problems == ["ok"] else {
            throw ProjectError.damaged(path: path, why: "integrity check: " + problems.joined(separator: "; "))
        }
    }

    private static func be32(_ b: [UInt8], _ i: Int) -> UInt32 {
        UInt32(b[i]) << 24 | UInt32(b[i + 1]) << 16 | UInt32(b[i + 2]) << 8 | UInt32(b[i + 3])
    }
}
