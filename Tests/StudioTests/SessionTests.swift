// The session over a real project file: keys become journal entries in the file at once, the
// queue follows the edits, and the loop runs on the test terminal.
import Foundation
import PoseKit
import ProjectStore
import Studio
import TerminalUI
import Testing

@Suite struct SessionTests {
    @Test func nLandsOnTheFrame81WristSpikeAndFFixesIt() throws {
        let dir = TemporaryDirectory()
        let file = try Demo.project(in: dir)
        let session = Demo.session(file)
        #expect(session.state.suspects.contains { $0.frame == 81 && $0.joints == [.rWrist] && $0.kind == .spike })
        session.press(.character("n"))
        #expect(session.state.frame == 81)
        #expect(session.state.joint == .rWrist)
        let before = file.sequence[81, .rWrist]
        let markColumn = timelineMarkColumn(session, frame: 81)
        #expect(session.screen().plainText().split(separator: "\n")[markRow(session)].dropFirst(markColumn).first == "▲")
        session.press(.character("f"))
        let after = file.sequence[81, .rWrist]
        #expect(after != before)
        #expect(!session.state.suspects.contains { $0.frames.contains(81) && $0.joints.contains(.rWrist) })
        #expect(session.screen().plainText().split(separator: "\n")[markRow(session)].dropFirst(markColumn).first != "▲")
        // The fix is in the file, not only on the screen.
        let reopened = try ProjectFile.open(at: file.path)
        #expect(reopened.sequence[81, .rWrist] == after)
        try reopened.close()
    }

    @Test func nudgeUndoRedoAreJournalEntries() throws {
        let dir = TemporaryDirectory()
        let file = try Demo.project(in: dir)
        let session = Demo.session(file)
        session.press(.character("l"), .character("l"))
        let x0 = file.sequence[2, .rWrist].x
        session.press(.character("d"), .character("D"))
        #expect(file.sequence[2, .rWrist].x == x0 + 11)
        #expect(file.journal.length == 2)
        session.press(.character("u"))
        #expect(file.sequence[2, .rWrist].x == x0 + 1)
        session.press(.control("r"))
        #expect(file.sequence[2, .rWrist].x == x0 + 11)
        #expect(session.state.sequence[2, .rWrist].x == x0 + 11)
        session.press(.control("r"))
        #expect(session.state.message?.text == "nothing to redo")
    }

    @Test func aColonFilterMakesTheSameChangeAsTheCleanupEngine() throws {
        let dir = TemporaryDirectory()
        let file = try Demo.project(in: dir)
        let original = file.sequence
        let session = Demo.session(file)
        session.press(.character(":"))
        session.type("filter median 5 joints=RWrist frames=10:40")
        session.press(.enter)
        let expected = Cleanup.filter(original, .median(window: 5), joints: [.rWrist], frames: 10..<40)
        var twin = original
        _ = try twin.apply(expected.edit)
        #expect(file.sequence == twin)
        #expect(try file.history().last?.label == expected.summary)
    }

