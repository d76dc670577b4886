import Foundation
import GRDB
import PoseKit
import ProjectStore
import Testing

@Suite struct JournalCLITests {
    @Test func editUndoRedoHistoryThroughTheCLI() throws {
        let dir = TemporaryDirectory()
        let project = try CLI.newDemo(in: dir.path)
        let original = try ProjectFile.open(at: project)
        let before = original.sequence
        try original.close()

        let moved = try CLI.run(["edit", project, "--frame", "81", "--joint", "RWrist", "--by", "-40,12"])
        #expect(moved.status == 0, "\(moved.err)")
        #expect(moved.out.contains("committed 1: move RWrist by (-40, +12) at frame 81"))
        #expect(try CLI.run(["edit", project, "--frames", "60:70", "--joint", "LKnee,LAnkle", "--pin"]).status == 0)
        #expect(try CLI.run(["edit", project, "--frame", "3", "--joint", "Nose", "--to", "500.25,400"]).status == 0)

        var file = try ProjectFile.open(at: project)
        #expect(file.sequence[81, .rWrist].x == before[81, .rWrist].x - 40)
        #expect(file.sequence[81, .rWrist].provenance == .edited)
        #expect(file.sequence[65, .lAnkle].isPinned)
        #expect(file.sequence[3, .nose].x == 500.25)
        try file.close()

        let undo = try CLI.run(["undo", project, "--steps", "2"])
        #expect(undo.out.contains("undid 3") && undo.out.contains("undid 2") && undo.out.contains("1 of 3"))
        let history = try CLI.run(["history", project])
        let lines = history.out.split(separator: "\n")
        #expect(lines.count == 4 && lines[0].contains("applied") && lines[1].contains("undone") && lines[2].contains("undone"))
        #expect(try CLI.run(["redo", project]).out.contains("redid 2"))

        file = try ProjectFile.open(at: project)
        #expect(file.sequence[65, .lAnkle].isPinned && file.sequence[3, .nose] == before[3, .nose])
        try file.close()

        let info = try CLI.run(["info", project, "--json"])
        let object = try #require(try JSONSerialization.jsonObject(with: Data(info.out.utf8)) as? [String: Any])
        #expect((object["journal"] as? [String: Int]) == ["length": 3, "position": 2])
        #expect((object["provenance"] as? [String: Int])?["edited"] == 1)
    }

    @Test func importIsOneUndoableEdit() throws {
        let dir = TemporaryDirectory()
        let project = try CLI.newDemo(in: dir.path)
        // Export, shift every x by hand-editing a copy, import it back.
        #expect(try CLI.run(["export", project, "--poses", dir.file("kpts"), "--format", "bdmm"]).status == 0)
        let first = dir.file("kpts/000000.json")
        try Data("{\"pose_keypoints_2d\":[\(Array(repeating: "1,2,0.5", count: 25).joined(separator: ","))]}".utf8)
            .write(to: URL(fileURLWithPath: first))
        let imported = try CLI.run(["import", project, "--poses", dir.file("kpts")])
        #expect(imported.status == 0, "\(imported.err)")
        var file = try ProjectFile.open(at: project)
        #expect(file.sequence[0, .nose].x == 1 && file.sequence.fps == 60)
        #expect(file.journal == JournalState(length: 1, position: 1))
        try file.close()
        #expect(try CLI.run(["undo", project]).status == 0)
        file = try ProjectFile.open(at: project)
        #expect(file.sequence[0, .nose].x == 509.309)
        try file.close()
    }

    /// SIGKILL in the middle of a burst of 1,000 edits: every edit the process reported as
    /// committed is in the file, nothing after the one in flight is, and the file is intact.
    @Test func killDuringABurstLosesNothingReported() throws {
        let dir = TemporaryDirectory()
        let project = try CLI.newDemo(in: dir.path)
        let initial = try ProjectFile.open(at: project)
        var replay = [initial.sequence]
        try initial.close()

        var rng = SplitMix64(seed: 1000)
        var lines: [String] = []
        var edits: [Edit] = []
        for i in 0..<1000 {
            let frame = Int.random(in: 0..<100, using: &rng)
            let joint = Joint.allCases.randomElement(using: &rng)!
            let a = Double(Int.random(in: -4000...4000, using: &rng)) / 8, b = Double(Int.random(in: 0...8000, using: &rng)) / 8
            if i % 2 == 0 {
                lines.append("--frame \(frame) --joint \(joint.name) --to \(a + 540),\(b)")
                edits.append(.place(frame: frame, joint: joint, x: a + 540, y: b))
            } else {
                lines.append("--frame \(frame) --joint \(joint.name) --by \(a / 100),\(b / 1000)")
                edits.append(.move(frames: frame..<(frame + 1), joints: [joint], dx: a / 100, dy: b / 1000))
            }
        }
        for edit in edits {
            var next = replay.last!
            try next.apply(edit)
            replay.append(next)
        }

        let process = Process()
        process.executableURL = CLI.binary
        process.arguments = ["edit", project, "--batch", "-"]
        let input = Pipe(), output = Pipe()
        process.standardInput = input
        process.standardOutput = output
        process.standardError = FileHandle.nullDevice
        // The test decides when the kill lands: the process reports each commit on a pipe of one
        // page (F_SETPIPE_SZ = 1031), which the test stops reading at the 150th line, so the process
        // blocks in its report at most a page (~100 lines) later, far from the end of the burst,
        // however fast the machine. A watchdog kills it after 120 s should it never report them.
        _ = fcntl(output.fileHandleForWriting.fileDescriptor, 1031, 4096)
        try process.run()
        let watchdog = Watchdog(pid: process.processIdentifier, seconds: 120)
        defer { watchdog.cancel() }
        input.fileHandleForWriting.write(Data(lines.joined(separator: "\n").utf8))
        try input.fileHandleForWriting.close()

        var received = Data()
        var killed = false
        while true {
            let chunk = output.fileHandleForReading.availableData
            if chunk.isEmpty { break }
            received.append(chunk)
            if !killed, received.count(where: { $0 == UInt8(ascii: "\n") }) >= 150 {
                kill(process.processIdentifier, SIGKILL)
                killed = true
            }
        }
        process.waitUntilExit()
        #expect(killed, "the process never reported 150 commits")
        #expect(process.terminationReason == .uncaughtSignal, "the burst must still be running when it is killed")

        let reported = String(decoding: received, as: UTF8.self).split(separator: "\n").filter { $0.hasPrefix("committed ") }
        for (i, line) in reported.enumerated() { #expect(line.hasPrefix("committed \(i + 1): ")) }
        #expect(reported.count >= 150 && reported.count < 400)

        let queue = try DatabaseQueue(path: project)
        let integrity = try queue.read { try String.fetchAll($0, sql: "PRAGMA integrity_check") }
        try queue.close()
        #expect(integrity == ["ok"])

        let file = try ProjectFile.open(at: project)
        defer { try? file.close() }
        let committed = file.journal.length
        // The edit in flight may have committed in the instant before its line was written.
        #expect(committed == reported.count || committed == reported.count + 1, "journal \(committed), reported \(reported.count)")
        #expect(file.journal.position == committed)
        #expect(file.sequence == replay[committed], "the file holds exactly the first \(committed) edits")
        print("kill test: \(reported.count) edits reported committed, \(committed) in the journal")
    }
}
