// Fitting through a project file: what is stored, the journal entry and its undo, warm refits of
// edited frames, the recorded body. Synthetic truth from the built-in body (seeded).
import BodyKit
import Foundation
import PoseKit
import ProjectStore
import Testing
import TestSupport
@testable import ProjectFitting

enum FitSample {
    /// PNG signature + IHDR (256 × 512): enough for the header reader.
    static let png = Data([0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A, 0, 0, 0, 13]
                          + Array("IHDR".utf8) + [0, 0, 1, 0, 0, 0, 2, 0, 8, 2, 0, 0, 0, 0, 0, 0, 0])

    static func project(frames: Int, seed: UInt64 = 3) throws -> (Project, SyntheticMotion) {
        let motion = SyntheticMotion.make(body: BuiltinBody.model, frames: frames, seed: seed)
        let sequence = PoseSequence(fps: 30, frameSize: FrameSize(width: 1080, height: 1920), frames: motion.poses)
        let project = Project(sourceImage: try SourceImage(bytes: png, path: "source.png"),
                              sourcePose: SourcePose(keypoints: motion.poses[0]), sourceFrame: 0, sequence: sequence)
        return (project, motion)
    }
}

@Suite struct ProjectFitterTests {
    let fitter = ProjectFitter(body: try! ProjectBody.load(.builtin))

    @Test func fitIsStoredJournaledAndUndoable() throws {
        let dir = TemporaryDirectory()
        let (project, _) = try FitSample.project(frames: 24)
        let path = dir.file("fit.bdmm")
        var file = try ProjectFile.create(at: path, project: project)
        let summary = try fitter.fit(in: file)
        #expect(summary.frames == 24)
        #expect(summary.medianReprojectionPx > 0 && summary.medianReprojectionPx < 3, "median \(summary.medianReprojectionPx)")
        #expect(summary.p95ReprojectionPx >= summary.medianReprojectionPx)
        #expect(try file.body() == .builtin)
        #expect(file.project.sourcePose.smpl != nil && file.project.sourcePose.fit != nil)
        let history = try file.history()
        #expect(history.count == 1 && history[0].label.hasPrefix("fitted SMPL on frames 0:24"))
        let fitted = file.sequence
        #expect(fitted.fittedFrameCount == 24 && fitted.smplFrameCount == 24)
        // Every frame shares β; each record's crop is the 1.3× square around the frame's keypoints.
        let shape = try #require(fitted.smpl[0]).shape
        #expect(fitted.smpl.allSatisfy { $0?.shape == shape })
        let crop = try #require(CropBox.around(fitted.pose(at: 5)))
        let record = try #require(fitted.fits[5])
        #expect(abs(record.cropX - crop.x) < 1e-9 && abs(record.cropSize - crop.size) < 1e-9)
        #expect(fitted.keypoints == project.sequence.keypoints)
        try file.close()

        // Stored: a reopened file has the same fits, bit for bit.
        file = try ProjectFile.open(at: path)
        #expect(file.sequence == fitted)
        #expect(FitSummary(file.sequence) == summary)
        try #require(try file.undo() != nil)
        #expect(file.sequence.smplFrameCount == 0 && file.sequence.fittedFrameCount == 0)
        #expect(FitSummary(file.sequence).frames == 0)
        try file.close()
        file = try ProjectFile.open(at: path)
        #expect(file.sequence == project.sequence)
        try #require(try file.redo() != nil)
        #expect(file.sequence == fitted)
        try file.close()
    }

    @Test func refitFollowsAnEditAndTouchesOnlyThatFrame() throws {
        let dir = TemporaryDirectory()
        let (project, _) = try FitSample.project(frames: 16)
        let file = try ProjectFile.create(at: dir.file("refit.bdmm"), project: project)
        defer { try? file.close() }
        try fitter.fit(in: file)
        let before = file.sequence
        // Move the right wrist 40 frame pixels (≈ 10 crop px) and clear its outlier status.
        try file.apply(.move(frames: 7..<8, joints: [.rWrist], dx: 40, dy: 25))
        let edited = file.sequence
        try fitter.refit(frames: [7], in: file)
        let after = file.sequence
        #expect(try file.history().last?.label == "refitted SMPL on frame 7")
        for t in after.frames where t != 7 {
            #expect(after.smpl[t] == before.smpl[t] && after.fits[t] == before.fits[t], "frame \(t) changed")
        }
        #expect(after.smpl[7] != before.smpl[7])
        // The refit follows the moved point: its error against the new position is small.
        let errors = try #require(after.fits[7]).errors
        let wrist = try #require(errors[Joint.rWrist.rawValue])
        #expect(wrist < 4, "wrist error \(wrist) px after the refit")
        #expect(after.keypoints == edited.keypoints)
        // Undo of the refit restores the previous fit exactly.
        try file.undo()
        #expect(file.sequence.smpl[7] == before.smpl[7] && file.sequence.fits[7] == before.fits[7])
    }

    @Test func aPartialFitKeepsTheSequenceShape() throws {
        let dir = TemporaryDirectory()
        let (project, _) = try FitSample.project(frames: 20)
        let file = try ProjectFile.create(at: dir.file("partial.bdmm"), project: project)
        defer { try? file.close() }
        try fitter.fit(frames: 0..<10, in: file)
        #expect(file.sequence.fittedFrameCount == 10 && file.sequence.fits[10] == nil)
        let shape = try #require(file.sequence.smpl[0]).shape
        let summary = try fitter.fit(frames: 10..<20, in: file)
        #expect(summary.frames == 20)
        #expect(file.sequence.smpl.allSatisfy { $0?.shape == shape })
        #expect(throws: ProjectError.self) { try fitter.fit(frames: 15..<25, in: file) }
        #expect(try file.history().count == 2)
    }

    @Test func aProjectFittedWithAMissingSMPLFileSaysSoAndOffersTheBuiltinBody() throws {
        let dir = TemporaryDirectory()
        let (project, _) = try FitSample.project(frames: 4)
        let file = try ProjectFile.create(at: dir.file("gone.bdmm"), project: project)
        defer { try? file.close() }
        let gone = dir.file("SMPL_NEUTRAL.pkl")
        try file.recordFit(frames: [], source: nil, body: .smpl(path: gone, sha256: String(repeating: "0", count: 64)))
        #expect(try file.body() == .smpl(path: gone, sha256: String(repeating: "0", count: 64)))
        do {
            _ = try ProjectBody.load(for: file, requested: nil)
            Issue.record("loading a missing recorded SMPL file succeeded")
        } catch let error as BodyLoadError {
            #expect(error == .smplFileMissing(path: gone, recorded: true))
            #expect("\(error)".contains(gone) && "\(error)".contains("--body builtin"))
        }
        // Asking for the built-in body works, and refitting with it is refused (another body).
        let builtin = try ProjectBody.load(for: file, requested: .builtin)
        #expect(builtin.reference == .builtin)
        #expect(throws: ProjectFitError.self) { try ProjectFitter(body: builtin).refit(frames: [1], in: file) }
    }

    @Test func sha256MatchesTheStandardVectors() {
        #expect(SHA256.hex(Array("abc".utf8)) == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad")
        #expect(SHA256.hex([]) == "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855")
        #expect(SHA256.hex(Array("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq".utf8))
                == "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1")
    }
}
