import Testing
@testable import PoseKit

func randomSequence(frames: Int, rng: inout SplitMix64) -> PoseSequence {
    let poses = (0..<frames).map { _ in
        (0..<25).map { _ -> Keypoint in
            Double.random(in: 0..<1, using: &rng) < 0.05 ? .missing
                : Keypoint(x: Double.random(in: 0..<1080, using: &rng), y: Double.random(in: 0..<1920, using: &rng),
                           confidence: Double.random(in: 0...1, using: &rng))
        }
    }
    return PoseSequence(fps: 30, frameSize: FrameSize(width: 1080, height: 1920), frames: poses)
}

func randomEdit(for sequence: PoseSequence, rng: inout SplitMix64) -> Edit {
    let t = sequence.frameCount
    let start = Int.random(in: 0..<t, using: &rng)
    let range = start..<Int.random(in: (start + 1)...min(t, start + 5), using: &rng)
    let joints = (0..<Int.random(in: 1...3, using: &rng)).map { _ in Joint.allCases.randomElement(using: &rng)! }
    let frame = Int.random(in: 0..<t, using: &rng)
    switch Int.random(in: 0..<8, using: &rng) {
    case 0: return .move(frames: range, joints: Joint.allCases, dx: .random(in: -20...20, using: &rng), dy: .random(in: -20...20, using: &rng))
    case 1: return .place(frame: frame, joint: joints[0], x: .random(in: 0..<1080, using: &rng), y: .random(in: 0..<1920, using: &rng))
    case 2: return .setConfidence(frames: range, joints: Joint.allCases, confidence: .random(in: 0...1, using: &rng))
    case 3: return .setMissing(frames: range, joints: joints, missing: Bool.random(using: &rng))
    case 4: return .setPinned(frames: range, joints: joints, pinned: Bool.random(using: &rng))
    case 5: return .swapLeftRight(frames: range, pairs: Bool.random(using: &rng) ? BODY25.rightJoints : [.lWrist, .rKnee])
    case 6:
        return .replacePoints((0..<3).map { _ in
            PointValue(frame: Int.random(in: 0..<t, using: &rng), joint: Joint.allCases.randomElement(using: &rng)!,
                       keypoint: Keypoint(x: .random(in: 0..<1080, using: &rng), y: .random(in: 0..<1920, using: &rng),
                                          confidence: .random(in: 0...1, using: &rng), provenance: .filtered))
        })
    default:
        return .replaceSequence(randomSequence(frames: Int.random(in: 1...12, using: &rng), rng: &rng))
    }
}

@Suite struct EditTests {
    @Test func everyEditsInverseRestoresTheSequenceBitForBit() throws {
        var rng = SplitMix64(seed: 7)
        var sequence = randomSequence(frames: 12, rng: &rng)
        for _ in 0..<2000 {
            let before = sequence
            let edit = randomEdit(for: sequence, rng: &rng)
            guard let inverse = try? sequence.apply(edit) else {
                #expect(sequence == before, "a refused edit must not change the sequence")
                continue
            }
            var undone = sequence
            let inverseOfInverse = try undone.apply(inverse)
            #expect(undone == before)
            // Redo (the forward edit again) and the inverse's inverse both land on the edited state.
            var redone = undone
            try redone.apply(edit)
            #expect(redone == sequence)
            try undone.apply(inverseOfInverse)
            #expect(undone == sequence)
        }
    }

    @Test func moveShiftsPresentPointsAndMarksThemEdited() throws {
        var rng = SplitMix64(seed: 1)
        var s = randomSequence(frames: 4, rng: &rng)
        s[1, .rWrist] = Keypoint(x: 100, y: 200, confidence: 0.8)
        s[2, .rWrist] = .missing
        s[1, .lWrist] = Keypoint(x: 10, y: 20, confidence: 0.7)
        try s.apply(.move(frames: 1..<3, joints: [.rWrist], dx: 5, dy: -7))
        #expect(s[1, .rWrist] == Keypoint(x: 105, y: 193, confidence: 0.8, provenance: .edited))
        #expect(s[2, .rWrist] == .missing, "missing points are not moved")
        #expect(s[1, .lWrist] == Keypoint(x: 10, y: 20, confidence: 0.7), "other joints untouched")
    }

    @Test func placingAMissingPointMakesItPresentWithFullConfidence() throws {
        var rng = SplitMix64(seed: 2)
        var s = randomSequence(frames: 3, rng: &rng)
        s[0, .nose] = .missing
        try s.apply(.place(frame: 0, joint: .nose, x: 12.5, y: 30))
        #expect(s[0, .nose] == Keypoint(x: 12.5, y: 30, confidence: 1, provenance: .edited))
    }

