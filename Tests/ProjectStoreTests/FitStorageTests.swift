// Stored fits (schema v3): fit records round-trip bit for bit through the file and the journal,
// `recordFit` is one undoable entry plus the source and body, version-2 files gain the columns,
// and a damaged fit blob is named.
import Foundation
import GRDB
import PoseKit
import Testing
@testable import ProjectStore

@Suite struct FitStorageTests {
    /// Takes a current database back to version 2 (what "v3-fits" adds removed).
    static func dropVersion3(_ db: Database) throws {
        try db.execute(sql: "DROP TABLE body")
        try db.execute(sql: "ALTER TABLE frames DROP COLUMN fit")
        try db.execute(sql: "ALTER TABLE source DROP COLUMN fit")
    }

    static func record(_ seed: Int) -> SMPLFitRecord {
        SMPLFitRecord(cropX: 10.5 + Double(seed), cropY: -3.25, cropSize: 400 + Double(seed) / 3,
                      errors: (0..<25).map { $0 % 7 == 3 ? nil : Double($0 * seed) / 9 })!
    }

    static func values(_ frames: [Int]) -> [SMPLValue] {
        frames.map { t in
            SMPLValue(frame: t, smpl: SMPLParameters(vector: (0..<85).map { Double($0 + t) / 7 }), fit: record(t))
        }
    }

    @Test func fitRecordsAndFitEditsRoundTripBitForBit() throws {
        let fit = Self.record(5)
        #expect(try BlobCodec.decodeFit(BlobCodec.encode(fit: fit), what: "fit") == fit)
        #expect(BlobCodec.encode(fit: fit).count == 225)
        let edit = Edit.setSMPL(Self.values([2, 0]) + [SMPLValue(frame: 1, smpl: nil, fit: nil)])
        #expect(try BlobCodec.decodeEdit(BlobCodec.encode(edit), what: "edit") == edit)
        var fitted = Sample.sequence(frames: 3, smpl: true)
        try fitted.apply(edit)
        #expect(fitted.fittedFrameCount == 2)
        let replace = Edit.replaceSequence(fitted)
        #expect(try BlobCodec.decodeEdit(BlobCodec.encode(replace), what: "edit") == replace)
        // A sequence without fit records keeps the original replaceSequence layout.
        let plain = Edit.replaceSequence(Sample.sequence(frames: 3, smpl: true))
        #expect(BlobCodec.encode(plain)[1] == 8)
        var damaged = BlobCodec.encode(fit: fit)
        damaged.replaceSubrange(17..<25, with: [UInt8](repeating: 0, count: 8))   // crop size 0
        #expect(throws: BlobCodec.DecodeError.self) { try BlobCodec.decodeFit(damaged, what: "fit") }
    }

    @Test func recordFitIsOneUndoableEntryWithSourceAndBody() throws {
        let dir = TemporaryDirectory()
        let path = dir.file("fits.bdmm")
        let original = Sample.project(frames: 6)
        var file = try ProjectFile.create(at: path, project: original)
        #expect(try file.body() == nil)
        let source = (SMPLParameters(vector: [Double](repeating: 0.5, count: 85))!, Self.record(9))
        let sha = String(repeating: "ab", count: 32)
        let entry = try file.recordFit(frames: Self.values([1, 4]), source: source, body: .smpl(path: "/models/SMPL_NEUTRAL.pkl", sha256: sha),
                                       label: "fitted SMPL on 2 frames")
        #expect(entry?.index == 1 && entry?.label == "fitted SMPL on 2 frames")
        #expect(file.sequence.fits[4] == Self.record(4) && file.sequence.fits[0] == nil)
        let fitted = file.sequence
        try file.close()

        file = try ProjectFile.open(at: path)
        #expect(file.sequence == fitted)
        #expect(file.project.sourcePose.smpl == source.0 && file.project.sourcePose.fit == source.1)
        #expect(try file.body() == .smpl(path: "/models/SMPL_NEUTRAL.pkl", sha256: sha))
        try file.undo()
        #expect(file.sequence == original.sequence)
        try file.close()
        file = try ProjectFile.open(at: path)
        #expect(file.sequence == original.sequence)
        try file.redo()
        #expect(file.sequence == fitted)
        // Out of range: nothing written, not even the body.
        #expect(throws: ProjectError.self) { try file.recordFit(frames: Self.values([6]), source: nil, body: .builtin) }
        #expect(try file.body() == .smpl(path: "/models/SMPL_NEUTRAL.pkl", sha256: sha))
        try file.recordFit(frames: [], source: nil, body: .builtin)
        #expect(try file.body() == .builtin && file.journal.length == 1)
        try file.close()
    }

    @Test func versionTwoFilesGainFitStorage() throws {
        let dir = TemporaryDirectory()
        let path = dir.file("v2.bdmm")
        try ProjectFile.create(at: path, project: Sample.project(smpl: true)).close()
        let queue = try DatabaseQueue(path: path)
        try queue.writeWithoutTransaction { db in
            try Self.dropVersion3(db)
            try db.execute(sql: "PRAGMA user_version = 2")
        }
        try queue.close()
        let file = try ProjectFile.open(at: path)
        defer { try? file.close() }
        #expect(file.project == Sample.project(smpl: true))
        #expect(file.sequence.fittedFrameCount == 0 && file.sequence.smplFrameCount > 0)
        #expect(try file.body() == nil)
        try file.recordFit(frames: Self.values([2]), source: nil, body: .builtin)
        #expect(file.sequence.fits[2] == Self.record(2))
    }

    @Test func aDamagedFitBlobIsNamed() throws {
        let dir = TemporaryDirectory()
        let path = dir.file("bad.bdmm")
        let file = try ProjectFile.create(at: path, project: Sample.project(frames: 4))
        try file.recordFit(frames: Self.values([3]), source: nil, body: .builtin)
        try file.close()
        let queue = try DatabaseQueue(path: path)
        try queue.write { db in try db.execute(sql: "UPDATE frames SET fit = x'0102' WHERE idx = 3") }
        try queue.close()
        #expect {
            try ProjectFile.open(at: path)
        } throws: { error in
            "\(error)".contains("frame 3 fit") && "\(error)".contains(path)
        }
    }
}