    @Test func autoCleanIsPreviewedThenAppliedOrDropped() throws {
        let dir = TemporaryDirectory()
        let file = try Demo.project(in: dir)
        let session = Demo.session(file)
        session.press(.character("F"))
        guard case .preview(_, _, let points) = session.state.mode else {
            Issue.record("no preview: \(session.state.mode)")
            return
        }
        #expect(points > 0)
        #expect(file.journal.length == 0)
        #expect(session.screen().plainText().contains("Enter apply"))
        session.press(.escape)
        #expect(file.journal.length == 0)
        session.press(.character("F"), .enter)
        #expect(file.journal.length == 1)
        #expect(file.sequence == {
            let s = try! ProjectFile.open(at: file.path)
            defer { try? s.close() }
            return s.sequence
        }())
    }

    @Test func missingServicesAreReportedNotIgnored() throws {
        let dir = TemporaryDirectory()
        let file = try Demo.project(in: dir)
        let session = Demo.session(file)
        session.press(.character("r"))
        #expect(session.state.message?.kind == .warning)
        session.press(.character(":"))
        session.type("export out.mp4")
        session.press(.enter)
        #expect(session.state.message?.text.contains("export") == true)
    }

    @Test func jobsReportProgressAndFinish() throws {
        let dir = TemporaryDirectory()
        let file = try Demo.project(in: dir)
        let session = Demo.session(file)
        var services = StudioServices()
        services.render = { frames, _, context in
            for (i, _) in frames.enumerated() { context.report(i + 1, frames.count) }
            return "rendered \(frames.count) frames"
        }
        session.services = services
        session.press(.character("R"))
        #expect(session.state.jobs.isEmpty)
        #expect(session.state.message?.text == "rendered 100 frames")
    }

    @Test func editsRenderTheStaleFramesAgainAndSupersedeRunningRenders() throws {
        let dir = TemporaryDirectory()
        let file = try Demo.project(in: dir)
        let session = Demo.session(file)
        let calls = Locked<[(frames: Range<Int>, again: Bool)]>([])
        // Held at its first frame until released: stands in for a render still running when the edit comes.
        let gate = DispatchSemaphore(value: 0)
        let holdFirst = Locked(false)
        let cancelled = Locked<[Range<Int>]>([])
        var services = StudioServices()
        services.render = { frames, again, context in
            calls.value.append((frames, again))
            context.mark(Array(frames), .rendering)
            for t in frames {
                if holdFirst.exchange(false) { gate.wait() }
                if context.isCancelled() {
                    cancelled.value.append(frames)
                    throw JobCancelled()
                }
                context.mark([t], .rendered)
            }
            return again ? "rendered \(frames.count) again" : "rendered \(frames.count)"
        }
        session.services = services
        session.press(.character("r"))
        #expect(calls.value.map(\.frames) == [0..<6])
        #expect(session.state.renderMarks[0..<6].allSatisfy { $0 == .rendered })
        #expect(session.state.renderMarks[6] == .none)

        // A nudge on a rendered frame: that frame is rendered again, nothing else.
        session.press(.character("l"), .character("l"))
        session.press(.character("d"))
        #expect(calls.value.count == 2)
        #expect(calls.value.last! == (2..<3, true))
        #expect(session.state.message?.text == "rendered 1 again")
        #expect(session.state.renderMarks[0..<6].allSatisfy { $0 == .rendered })

        // A nudge on a frame never rendered starts nothing.
        session.press(.character("L"))
        session.press(.character("d"))
        #expect(calls.value.count == 2)

        // An edit while a render runs: the running job is superseded (ending without a message);
        // the next job renders what it was asked, then the stale frame.
        holdFirst.value = true
        session.dispatch(.key(.character("R")))
        while calls.value.count < 3 { usleep(1000) }   // running, held at its first frame
        session.dispatch(.key(.character("g")))
        session.dispatch(.key(.character("d")))
        gate.signal()
        session.settle()
        #expect(calls.value.count == 5)
        #expect(calls.value[2] == (0..<100, false))
        #expect(calls.value[3] == (0..<100, false))
        #expect(calls.value[4] == (0..<1, true))
        #expect(cancelled.value == [0..<100])
        #expect(session.state.message?.text == "rendered 1 again")
        #expect(session.state.renderMarks.allSatisfy { $0 == .rendered })

        // c cancels a running render: it stops at its next check, and nothing starts after it.
        holdFirst.value = true
        session.dispatch(.key(.character("R")))
        while calls.value.count < 6 { usleep(1000) }   // running, held at its first frame
        session.dispatch(.key(.character("c")))
        #expect(session.state.message?.text == "cancelling 1 job…")
        gate.signal()
        session.settle()
        #expect(calls.value.count == 6)
        #expect(cancelled.value == [0..<100, 0..<100])
        #expect(session.state.message?.text == "render 0:100: cancelled")
        session.press(.character("c"))
        #expect(session.state.message?.text == "no background jobs to cancel")
        calls.value.removeLast()

        // Undo makes every rendered frame stale: all of them are rendered again.
        session.press(.character("u"))
        #expect(calls.value.count == 6)
        #expect(calls.value[5] == (0..<100, true))
    }

    @Test func followUpWorkIsStoredAfterTheEditAndUndoneWithIt() throws {
        let dir = TemporaryDirectory()
        let file = try Demo.project(in: dir)
        let session = Demo.session(file)
        var services = StudioServices()
        // Stands in for the refit: computed off-thread from the edited sequence, stored on the file.
        services.followUp = { frames, sequence, _ in
            let frame = frames!.first!
            let point = sequence[frame, .rWrist]
            return { file in
                try file.apply(.setConfidence(frames: frame..<frame + 1, joints: [.rWrist], confidence: point.confidence / 2),
                               label: "refitted SMPL on frame \(frame)")
                return nil
            }
        }
        services.isFollowUp = { $0.label.hasPrefix("refitted SMPL") }
        session.services = services
        let before = file.sequence[0, .rWrist]
        session.press(.character("d"))
        #expect(file.journal.length == 2)
        #expect(session.state.journal == file.journal)
        #expect(try file.history().last?.label == "refitted SMPL on frame 0")
        session.press(.character("u"))
        #expect(file.journal.position == 0)
        #expect(file.sequence[0, .rWrist] == before)
        session.press(.control("r"))
        #expect(file.journal.position == 2)
        #expect(file.sequence[0, .rWrist].confidence == before.confidence / 2)
    }

    @Test func theLoopRunsOnTheTestTerminalAndMeasuresEachKey() throws {
        let dir = TemporaryDirectory()
        let file = try Demo.project(in: dir)
        let session = Demo.session(file)
        var latencies: [Duration] = []
        session.latencyProbe = { latencies.append($0) }
        var terminal = TestTerminal(size: TerminalSize(columns: 100, rows: 30),
                                    keys: [.character("l"), .character("l"), .tab, .character("?"), .escape])
        session.run(&terminal, exitWhenIdle: true)
        #expect(latencies.count == 5)
        #expect(session.state.frame == 2)
        #expect(session.state.joint == .lShoulder)
        #expect(terminal.screen.columns == 100)
        #expect(terminal.screen.plainText().contains("LShoulder"))
        terminal.resize(to: TerminalSize(columns: 60, rows: 20))
        session.run(&terminal, exitWhenIdle: true)
        #expect(terminal.screen.plainText().contains("needs at least 80×24"))
        terminal.resize(to: TerminalSize(columns: 120, rows: 40))
        session.run(&terminal, exitWhenIdle: true)
        #expect(terminal.screen.plainText().contains("inspector"))
    }

    @Test func aSecondStudioOnTheSameProjectIsRefused() throws {
        let dir = TemporaryDirectory()
        let file = try Demo.project(in: dir)
        let lock = try StudioLock(path: file.path)
        #expect(throws: StudioLockError.self) { try StudioLock(path: file.path) }
        withExtendedLifetime(lock) {}
    }

    private func markRow(_ session: StudioSession) -> Int { session.state.size.rows - 1 - 1 - 2 }

    /// The timeline column of `frame` (same arithmetic as the pane: 7 label cells after the box).
    private func timelineMarkColumn(_ session: StudioSession, frame: Int) -> Int {
        let width = session.state.size.columns - 2 - 7
        return 1 + 7 + frame * width / session.state.frameCount
    }
}
