// `posestudio fit` and the fit figures of `info --json`, run as a user would: fitting a frame
// range stores it as one undoable edit; the project remembers its body; a missing or broken SMPL
// file fails naming the path and offering the built-in body.
import Foundation
import PoseKit
import ProjectStore
import Testing

@Suite struct FitCommandTests {
    func info(_ project: String) throws -> [String: Any] {
        let result = try CLI.run(["info", project, "--json"])
        #expect(result.status == 0, "\(result.err)")
        return try #require(try JSONSerialization.jsonObject(with: Data(result.out.utf8)) as? [String: Any])
    }

    @Test func fitStoresAFrameRangeAndUndoRemovesIt() throws {
        let dir = TemporaryDirectory()
        let project = try CLI.newDemo(in: dir.path)
        var fit = try #require(try info(project)["fit"] as? [String: Any])
        #expect(fit["frames"] as? Int == 0)

        let result = try CLI.run(["fit", project, "--frames", "40:52"])
        #expect(result.status == 0, "\(result.err)")
        #expect(result.out.contains("fitted 12 of 12 frames 40:52 with builtin"), "\(result.out)")
        #expect(result.out.contains("source pose fitted"))
        let object = try info(project)
        fit = try #require(object["fit"] as? [String: Any])
        #expect(fit["frames"] as? Int == 12)
        let median = try #require(fit["median_reprojection_px"] as? Double)
        let p95 = try #require(fit["p95_reprojection_px"] as? Double)
        #expect(median > 0 && median <= 6 && p95 >= median && p95 <= 15, "median \(median), p95 \(p95)")
        #expect(object["body"] as? String == "builtin")
        #expect(object["smpl_frames"] as? Int == 12)

        let file = try ProjectFile.open(at: project)
        #expect(file.sequence.fits[39] == nil && file.sequence.fits[40] != nil && file.sequence.fits[51] != nil)
        #expect(file.project.sourcePose.fit != nil)
        try file.close()
        #expect(try CLI.run(["history", project]).out.contains("fitted SMPL on frames 40:52 (builtin)"))
        #expect(try CLI.run(["undo", project]).status == 0)
        fit = try #require(try info(project)["fit"] as? [String: Any])
        #expect(fit["frames"] as? Int == 0)
        let text = try CLI.run(["redo", project])
        #expect(text.status == 0)
        #expect(try CLI.run(["info", project]).out.contains("fit         12 frames, reprojection median"))
    }

    @Test func aProjectFittedWithAMissingSMPLFileSaysSoAndOffersTheBuiltinBody() throws {
        let dir = TemporaryDirectory()
        let project = try CLI.newDemo(in: dir.path)
        let gone = dir.file("models/SMPL_NEUTRAL.pkl")
        let file = try ProjectFile.open(at: project)
        try file.recordFit(frames: [], source: nil, body: .smpl(path: gone, sha256: String(repeating: "7", count: 64)))
        try file.close()
        #expect(try info(project)["body"] as? String == gone)

        let refused = try CLI.run(["fit", project, "--frames", "0:2"])
        #expect(refused.status == 1)
        #expect(refused.err.contains(gone) && refused.err.contains("fitted with that SMPL model file") && refused.err.contains("--body builtin"),
                "\(refused.err)")
        let builtin = try CLI.run(["fit", project, "--frames", "0:2", "--body", "builtin"])
        #expect(builtin.status == 0, "\(builtin.err)")
        #expect(try info(project)["body"] as? String == "builtin")
    }

    @Test func badBodiesAndRangesFailNamingWhatIsWrong() throws {
        let dir = TemporaryDirectory()
        let project = try CLI.newDemo(in: dir.path)
        let missing = dir.file("nowhere.npz")
        let noFile = try CLI.run(["fit", project, "--body", missing])
        #expect(noFile.status == 1 && noFile.err.contains(missing) && noFile.err.contains("--body builtin"), "\(noFile.err)")

        let garbage = dir.file("model.pkl")
        try Data("definitely not a pickle".utf8).write(to: URL(fileURLWithPath: garbage))
        let broken = try CLI.run(["fit", project, "--body", garbage])
        #expect(broken.status == 1 && broken.err.contains(garbage) && broken.err.contains("not a SMPL model file"), "\(broken.err)")

        let range = try CLI.run(["fit", project, "--frames", "90:140"])
        #expect(range.status == 1 && range.err.contains(project) && range.err.contains("out of range"), "\(range.err)")
        #expect(try info(project)["journal"].flatMap { ($0 as? [String: Any])?["length"] as? Int } == 0)
    }
}
