import Foundation
import GRDB
import PoseKit
import Testing
@testable import ProjectStore

/// Opening anything that is not a healthy project of this version fails with a message naming the
/// file, and leaves every byte of it as it was.
@Suite struct BadFileTests {
    enum Expected { case notFound, notSQLite, otherApplication, newerSchema, damaged }

    struct Case: CustomTestStringConvertible, Sendable {
        let name: String
        let expected: Expected
        let make: @Sendable (String) throws -> Void
        var testDescription: String { name }
    }

    static let cases: [Case] = [
        Case(name: "text file", expected: .notSQLite) { try Data("hello, not a database\n".utf8).write(to: URL(fileURLWithPath: $0)) },
        Case(name: "empty file", expected: .notSQLite) { try Data().write(to: URL(fileURLWithPath: $0)) },
        Case(name: "PNG renamed", expected: .notSQLite) { try Sample.pngHeader.write(to: URL(fileURLWithPath: $0)) },
        Case(name: "another application's SQLite", expected: .otherApplication) { path in
            let queue = try DatabaseQueue(path: path)
            try queue.write { db in
                try db.execute(sql: "PRAGMA application_id = 1234; CREATE TABLE notes (t TEXT); INSERT INTO notes VALUES ('x')")
            }
            try queue.close()
        },
        Case(name: "plain SQLite without application_id", expected: .otherApplication) { path in
            let queue = try DatabaseQueue(path: path)
            try queue.write { db in try db.execute(sql: "CREATE TABLE frames (idx INTEGER)") }
            try queue.close()
        },
        Case(name: "newer schema", expected: .newerSchema) { path in
            try ProjectFile.create(at: path, project: Sample.project()).close()
            let queue = try DatabaseQueue(path: path)
            try queue.writeWithoutTransaction { db in try db.execute(sql: "PRAGMA user_version = \(Schema.currentVersion + 1)") }
            try queue.close()
        },
        Case(name: "truncated to half", expected: .damaged) { path in
            try ProjectFile.create(at: path, project: Sample.project(frames: 400)).close()
            let data = try Data(contentsOf: URL(fileURLWithPath: path))
            try data.prefix(data.count / 2).write(to: URL(fileURLWithPath: path))
        },
        Case(name: "truncated inside the header", expected: .damaged) { path in
            try ProjectFile.create(at: path, project: Sample.project()).close()
            let data = try Data(contentsOf: URL(fileURLWithPath: path))
            try data.prefix(80).write(to: URL(fileURLWithPath: path))
        },
        Case(name: "garbage over the pages", expected: .damaged) { path in
            try ProjectFile.create(at: path, project: Sample.project(frames: 400)).close()
            var data = try Data(contentsOf: URL(fileURLWithPath: path))
            var rng = SplitMix64(seed: 3)
            for i in 4096..<(data.count - 4096) where i % 7 == 0 { data[i] = UInt8.random(in: 0...255, using: &rng) }
            try data.write(to: URL(fileURLWithPath: path))
        },
        Case(name: "frame rows deleted", expected: .damaged) { path in
            try ProjectFile.create(at: path, project: Sample.project(frames: 10)).close()
            let queue = try DatabaseQueue(path: path)
            try queue.write { db in try db.execute(sql: "DELETE FROM frames WHERE idx = 4") }
            try queue.close()
        },
        Case(name: "keypoint blob cut short", expected: .damaged) { path in
            try ProjectFile.create(at: path, project: Sample.project(frames: 10)).close()
            let queue = try DatabaseQueue(path: path)
            try queue.write { db in try db.execute(sql: "UPDATE frames SET keypoints = substr(keypoints, 1, 100) WHERE idx = 3") }
            try queue.close()
        },
        Case(name: "missing file", expected: .notFound) { _ in },
    ]

    @Test(arguments: cases)
    func refusedAndUntouched(_ c: Case) throws {
        let dir = TemporaryDirectory()
        let path = dir.file("bad.bdmm")
        try c.make(path)
        let before = FileManager.default.contents(atPath: path)
        let filesBefore = try FileManager.default.contentsOfDirectory(atPath: dir.path).sorted()

        var thrown: ProjectError?
        do { _ = try ProjectFile.open(at: path) } catch let error as ProjectError { thrown = error }
        let error = try #require(thrown, "\(c.name) must be refused")
        let matches: Bool = switch (c.expected, error) {
        case (.notFound, .notFound), (.notSQLite, .notSQLite), (.otherApplication, .otherApplication),
             (.newerSchema, .newerSchema), (.damaged, .damaged): true
        default: false
        }
        #expect(matches, "\(c.name): got \(error)")
        #expect(error.description.contains(path), "the message names the file: \(error)")
        #expect(FileManager.default.contents(atPath: path) == before, "\(c.name): the file was modified")
        #expect(try FileManager.default.contentsOfDirectory(atPath: dir.path).sorted() == filesBefore, "no files left beside it")
    }

    @Test func newerSchemaMessageSaysToUpgrade() throws {
        let dir = TemporaryDirectory()
        let path = dir.file("new.bdmm")
        try BadFileTests.cases.first { $0.expected == .newerSchema }!.make(path)
        #expect { try ProjectFile.open(at: path) } throws: { error in
            "\(error)".contains("newer posestudio") && "\(error)".contains("schema \(Schema.currentVersion + 1)")
        }
    }
}
