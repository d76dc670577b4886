import Foundation
import GRDB
import PoseKit
import Testing
@testable import ProjectStore

@Suite struct ProjectFileTests {
    @Test func createThenOpenGivesBackTheSameProject() throws {
        let dir = TemporaryDirectory()
        let project = Sample.project(frames: 30, smpl: true)
        let created = try ProjectFile.create(at: dir.file("p.bdmm"), project: project, settings: ["a": "b"])
        #expect(created.project == project)
        try created.close()
        let opened = try ProjectFile.open(at: dir.file("p.bdmm"))
        defer { try? opened.close() }
        #expect(opened.project == project)
        #expect(opened.journal == JournalState(length: 0, position: 0))
        #expect(try opened.settings() == ["a": "b"])
    }

    @Test func fileIsIdentifiedVersionedAndInWALMode() throws {
        let dir = TemporaryDirectory()
        try ProjectFile.create(at: dir.file("p.bdmm"), project: Sample.project()).close()
        let queue = try DatabaseQueue(path: dir.file("p.bdmm"))
        let (id, version, mode) = try queue.read { db in
            (try Int32.fetchOne(db, sql: "PRAGMA application_id"), try Int.fetchOne(db, sql: "PRAGMA user_version"),
             try String.fetchOne(db, sql: "PRAGMA journal_mode"))
        }
        try queue.close()
        #expect(id == Schema.applicationID)
        #expect(version == Schema.currentVersion)
        #expect(mode == "wal")
        // No temporary files are left beside it.
        #expect(try FileManager.default.contentsOfDirectory(atPath: dir.path).sorted() == ["p.bdmm"])
    }

