// The driving-video reference (schema v2): stored, read back after reopening, removed, and a
// version-1 file gains the table when opened.
import Foundation
import GRDB
import PoseKit
import Testing
@testable import ProjectStore

@Suite struct DrivingVideoTests {
    let reference = DrivingVideoReference(path: "/videos/cam01.mp4", byteCount: 387_775, sha256: String(repeating: "ab", count: 32),
                                          frameCount: 100, fps: 60, frameSize: FrameSize(width: 1080, height: 1920))

    @Test func referenceSurvivesReopeningAndCanBeRemoved() throws {
        let dir = TemporaryDirectory()
        let path = dir.file("p.bdmm")
        let file = try ProjectFile.create(at: path, project: Sample.project())
        #expect(try file.drivingVideo() == nil)
        try file.setDrivingVideo(reference)
        try file.close()
        let again = try ProjectFile.open(at: path)
        #expect(try again.drivingVideo() == reference)
        try again.setDrivingVideo(nil)
        #expect(try again.drivingVideo() == nil)
        try again.close()
    }

    @Test func aBadChecksumIsRefusedByTheSchema() throws {
        let dir = TemporaryDirectory()
        let file = try ProjectFile.create(at: dir.file("p.bdmm"), project: Sample.project())
        defer { try? file.close() }
        var bad = reference
        bad.sha256 = "abc"
        #expect(throws: ProjectError.self) { try file.setDrivingVideo(bad) }
        #expect(try file.drivingVideo() == nil)
    }

    @Test func versionOneFilesAreMigrated() throws {
        let dir = TemporaryDirectory()
        let path = dir.file("old.bdmm")
        try ProjectFile.create(at: path, project: Sample.project()).close()
        // Turn it into a version-1 file: no driving_video table (nor what v3 adds), user_version 1.
        let queue = try DatabaseQueue(path: path)
        try queue.writeWithoutTransaction { db in
            try db.execute(sql: "DROP TABLE driving_video")
            try FitStorageTests.dropVersion3(db)
            try db.execute(sql: "PRAGMA user_version = 1")
        }
        try queue.close()
        let file = try ProjectFile.open(at: path)
        defer { try? file.close() }
        #expect(try file.drivingVideo() == nil)
        try file.setDrivingVideo(reference)
        #expect(try file.drivingVideo() == reference)
    }
}
