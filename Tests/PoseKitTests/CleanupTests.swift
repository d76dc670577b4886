import Foundation
import Testing
@testable import PoseKit

/// Hand-made sequences with known answers.
enum Made {
    static let size = FrameSize(width: 1000, height: 1000)

    /// A standing body about 600 px tall; every joint at a fixed offset, moved by `motion(t)`.
    static func body(frames: Int, fps: Double = 30, motion: (Int) -> (Double, Double) = { _ in (0, 0) }) -> PoseSequence {
        let base: [(Double, Double)] = (0..<25).map { j in
            let joint = Joint(rawValue: j)!
            let side: Double = joint.name.hasPrefix("R") ? -1 : joint.name.hasPrefix("L") ? 1 : 0
            return (500 + side * (40 + Double(j % 7) * 12), 200 + Double(j) * 24)
        }
        let poses = (0..<frames).map { t in
            base.map { p in
                let (dx, dy) = motion(t)
                return Keypoint(x: p.0 + dx, y: p.1 + dy, confidence: 0.9)
            }
        }
        return PoseSequence(fps: fps, frameSize: size, frames: poses)
    }

    static func applied(_ s: PoseSequence, _ p: Proposal) throws -> PoseSequence {
        var copy = s
        try copy.apply(p.edit)
        return copy
    }
}

@Suite struct FilterTests {
    static let filters: [SmoothingFilter] = [
        .median(window: 5), .gaussian(sigma: 2), .savitzkyGolay(window: 7, order: 2),
        .oneEuro(minCutoff: 1, beta: 0.007), .butterworth(cutoffHz: 3, order: 4),
    ]

    @Test(arguments: filters)
    func aFilterOfAConstantIsThatConstant(_ filter: SmoothingFilter) throws {
        var s = Made.body(frames: 40)
        s[0, .rWrist] = .missing      // missing points at the edges and inside
        s[39, .rWrist] = .missing
        s[20, .rWrist] = .missing
        let out = try Made.applied(s, Cleanup.filter(s, filter))
        for f in s.frames {
            for j in Joint.allCases {
                #expect(out[f, j].isMissing == s[f, j].isMissing)
                #expect(abs(out[f, j].x - s[f, j].x) < 1e-9 && abs(out[f, j].y - s[f, j].y) < 1e-9, "\(filter) at \(f) \(j)")
            }
        }
    }

