// Typed project rows: every column of every table of a real project (frames with SMPL and fits, a
// journal, settings, a driving video, a body) set to each SQLite storage class in turn, as a file
// edited by another program could hold it (NOT NULL and CHECK bypassed). A class the schema does not
// mean is refused at open as "the project file is damaged: TABLE.COLUMN …"; nothing traps; the
// file stays byte for byte as it was.
import Foundation
import GRDB
import PoseKit
import Testing
@testable import ProjectStore

@Suite struct WrongTypeTests {
    /// SQLite literals of each storage class, by `typeof` name.
    static let literals: [(type: String, sql: String)] = [("integer", "7"), ("real", "2.5"), ("text", "'abc'"), ("blob", "x'00ff'"), ("null", "NULL")]

    static func template(_ path: String) throws {
        let file = try ProjectFile.create(at: path, project: Sample.project(frames: 6), settings: ["render.size": "256x128"])
        let source = (SMPLParameters(vector: [Double](repeating: 0.5, count: 85))!, FitStorageTests.record(9))
        try file.recordFit(frames: FitStorageTests.values([1, 4]), source: source,
                           body: .smpl(path: "/models/SMPL_NEUTRAL.pkl", sha256: String(repeating: "ab", count: 32)))
        try file.setDrivingVideo(DrivingVideoReference(path: "/videos/cam01.mp4", byteCount: 387_775, sha256: String(repeating: "cd", count: 32),
                                                       frameCount: 100, fps: 60, frameSize: FrameSize(width: 256, height: 512)))
        try file.close()
    }

    /// Sets `table.column` of every row to `literal`, past NOT NULL, CHECK and foreign keys; returns
    /// the storage class SQLite kept (a column's affinity turns 7 into '7' in a TEXT column).
    @discardableResult
    static func tamper(_ path: String, table: String, column: String, literal: String) throws -> String {
        var stored: String?
        var config = Configuration()
        config.foreignKeysEnabled = false
        let schema = try DatabaseQueue(path: path, configuration: config)
        try schema.writeWithoutTransaction { db in
            // Column constraints only ("x IS NOT NULL" inside a CHECK stays).
            let sql = try String.fetchOne(db, sql: "SELECT sql FROM sqlite_master WHERE type = 'table' AND name = ?", arguments: [table])!
            let relaxed = sql.replacingOccurrences(of: "(?<!IS )NOT NULL", with: "", options: .regularExpression)
            try db.execute(sql: "PRAGMA writable_schema = ON")
            try db.execute(sql: "UPDATE sqlite_master SET sql = ? WHERE type = 'table' AND name = ?", arguments: [relaxed, table])
            try db.execute(sql: "PRAGMA writable_schema = OFF")
        }
        try schema.close()
        let queue = try DatabaseQueue(path: path, configuration: config)
        try queue.writeWithoutTransaction { db in
            try db.execute(sql: "PRAGMA ignore_check_constraints = ON")
            try db.execute(sql: "UPDATE \(table) SET \(column) = \(literal)")
            stored = try String.fetchOne(db, sql: "SELECT typeof(\(column)) FROM \(table) LIMIT 1")
        }
        try queue.close()
        guard let stored else { throw CocoaError(.fileReadCorruptFile, userInfo: [NSLocalizedDescriptionKey: "\(table) has no row"]) }
        return stored
    }

    @Test func everyColumnHoldingEveryStorageClass() throws {
        let dir = TemporaryDirectory()
        let template = dir.file("template.bdmm")
        try Self.template(template)
        var refused = 0, opened = 0
        for (table, columns) in Schema.columnTypes {
            for column in columns {
                for (given, literal) in Self.literals {
                    let path = dir.file("\(table).\(column.name).\(given).bdmm")
                    try FileManager.default.copyItem(atPath: template, toPath: path)
                    let type = try Self.tamper(path, table: table, column: column.name, literal: literal)
                    let before = try Data(contentsOf: URL(fileURLWithPath: path))
                    let pair = "\(table).\(column.name) = \(literal)"
                    do {
                        let file = try ProjectFile.open(at: path)
                        _ = try file.settings()
                        _ = try file.drivingVideo()
                        _ = try file.body()
                        _ = try file.history()
                        try file.close()
                        #expect(column.types.contains(type), "\(pair): opened, but the schema does not mean \(type) there")
                        opened += 1
                    } catch let error as ProjectError {
                        let message = error.description
                        #expect(message.contains("the project file is damaged"), "\(pair): \(message)")
                        let names = ["integer": "an INTEGER", "real": "a REAL", "text": "TEXT", "blob": "a BLOB", "null": "NULL"]
                        if column.types.contains(type) {
                            // A class the schema means may hold a bad value, but is never refused for its class.
                            #expect(!message.contains("\(table).\(column.name) holds \(names[type]!), expected"), "\(pair): \(message)")
                        } else {
                            #expect(message.contains("\(table).\(column.name) holds \(names[type]!), expected"), "\(pair): \(message)")
                        }
                        refused += 1
                    }
                    #expect(try Data(contentsOf: URL(fileURLWithPath: path)) == before, "\(pair): the file changed")
                    try? FileManager.default.removeItem(atPath: path)
                }
            }
        }
        let pairs = Schema.columnTypes.reduce(0) { $0 + $1.columns.count } * Self.literals.count
        #expect(refused + opened == pairs && refused > pairs / 2)
    }

    /// Values of the right class but out of range are named too.
    @Test func outOfRangeValuesAreNamed() throws {
        let dir = TemporaryDirectory()
        let template = dir.file("template.bdmm")
        try Self.template(template)
        for (table, column, literal) in [("project", "width", "0"), ("project", "fps", "1e300"), ("project", "journal_position", "-1"),
                                         ("source", "source_frame", "99"), ("driving_video", "frame_count", "0"), ("body", "kind", "'other'")] {
            let path = dir.file("\(table).\(column).bdmm")
            try FileManager.default.copyItem(atPath: template, toPath: path)
            try Self.tamper(path, table: table, column: column, literal: literal)
            let error = #expect(throws: ProjectError.self) {
                let file = try ProjectFile.open(at: path)
                _ = try file.drivingVideo()
                _ = try file.body()
            }
            #expect(error?.description.contains("\(table).\(column)") == true, "\(table).\(column) = \(literal): \(error.map { "\($0)" } ?? "")")
        }
    }
}
