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
        // Named columns first: quick_check reports failed CHECKs without saying which column.
        try verifyColumns(db, path: path)
        let problems = try String.fetchAll(db, sql: "PRAGMA quick_check(3)")
        guard problems == ["ok"] else {
            throw ProjectError.damaged(path: path, why: "integrity check: " + problems.joined(separator: "; "))
        }
    }

    /// Every column holds the storage classes and values the schema means (`Schema.columnTypes`;
    /// columns an older schema lacks are skipped): one scan per table, stopping at the first bad row.
    static func verifyColumns(_ db: Database, path: String) throws {
        let names = ["integer": "an INTEGER", "real": "a REAL", "text": "TEXT", "blob": "a BLOB", "null": "NULL"]
        for (table, columns) in Schema.columnTypes {
            let present = Set(try Row.fetchAll(db, sql: "PRAGMA table_info(\(table))").compactMap { row -> String? in
                (row["name"] as DatabaseValue).storage.value as? String
            })
            let checked = columns.filter { present.contains($0.name) }
            guard !checked.isEmpty else { continue }
            func typeOK(_ c: Schema.Column) -> String { "typeof(\(c.name)) IN (\(c.types.sorted().map { "'\($0)'" }.joined(separator: ", ")))" }
            func valueOK(_ c: Schema.Column) -> String { c.valid.map { "(\($0)) IS 1" } ?? "1" }
            let test = checked.map { "NOT (\(typeOK($0)) AND \(valueOK($0)))" }.joined(separator: " OR ")
            let select = checked.flatMap { ["typeof(\($0.name))", "CASE WHEN \(valueOK($0)) THEN 1 ELSE 0 END", "quote(\($0.name))"] }
            guard let row = try Row.fetchOne(db, sql: "SELECT \(select.joined(separator: ", ")) FROM \(table) WHERE \(test) LIMIT 1") else { continue }
            for (i, column) in checked.enumerated() {
                let found = (row[3 * i] as DatabaseValue).storage.value as? String ?? "?"
                let quoted = ((row[3 * i + 2] as DatabaseValue).storage.value as? String).map { String($0.prefix(40)) } ?? "?"
                if !column.types.contains(found) {
                    let expected = column.types.sorted().map { names[$0] ?? $0 }.joined(separator: " or ")
                    throw ProjectError.damaged(path: path, why: "\(table).\(column.name) holds \(names[found] ?? found), expected \(expected)")
                }
                if (row[3 * i + 1] as DatabaseValue).storage.value as? Int64 != 1 {
                    throw ProjectError.damaged(path: path, why: "\(table).\(column.name) holds \(quoted), which fails \(column.valid ?? "")")
                }
            }
        }
    }

    private static func be32(_ b: [UInt8], _ i: Int) -> UInt32 {
        UInt32(b[i]) << 24 | UInt32(b[i + 1]) << 16 | UInt32(b[i + 2]) << 8 | UInt32(b[i + 3])
    }
}