    @Test func createNeverOverwrites() throws {
        let dir = TemporaryDirectory()
        let path = dir.file("p.bdmm")
        try Data("keep me".utf8).write(to: URL(fileURLWithPath: path))
        #expect { try ProjectFile.create(at: path, project: Sample.project()) } throws: { error in
            guard case ProjectError.alreadyExists = error else { return false }
            return true
        }
        #expect(try Data(contentsOf: URL(fileURLWithPath: path)) == Data("keep me".utf8))
    }

    /// 50 random edits, undo all, redo all, with close/reopen in the middle of each walk: the
    /// stored sequence equals the test's in-memory one bit for bit at every step.
    @Test func undoRedoWalkTheJournalBitIdenticallyAcrossReopen() throws {
        let dir = TemporaryDirectory()
        let path = dir.file("p.bdmm")
        var file = try ProjectFile.create(at: path, project: Sample.project(frames: 15))
        var rng = SplitMix64(seed: 99)
        var states = [file.sequence]
        var memory = file.sequence
        var applied = 0
        while applied < 50 {
            let edit = RandomEdits.make(for: memory, rng: &rng)
            var candidate = memory
            guard (try? candidate.apply(edit)) != nil else { continue }
            try file.apply(edit)
            memory = candidate
            states.append(memory)
            applied += 1
            #expect(file.sequence == memory)
        }
        #expect(file.journal == JournalState(length: 50, position: 50))

        for step in stride(from: 50, to: 0, by: -1) {
            if step == 25 {
                try file.close()
                file = try ProjectFile.open(at: path)
                #expect(file.sequence == states[25])
            }
            #expect(try file.undo() != nil)
            #expect(file.sequence == states[step - 1], "after undoing entry \(step)")
            #expect(file.journal.position == step - 1)
        }
        #expect(try file.undo() == nil)

        for step in 1...50 {
            if step == 30 {
                try file.close()
                file = try ProjectFile.open(at: path)
                #expect(file.sequence == states[29])
            }
            #expect(try file.redo() != nil)
            #expect(file.sequence == states[step], "after redoing entry \(step)")
        }
        #expect(try file.redo() == nil)
        try file.close()
        let reopened = try ProjectFile.open(at: path)
        defer { try? reopened.close() }
        #expect(reopened.sequence == states[50])
        #expect(reopened.journal == JournalState(length: 50, position: 50))
    }

    @Test func aNewEditAfterUndoDropsTheRedoTail() throws {
        let dir = TemporaryDirectory()
        let file = try ProjectFile.create(at: dir.file("p.bdmm"), project: Sample.project())
        defer { try? file.close() }
        for i in 0..<3 { try file.apply(.place(frame: i, joint: .nose, x: 1, y: 1)) }
        try file.undo()
        try file.undo()
        try file.apply(.place(frame: 5, joint: .neck, x: 2, y: 2))
        #expect(file.journal == JournalState(length: 2, position: 2))
        let history = try file.history()
        #expect(history.map(\.label) == ["place Nose at (1, 1) at frame 0", "place Neck at (2, 2) at frame 5"])
        let allApplied = history.allSatisfy { $0.isApplied }
        #expect(allApplied)
    }

    @Test func refusedEditWritesNothing() throws {
        let dir = TemporaryDirectory()
        let file = try ProjectFile.create(at: dir.file("p.bdmm"), project: Sample.project(frames: 5))
        defer { try? file.close() }
        let before = file.sequence
        #expect { try file.apply(.place(frame: 5, joint: .nose, x: 1, y: 1)) } throws: { error in
            guard case ProjectError.invalidEdit(_, .frameOutOfRange(5, 5)) = error else { return false }
            return true
        }
        #expect(file.sequence == before && file.journal.length == 0)
        try file.close()
        let again = try ProjectFile.open(at: dir.file("p.bdmm"))
        defer { try? again.close() }
        #expect(again.sequence == before && again.journal.length == 0)
    }

    @Test func importReplacingTheSequenceIsOneUndoableEdit() throws {
        let dir = TemporaryDirectory()
        let file = try ProjectFile.create(at: dir.file("p.bdmm"), project: Sample.project(frames: 10))
        defer { try? file.close() }
        let original = file.sequence
        var replacement = Sample.sequence(frames: 17, seed: 5, smpl: true)
        replacement.fps = 60
        try file.apply(.replaceSequence(replacement))
        #expect(file.sequence == replacement)
        try file.close()
        let reopened = try ProjectFile.open(at: dir.file("p.bdmm"))
        defer { try? reopened.close() }
        #expect(reopened.sequence == replacement)
        try reopened.undo()
        #expect(reopened.sequence == original)
        try reopened.redo()
        #expect(reopened.sequence == replacement)
    }

    /// Two connections to one file (the studio and a CLI twin): each sees the other's commits.
    @Test func aSecondWriterIsSeenBeforeTheNextEdit() throws {
        let dir = TemporaryDirectory()
        let a = try ProjectFile.create(at: dir.file("p.bdmm"), project: Sample.project(frames: 6))
        let b = try ProjectFile.open(at: dir.file("p.bdmm"))
        defer { try? a.close(); try? b.close() }
        try a.apply(.place(frame: 1, joint: .nose, x: 11, y: 11))
        try b.apply(.place(frame: 2, joint: .nose, x: 22, y: 22))
        #expect(b.sequence[1, .nose].x == 11, "b reloaded a's edit before applying its own")
        try a.undo()   // undoes b's edit: the journal is the file's, not the connection's
        #expect(a.sequence[2, .nose] == Sample.project(frames: 6).sequence[2, .nose])
        #expect(a.sequence[1, .nose].x == 11)
        #expect(a.journal == JournalState(length: 2, position: 1))
    }

    @Test func migrationsRunFromVersionOne() throws {
        let dir = TemporaryDirectory()
        let path = dir.file("v1.bdmm")
        // A current file taken back to version 1 (dropping what later migrations add), migrated
        // forward again, then opened by the current code. Each later migration must pass here.
        try ProjectFile.create(at: path, project: Sample.project()).close()
        let queue = try DatabaseQueue(path: path)
        let version = try queue.write { db in
            try db.execute(sql: "DROP TABLE driving_video")   // v2-driving-video
            try FitStorageTests.dropVersion3(db)               // v3-fits
            try db.execute(sql: "PRAGMA user_version = 1")
            try Schema.migrate(db, from: 1)
            return try Int.fetchOne(db, sql: "PRAGMA user_version")
        }
        #expect(version == Schema.currentVersion)
        try queue.close()
        let file = try ProjectFile.open(at: path)
        defer { try? file.close() }
        #expect(file.project == Sample.project())
        #expect(Schema.migrations.count == Schema.currentVersion)
    }
}

enum RandomEdits {
    static func make(for s: PoseSequence, rng: inout SplitMix64) -> Edit {
        let t = s.frameCount
        let start = Int.random(in: 0..<t, using: &rng)
        let range = start..<min(t, start + Int.random(in: 1...4, using: &rng))
        let joint = Joint.allCases.randomElement(using: &rng)!
        switch Int.random(in: 0..<7, using: &rng) {
        case 0: return .move(frames: range, joints: [joint, .neck], dx: .random(in: -9...9, using: &rng), dy: .random(in: -9...9, using: &rng))
        case 1: return .place(frame: start, joint: joint, x: .random(in: 0..<256, using: &rng), y: .random(in: 0..<512, using: &rng))
        case 2: return .setConfidence(frames: range, joints: [joint], confidence: .random(in: 0...1, using: &rng))
        case 3: return .setMissing(frames: range, joints: [joint], missing: Bool.random(using: &rng))
        case 4: return .setPinned(frames: range, joints: Joint.allCases, pinned: Bool.random(using: &rng))
        case 5: return .swapLeftRight(frames: range, pairs: Bool.random(using: &rng) ? BODY25.rightJoints : [joint.mirrored == joint ? .rKnee : joint])
        default:
            return .replacePoints([PointValue(frame: start, joint: joint,
                                              keypoint: Keypoint(x: .random(in: 0..<256, using: &rng), y: 3, confidence: 0.25, provenance: .filtered))])
        }
    }
}