    @Test func savitzkyGolayPassesALinearRampUnchanged() throws {
        let s = Made.body(frames: 30) { t in (3.5 * Double(t), -2 * Double(t)) }
        for order in 1...3 {
            let out = try Made.applied(s, Cleanup.filter(s, .savitzkyGolay(window: 7, order: order)))
            for f in s.frames {
                for j in Joint.allCases { #expect(abs(out[f, j].x - s[f, j].x) < 1e-7 && abs(out[f, j].y - s[f, j].y) < 1e-7) }
            }
        }
    }

    @Test func smoothingReducesJitterAndMarksPointsFiltered() throws {
        var rng = SplitMix64(seed: 3)
        var s = Made.body(frames: 60)
        for f in s.frames { s[f, .lKnee].x += Double.random(in: -8...8, using: &rng) }
        let jitter = { (q: PoseSequence) in q.frames.dropFirst().map { abs(q[$0, .lKnee].x - q[$0 - 1, .lKnee].x) }.reduce(0, +) }
        for filter in Self.filters {
            let out = try Made.applied(s, Cleanup.filter(s, filter, joints: [.lKnee]))
            #expect(jitter(out) < 0.6 * jitter(s), "\(filter)")
            #expect(out[30, .lKnee].provenance == .filtered)
            #expect(out[30, .rKnee] == s[30, .rKnee], "other joints untouched")
        }
    }

    @Test func butterworthIsZeroPhaseAndRemovesHighFrequencies() throws {
        // 1 Hz + 12 Hz at 60 fps through a 4 Hz low-pass: the 1 Hz part stays in place, the 12 Hz goes.
        let s = Made.body(frames: 240, fps: 60) { t in
            let time = Double(t) / 60
            return (50 * sin(2 * .pi * time) + 10 * sin(2 * .pi * 12 * time), 0)
        }
        let out = try Made.applied(s, Cleanup.filter(s, .butterworth(cutoffHz: 4, order: 4)))
        for f in 60..<180 {
            let slow = 50 * sin(2 * .pi * Double(f) / 60)
            #expect(abs((out[f, .nose].x - Made.body(frames: 1)[0, .nose].x) - slow) < 1.5, "frame \(f)")
        }
    }

    @Test func filtersRespectJointsFramesAndLockedPoints() throws {
        var rng = SplitMix64(seed: 4)
        var s = Made.body(frames: 30)
        for f in s.frames { for j in Joint.allCases { s[f, j].x += Double.random(in: -5...5, using: &rng) } }
        s[10, .rWrist].isPinned = true
        s[12, .rWrist].provenance = .edited
        let p = Cleanup.filter(s, .gaussian(sigma: 2), joints: [.rWrist, .lWrist], frames: 5..<20)
        let frames = p.frames, joints = p.joints
        #expect(frames.allSatisfy { (5..<20).contains($0) })
        #expect(joints == [.rWrist, .lWrist])
        #expect(!p.changes.contains { ($0.frame == 10 || $0.frame == 12) && $0.joint == .rWrist }, "pinned and hand-edited points never move")
    }

    @Test func parametersAreChecked() {
        #expect(SmoothingFilter.median(window: 4).problem(fps: 30) != nil)
        #expect(SmoothingFilter.butterworth(cutoffHz: 20, order: 4).problem(fps: 30) != nil)
        #expect(SmoothingFilter.savitzkyGolay(window: 5, order: 5).problem(fps: 30) != nil)
        #expect(SmoothingFilter.oneEuro(minCutoff: 1, beta: 0.007).problem(fps: 30) == nil)
    }

    @Test(arguments: [1, 2, 3])
    func tinySequencesDoNotBreakAnything(_ frames: Int) throws {
        var s = Made.body(frames: frames) { t in (Double(t) * 40, 0) }
        s[0, .nose] = .missing
        for filter in Self.filters { _ = try Made.applied(s, Cleanup.filter(s, filter)) }
        _ = try Made.applied(s, Cleanup.auto(s))
        _ = try Made.applied(s, Cleanup.fillGaps(s, maxGap: 5))
        _ = Detect.suspects(in: s)
        _ = Cleanup.fixSwaps(s)
    }
}

@Suite struct InterpolationTests {
    @Test func gapsAreFilledLinearlyAndCubicallyUpToTheMaximum() throws {
        var s = Made.body(frames: 30) { t in (4 * Double(t), 0) }
        let truth = s
        for f in 10..<14 { s[f, .rKnee] = .missing }        // 4-frame gap
        for f in 20..<27 { s[f, .lKnee] = .missing }        // 7-frame gap
        s[0, .neck] = .missing                              // edge: no anchor before
        for method in GapMethod.allCases {
            let out = try Made.applied(s, Cleanup.fillGaps(s, maxGap: 5, method: method))
            for f in 10..<14 {
                #expect(!out[f, .rKnee].isMissing && out[f, .rKnee].provenance == .interpolated)
                #expect(abs(out[f, .rKnee].x - truth[f, .rKnee].x) < 1e-9, "a ramp is interpolated exactly (\(method))")
            }
            #expect(out[22, .lKnee].isMissing, "longer than --max-gap: left alone")
            #expect(out[0, .neck].isMissing, "an edge gap has nothing to interpolate from")
        }
    }

