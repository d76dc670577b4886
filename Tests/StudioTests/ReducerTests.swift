// The reducer alone: an action in, the new state and the reactions out.
import PoseKit
import ProjectStore
import Studio
import TerminalUI
import Testing

@Suite struct ReducerTests {
    static func state(frames: Int = 100) -> StudioState {
        let pose = (0..<BODY25.jointCount).map { Keypoint(x: 100 + Double($0), y: 200, confidence: 0.9) }
        let sequence = PoseSequence(fps: 30, frameSize: FrameSize(width: 640, height: 480), frames: Array(repeating: pose, count: frames))
        return StudioState(projectName: "t.bdmm", sequence: sequence, journal: JournalState(length: 0, position: 0),
                           size: TerminalSize(columns: 80, rows: 24))
    }

    @Test func framesMoveAndClamp() {
        var s = Self.state()
        #expect(Reducer.reduce(&s, .key(.character("l"))) == [.loadImages])
        #expect(s.frame == 1)
        _ = Reducer.reduce(&s, .key(.character("H")))
        #expect(s.frame == 0)
        _ = Reducer.reduce(&s, .key(.character("G")))
        #expect(s.frame == 99)
        _ = Reducer.reduce(&s, .key(.right))
        #expect(s.frame == 99)
        _ = Reducer.reduce(&s, .key(.character("L")))
        #expect(s.frame == 99)
        _ = Reducer.reduce(&s, .key(.character("g")))
        _ = Reducer.reduce(&s, .key(.character("L")))
        #expect(s.frame == 10)
    }

    @Test func jointsCycleAndMirror() {
        var s = Self.state()
        s.joint = .rWrist
        _ = Reducer.reduce(&s, .key(.tab))
        #expect(s.joint == .lShoulder)
        _ = Reducer.reduce(&s, .key(.backTab))
        _ = Reducer.reduce(&s, .key(.character("m")))
        #expect(s.joint == .lWrist)
        s.joint = .nose
        _ = Reducer.reduce(&s, .key(.backTab))
        #expect(s.joint == .rHeel)
    }

    @Test func nudgesAreEditsOfTheSelectedPoint() {
        var s = Self.state()
        s.frame = 7
        #expect(Reducer.reduce(&s, .key(.character("d"))) == [.apply(.move(frames: 7..<8, joints: [.rWrist], dx: 1, dy: 0))])
        #expect(Reducer.reduce(&s, .key(.character("W"))) == [.apply(.move(frames: 7..<8, joints: [.rWrist], dx: 0, dy: -10))])
        #expect(Reducer.reduce(&s, .key(.character("x"))) == [.apply(.setMissing(frames: 7..<8, joints: [.rWrist], missing: true))])
        #expect(Reducer.reduce(&s, .key(.character("p"))) == [.apply(.setPinned(frames: 7..<8, joints: [.rWrist], pinned: true))])
    }

    @Test func rangeStartsFollowsFreezesAndClears() {
        var s = Self.state()
        s.frame = 10
        _ = Reducer.reduce(&s, .key(.character("v")))
        _ = Reducer.reduce(&s, .key(.character("L")))
        #expect(s.range == 10..<21)
        _ = Reducer.reduce(&s, .key(.character("v")))
        _ = Reducer.reduce(&s, .key(.character("l")))
        #expect(s.range == 10..<21)
        #expect(Reducer.reduce(&s, .key(.character("|"))) == [.apply(.swapLeftRight(frames: 10..<21, pairs: BODY25.rightJoints))])
        #expect(Reducer.reduce(&s, .key(.character("i"))) == [.propose(.interpolate(joints: [.rWrist], frames: 11..<20))])
        #expect(Reducer.reduce(&s, .key(.character("o"))) == [.propose(.fill(maxGap: 11, method: .cubic, joints: Joint.allCases, frames: 10..<21))])
        _ = Reducer.reduce(&s, .key(.character("=")))
        #expect(s.mode == .command("filter median 5 joints=RWrist frames=10:21"))
        _ = Reducer.reduce(&s, .key(.escape))
        _ = Reducer.reduce(&s, .key(.character("v")))
        #expect(s.range == nil)
        #expect(Reducer.reduce(&s, .key(.character("|"))) == [])
        #expect(s.message?.kind == .warning)
    }

    @Test func colonLinesBecomeTheCLIsEdits() {
        var s = Self.state()
        _ = Reducer.reduce(&s, .key(.character(":")))
        for c in "filter median 5 joints=RWrist,LWrist frames=20:40" { _ = Reducer.reduce(&s, .key(.character(c))) }
        let reactions = Reducer.reduce(&s, .key(.enter))
        #expect(reactions == [.propose(.filter(.median(window: 5), joints: [.rWrist, .lWrist], frames: 20..<40, weighted: true))])
        #expect(s.mode == .normal)
        #expect(ColonCommands.run("42", &s) == [.loadImages])
        #expect(s.frame == 42)
        #expect(ColonCommands.run("export out.mp4", &s) == [.export(path: "out.mp4")])
        #expect(ColonCommands.run("fit frames=0:10", &s) == [.fit(frames: 0..<10)])
        #expect(ColonCommands.run("swap detect", &s) == [.propose(.fixSwaps)])
        #expect(ColonCommands.run("q", &s) == [.quit])
        #expect(s.quit)
    }