    @Test func missingKeepsCoordinatesSoPresentRestoresThem() throws {
        var rng = SplitMix64(seed: 3)
        var s = randomSequence(frames: 3, rng: &rng)
        s[1, .lKnee] = Keypoint(x: 40, y: 50, confidence: 0.6)
        try s.apply(.setMissing(frames: 1..<2, joints: [.lKnee], missing: true))
        #expect(s[1, .lKnee].isMissing && s[1, .lKnee].x == 40)
        try s.apply(.setMissing(frames: 1..<2, joints: [.lKnee], missing: false))
        #expect(s[1, .lKnee] == Keypoint(x: 40, y: 50, confidence: 0.6, provenance: .edited))
    }

    @Test func swapExchangesEveryLeftRightPair() throws {
        var rng = SplitMix64(seed: 4)
        let original = randomSequence(frames: 5, rng: &rng)
        var s = original
        try s.apply(.swapLeftRight(frames: 2..<4, pairs: BODY25.rightJoints))
        for frame in 0..<5 {
            for joint in Joint.allCases {
                let expected = (2..<4).contains(frame) ? original[frame, joint.mirrored] : original[frame, joint]
                #expect(s[frame, joint].x == expected.x && s[frame, joint].y == expected.y
                        && s[frame, joint].isMissing == expected.isMissing)
            }
        }
        #expect(s[2, .nose] == original[2, .nose])
    }

    @Test func invalidEditsAreRefusedWithoutChangingAnything() {
        var rng = SplitMix64(seed: 5)
        var s = randomSequence(frames: 4, rng: &rng)
        let before = s
        let cases: [(Edit, EditError)] = [
            (.place(frame: 4, joint: .nose, x: 1, y: 1), .frameOutOfRange(frame: 4, frameCount: 4)),
            (.place(frame: -1, joint: .nose, x: 1, y: 1), .frameOutOfRange(frame: -1, frameCount: 4)),
            (.place(frame: 0, joint: .nose, x: .nan, y: 1), .notFinite(field: "x")),
            (.move(frames: 0..<2, joints: [.nose], dx: .infinity, dy: 0), .notFinite(field: "dx")),
            (.move(frames: 2..<2, joints: [.nose], dx: 1, dy: 0), .emptyFrameRange(2..<2)),
            (.move(frames: 0..<9, joints: [.nose], dx: 1, dy: 0), .frameOutOfRange(frame: 8, frameCount: 4)),
            (.move(frames: 0..<1, joints: [], dx: 1, dy: 0), .noJoints),
            (.setConfidence(frames: 0..<1, joints: [.nose], confidence: 1.5), .confidenceOutOfRange(1.5)),
            (.replacePoints([PointValue(frame: 0, joint: .nose, keypoint: Keypoint(x: 1, y: 1, confidence: -0.1))]),
             .invalidKeypoint(frame: 0, joint: .nose)),
        ]
        for (edit, expected) in cases {
            #expect(throws: expected) { try s.apply(edit) }
            #expect(s == before)
        }
        s[0, .rAnkle] = .missing
        let allMissing = s
        #expect(throws: EditError.noPresentPoints) { try s.apply(.move(frames: 0..<1, joints: [.rAnkle], dx: 1, dy: 1)) }
        #expect(s == allMissing)
    }

    @Test func statisticsCountMissingAndProvenance() throws {
        let p = Keypoint(x: 1, y: 1, confidence: 1)
        var s = PoseSequence(fps: 60, frameSize: FrameSize(width: 10, height: 10),
                             frames: [Array(repeating: p, count: 25), Array(repeating: .missing, count: 25)])
        #expect(s.missingFraction == 0.5)
        try s.apply(.place(frame: 0, joint: .nose, x: 2, y: 2))
        #expect(s.provenanceCounts[.edited] == 1 && s.provenanceCounts[.raw] == 24)
        #expect(s.smplFrameCount == 0)
        s.setSMPL(SMPLParameters(vector: Array(repeating: 0.1, count: 85)), at: 1)
        #expect(s.smplFrameCount == 1)
    }

    @Test func smplParametersCheckTheirCounts() {
        #expect(SMPLParameters(cam: [1, 0, 0], pose: Array(repeating: 0, count: 72), shape: Array(repeating: 0, count: 10)) != nil)
        #expect(SMPLParameters(cam: [1, 0], pose: Array(repeating: 0, count: 72), shape: Array(repeating: 0, count: 10)) == nil)
        #expect(SMPLParameters(vector: Array(repeating: .nan, count: 85)) == nil)
        let v = (0..<85).map(Double.init)
        #expect(SMPLParameters(vector: v)?.vector == v)
    }
}
