import Foundation
import PoseKit
import ProjectStore
import Testing

@Suite struct CleanupCLITests {
    @Test func theDemoQueueStartsWithTheRightWristSpikeAtFrame81() throws {
        let dir = TemporaryDirectory()
        let project = try CLI.newDemo(in: dir.path)
        let result = try CLI.run(["suspects", project, "--json"])
        #expect(result.status == 0, "\(result.err)")
        let queue = try #require(try JSONSerialization.jsonObject(with: Data(result.out.utf8)) as? [[String: Any]])
        let top = try #require(queue.first)
        #expect(top["frame"] as? Int == 81 && top["joints"] as? [String] == ["RWrist"] && top["kind"] as? String == "spike")
        #expect((top["score"] as? Double ?? 0) > 0.5)
        #expect(top["reason"] as? String != nil)
        // The real fast foot and arm motion of the clip is not flagged as spikes or swaps.
        #expect(!queue.contains { ["spike", "swap"].contains($0["kind"] as? String) && $0["frame"] as? Int != 81 })
    }

    @Test func eachVerbIsOneUndoableJournalEntryThatSaysWhatItChanged() throws {
        let dir = TemporaryDirectory()
        let project = try CLI.newDemo(in: dir.path)
        let original = try ProjectFile.open(at: project)
        let before = original.sequence
        try original.close()

        let pin = try CLI.run(["pin", project, "--frame", "40", "--joint", "RWrist"])
        #expect(pin.status == 0 && pin.out.contains("committed 1: pin RWrist at frame 40"), "\(pin.err)")
        let dry = try CLI.run(["filter", project, "--median", "5", "--joints", "RWrist,LWrist", "--frames", "20:60", "--dry-run"])
        #expect(dry.out.hasPrefix("would apply median 5:"))
        let filter = try CLI.run(["filter", project, "--median", "5", "--joints", "RWrist,LWrist", "--frames", "20:60"])
        #expect(filter.status == 0 && filter.out.contains("committed 2: median 5:") && filter.out.contains("× 2 joints"), "\(filter.out)\(filter.err)")
        #expect(try CLI.run(["edit", project, "--frames", "10:13", "--joint", "LKnee", "--missing"]).status == 0)
        let fill = try CLI.run(["fill", project, "--max-gap", "5", "--method", "linear"])
        #expect(fill.out.contains("nothing to change"), "hand-marked missing points are not filled back: \(fill.out)")
        let swap = try CLI.run(["swap", project, "--frames", "30:34", "--pair", "wrist"])
        #expect(swap.out.contains("committed 4: swap left/right RWrist at frames 30:34"), "\(swap.out)\(swap.err)")
        let clean = try CLI.run(["clean", project, "--auto"])
        #expect(clean.status == 0 && clean.out.contains("committed 5: auto-clean"), "\(clean.out)\(clean.err)")

        var file = try ProjectFile.open(at: project)
        #expect(file.journal == JournalState(length: 5, position: 5))
        let s = file.sequence
        #expect(s[40, .rWrist].isPinned && s[40, .rWrist].x == before[40, .rWrist].x, "pinned: never moved")
        #expect(s[32, .rWrist].x == before[32, .lWrist].x, "hand swap kept by the clean-up (edited points are locked)")
        #expect(s[11, .lKnee].isMissing, "hand-marked missing stays missing")
        #expect(s[81, .rWrist].provenance == .interpolated, "the spike was replaced")
        try file.close()

        #expect(try CLI.run(["undo", project, "--steps", "5"]).status == 0)
        file = try ProjectFile.open(at: project)
        defer { try? file.close() }
        #expect(file.sequence == before, "undo restores bit-identical data")
    }

    @Test func fixAppliesTheTopSuggestion() throws {
        let dir = TemporaryDirectory()
        let project = try CLI.newDemo(in: dir.path)
        let fix = try CLI.run(["fix", project])
        #expect(fix.out.contains("committed 1: interpolate RWrist over 81:82: 1 point"), "\(fix.out)\(fix.err)")
        let after = try CLI.run(["suspects", project, "--kinds", "spike"])
        #expect(after.out.contains("0 suspects"))
    }

    @Test func badCleanupArgumentsExitOne() throws {
        let dir = TemporaryDirectory()
        let project = try CLI.newDemo(in: dir.path)
        for args in [["filter", project], ["filter", project, "--median", "4"], ["filter", project, "--butterworth", "40,4"],
                     ["filter", project, "--median", "5", "--gaussian", "2"], ["filter", project, "--median", "5", "--frames", "90:120"],
                     ["suspects", project, "--kinds", "wobble"], ["swap", project], ["swap", project, "--frames", "1:3", "--pair", "tail"],
                     ["clean", project], ["fix", project, "--suspect", "99"]] {
            let r = try CLI.run(args)
            #expect(r.status == 1, "\(args.dropFirst(2)): exit \(r.status)")
            #expect(!r.err.isEmpty)
        }
        let file = try ProjectFile.open(at: project)
        defer { try? file.close() }
        #expect(file.journal.length == 0, "nothing was written")
    }
}