    @Test func badColonLinesSayWhatIsWrong() {
        var s = Self.state()
        for (line, fragment) in [("filter median", "say which filter"), ("filter median 4", "odd"), ("frobnicate", "unknown command"),
                                 ("filter median 5 frames=50:200", "frames 0–99"), ("filter median 5 joints=Elbow", "unknown joint"),
                                 ("filter median 5 colour=red", "unknown option"), ("500", "outside")] {
            #expect(ColonCommands.run(line, &s) == [], "\(line)")
            #expect(s.message?.kind == .error, "\(line)")
            #expect(s.message?.text.lowercased().contains(fragment.lowercased()) == true, "\(line): \(s.message?.text ?? "")")
        }
    }

    @Test func queueWalksInScoreOrderAndFixTargetsTheEntryHere() {
        var s = Self.state()
        let a = Suspect.test(frame: 30, joint: .lKnee), b = Suspect.test(frame: 12, joint: .rWrist)
        _ = Reducer.reduce(&s, .suspects([a, b]))
        _ = Reducer.reduce(&s, .key(.character("n")))
        #expect(s.frame == 30 && s.joint == .lKnee)
        #expect(Reducer.reduce(&s, .key(.character("f"))) == [.propose(.fix(a))])
        _ = Reducer.reduce(&s, .key(.character("n")))
        #expect(s.frame == 12 && s.joint == .rWrist)
        _ = Reducer.reduce(&s, .key(.character("N")))
        #expect(s.frame == 30)
        s.frame = 50
        #expect(Reducer.reduce(&s, .key(.character("f"))) == [])
        #expect(s.message?.kind == .warning)
    }

    @Test func paletteAndPickerRunWhatIsHighlighted() {
        var s = Self.state()
        _ = Reducer.reduce(&s, .key(.control("p")))
        for c in "undo" { _ = Reducer.reduce(&s, .key(.character(c))) }
        #expect(Reducer.reduce(&s, .key(.enter)) == [.undo])
        _ = Reducer.reduce(&s, .key(.character("'")))
        for c in "lank" { _ = Reducer.reduce(&s, .key(.character(c))) }
        _ = Reducer.reduce(&s, .key(.enter))
        #expect(s.joint == .lAnkle)
    }

    @Test func autoCleanWaitsForConfirmation() {
        var s = Self.state()
        #expect(Reducer.reduce(&s, .key(.character("F"))) == [.previewAutoClean])
        _ = Reducer.reduce(&s, .previewReady(summary: "fix 2 spikes", frames: 2, points: 2))
        #expect(s.mode == .preview(summary: "fix 2 spikes", frames: 2, points: 2))
        #expect(Reducer.reduce(&s, .key(.character("l"))) == [])
        #expect(s.frame == 0)
        #expect(Reducer.reduce(&s, .key(.enter)) == [.applyPreview])
        _ = Reducer.reduce(&s, .previewReady(summary: "x", frames: 1, points: 1))
        #expect(Reducer.reduce(&s, .key(.escape)) == [.dropPreview])
        #expect(Reducer.reduce(&s, .previewReady(summary: "x", frames: 0, points: 0)) == [.dropPreview])
        #expect(s.mode == .normal)
    }

    @Test func viewsCycleAndUnboundKeysWarn() {
        var s = Self.state()
        for expected in [ViewMode.draft, .neural, .sideBySide, .skeleton] {
            _ = Reducer.reduce(&s, .key(.character("t")))
            #expect(s.view == expected)
        }
        _ = Reducer.reduce(&s, .key(.character("Z")))
        #expect(s.message?.text.contains("not bound") == true)
        #expect(Reducer.reduce(&s, .key(.character("q"))) == [.quit])
    }

    @Test func renderKeysAskForTheWindowOrEverything() {
        var s = Self.state()
        s.frame = 14
        #expect(Reducer.reduce(&s, .key(.character("r"))) == [.render(frames: 12..<18)])
        #expect(Reducer.reduce(&s, .key(.character("R"))) == [.render(frames: 0..<100)])
    }
}

extension Suspect {
    /// A queue entry for reducer tests (the detectors make real ones in the session tests).
    static func test(frame: Int, joint: Joint) -> Suspect {
        var s = Detect.suspects(in: spikeSequence(frame: frame, joint: joint)).first { $0.frame == frame && $0.joints == [joint] }!
        s.frame = frame
        return s
    }

    static func spikeSequence(frame: Int, joint: Joint) -> PoseSequence {
        var frames: [[Keypoint]] = []
        for f in 0..<100 {
            var pose = (0..<BODY25.jointCount).map { Keypoint(x: 300 + Double($0 % 5) * 20 + Double(f), y: 100 + Double($0) * 15, confidence: 0.9) }
            if f == frame { pose[joint.rawValue].x += 200 }
            frames.append(pose)
        }
        return PoseSequence(fps: 30, frameSize: FrameSize(width: 640, height: 480), frames: frames)
    }
}