    @Test func cubicFollowsACurveBetterThanLinear() throws {
        var s = Made.body(frames: 40) { t in (0, 200 * sin(Double(t) / 8)) }
        let truth = s
        for f in 15..<21 { s[f, .nose] = .missing }
        let linear = try Made.applied(s, Cleanup.fillGaps(s, maxGap: 10, method: .linear))
        let cubic = try Made.applied(s, Cleanup.fillGaps(s, maxGap: 10, method: .cubic))
        let error = { (q: PoseSequence) in (15..<21).map { abs(q[$0, .nose].y - truth[$0, .nose].y) }.reduce(0, +) }
        #expect(error(cubic) < 0.5 * error(linear))
    }
}

@Suite struct DetectorTests {
    @Test func aSpikeIsFoundAndFixedByInterpolation() throws {
        var s = Made.body(frames: 40) { t in (3 * Double(t), 0) }
        let truth = s
        s[17, .rWrist].x += 150
        let queue = Detect.suspects(in: s)
        let top = try #require(queue.first)
        #expect(top.kind == .spike && top.frame == 17 && top.joints == [.rWrist])
        #expect(top.score > 0.5 && top.score < 1)
        let fixed = try Made.applied(s, try #require(Cleanup.fix(top, in: s)))
        #expect(abs(fixed[17, .rWrist].x - truth[17, .rWrist].x) < 1e-6)
        #expect(fixed[17, .rWrist].provenance == .interpolated)
        #expect(Detect.suspects(in: fixed, kinds: [.spike]).isEmpty)
    }

    @Test func fastRealMotionIsNotFlagged() throws {
        // A wrist sweeping 60 px per frame with smooth acceleration: no spike, no jump.
        let s = Made.body(frames: 60) { t in (200 * sin(Double(t) / 5), 0) }
        #expect(Detect.suspects(in: s, kinds: [.spike, .jump, .swap]).isEmpty)
    }

    @Test func aSwapIsDetectedAndFixedAndFixingTwiceIsANoOp() throws {
        var s = Made.body(frames: 40) { t in (2 * Double(t), Double(t)) }
        let truth = s
        for f in 12..<18 {
            for r in [Joint.rShoulder, .rElbow, .rWrist] {
                let a = s[f, r]
                s[f, r] = s[f, r.mirrored]
                s[f, r.mirrored] = a
            }
        }
        let swaps = Detect.suspects(in: s, kinds: [.swap])
        #expect(swaps.count == 1)
        #expect(swaps.first?.frames == 12..<18)
        #expect(Set(swaps.first?.joints ?? []) == [.rShoulder, .lShoulder, .rElbow, .lElbow, .rWrist, .lWrist])
        let fixed = try Made.applied(s, Cleanup.fixSwaps(s))
        for f in s.frames { for j in Joint.allCases { #expect(fixed[f, j].x == truth[f, j].x && fixed[f, j].y == truth[f, j].y) } }
        let again = Cleanup.fixSwaps(fixed)
        #expect(again.isEmpty, "a swap detected and fixed twice is a no-op")
    }

    @Test func theOtherKindsAreReported() throws {
        var s = Made.body(frames: 30) { t in (Double(t), 0) }
        s[5, .lKnee].confidence = 0.1
        s[6, .lKnee].confidence = 0.2
        for f in 8..<11 { s[f, .rAnkle] = .missing }
        for j in Joint.allCases { s[20, j] = .missing }
        // A bone stretched for good (a jump that stays): the wrist moves 200 px from frame 25 on.
        for f in 25..<30 { s[f, .lWrist].x += 200 }
        let queue = Detect.suspects(in: s)
        let kinds = Set(queue.map(\.kind))
        #expect(kinds.isSuperset(of: [.lowConfidence, .missing, .missingFrame, .jump, .boneLength]))
        let low = try #require(queue.first { $0.kind == .lowConfidence })
        #expect(low.frames == 5..<7 && low.joints == [.lKnee])
        #expect(queue.first { $0.kind == .missing }?.frames == 8..<11)
        #expect(queue.first { $0.kind == .missingFrame }?.frame == 20)
        #expect(queue.first { $0.kind == .jump }?.frame == 25)
        #expect(zip(queue, queue.dropFirst()).allSatisfy { $0.score >= $1.score }, "sorted by score")
    }

    @Test func aConfidentJumpOntoAnotherBodyPartIsASnap() throws {
        var s = Made.body(frames: 30)
        // The right ankle snaps onto the left wrist for frames 10–12, confidence rising.
        for f in 10..<13 {
            s[f, .rAnkle].x = s[f, .lWrist].x + 2
            s[f, .rAnkle].y = s[f, .lWrist].y + 3
            s[f, .rAnkle].confidence = 0.97
        }
        let snap = try #require(Detect.suspects(in: s, kinds: [.snap]).first)
        #expect(snap.joints == [.rAnkle] && snap.frames == 10..<13)
        #expect(snap.reason.contains("LWrist"))
    }
}

@Suite struct AutoCleanTests {
    @Test func autoNeverMovesLockedPointsAndUndoIsBitIdentical() throws {
        var rng = SplitMix64(seed: 9)
        var s = Made.body(frames: 50) { t in (4 * Double(t), 0) }
        for f in s.frames { for j in Joint.allCases { s[f, j].x += Double.random(in: -4...4, using: &rng) } }
        s[20, .rWrist].x += 180                      // a spike…
        s[20, .rWrist].isPinned = true               // …that the user pinned: it stays
        s[30, .lKnee].x += 150
        s[30, .lKnee].provenance = .edited           // hand-edited: stays
        for f in 40..<43 { s[f, .nose] = .missing }
        let p = Cleanup.auto(s)
        #expect(!p.changes.contains { ($0.frame == 20 && $0.joint == .rWrist) || ($0.frame == 30 && $0.joint == .lKnee) })
        var cleaned = s
        let inverse = try cleaned.apply(p.edit)
        #expect(cleaned[20, .rWrist] == s[20, .rWrist] && cleaned[30, .lKnee] == s[30, .lKnee])
        #expect(!cleaned[41, .nose].isMissing && cleaned[41, .nose].provenance == .interpolated)
        try cleaned.apply(inverse)
        #expect(cleaned == s)
    }
}
