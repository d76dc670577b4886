// Fixes and filters as proposals: pure functions from a sequence to a `Proposal` (a bulk edit not
// yet applied). Rules for all of them: locked points (pinned or edited by hand) are read but never
// written; provenance says what happened (interpolated, filtered); the result is one journal entry.

public struct AutoCleanSettings: Hashable, Sendable {
    public var detectors = DetectorSettings()
    /// Longest gap of missing frames filled, in seconds (at least 8 frames).
    public var maxGapSeconds = 0.2
    /// Smoothing window in seconds (Savitzky–Golay, order 2, at least 5 frames): light enough to
    /// keep a fast arm swing, long enough to take the detector's jitter out.
    public var smoothingSeconds = 0.15
    public init() {}
}

public enum Cleanup {
    /// Smooths the chosen joints over `frames` (default: all). Points outside the range are used as
    /// context but not changed. Smoothed raw/fitted points become filtered; interpolated stay so.
    public static func filter(_ sequence: PoseSequence, _ filter: SmoothingFilter, joints: [Joint] = Joint.allCases,
                              frames: Range<Int>? = nil, weighted: Bool = true) -> Proposal {
        var work = sequence
        smooth(&work, filter, joints: joints, frames: frames ?? sequence.frames, weighted: weighted)
        return Proposal(from: sequence, to: work, label: filter.description)
    }

    /// Fills runs of missing frames no longer than `maxGap` that have present points on both sides.
    public static func fillGaps(_ sequence: PoseSequence, maxGap: Int, method: GapMethod = .cubic,
                                joints: [Joint] = Joint.allCases, frames: Range<Int>? = nil) -> Proposal {
        var work = sequence
        let range = frames ?? sequence.frames
        for joint in Set(joints) {
            let holes = sequence.frames.map { range.contains($0) && sequence[$0, joint].isMissing }
            Interpolation.fill(&work, joint: joint, holes: holes, method: method, maxRun: maxGap)
        }
        return Proposal(from: sequence, to: work, label: "fill gaps ≤ \(maxGap) frames (\(method.rawValue))")
    }

    /// Replaces the given frames of the given joints by interpolation from their neighbours.
    public static func interpolate(_ sequence: PoseSequence, joints: [Joint], frames: Range<Int>,
                                   method: GapMethod = .cubic) -> Proposal {
        var work = sequence
        for joint in Set(joints) {
            Interpolation.fill(&work, joint: joint, holes: Set(frames.clamped(to: sequence.frames)), method: method, hold: true)
        }
        return Proposal(from: sequence, to: work, label: "interpolate \(joints.map(\.name).joined(separator: ",")) over \(frames.lowerBound):\(frames.upperBound)")
    }

    /// Detects every left/right swap and swaps the pairs back.
    public static func fixSwaps(_ sequence: PoseSequence, settings: DetectorSettings = DetectorSettings()) -> Proposal {
        var work = sequence
        let analysis = Analysis(sequence, settings: settings)
        let count = undoSwaps(&work, analysis.swaps)
        return Proposal(from: sequence, to: work, label: "fix \(count) left/right swap\(count == 1 ? "" : "s")")
    }

    /// The suggested fix for one queue entry; nil when its kind has none (a missing point at an
    /// end of the sequence, say).
    public static func fix(_ suspect: Suspect, in sequence: PoseSequence, settings: DetectorSettings = DetectorSettings()) -> Proposal? {
        switch suspect.kind {
        case .swap:
            var work = sequence
            let pairs = suspect.joints.filter(BODY25.rightJoints.contains)
            let runs = pairs.map { SwapRun(right: $0, left: $0.mirrored, frames: suspect.frames, ratio: 1) }
            undoSwaps(&work, runs)
            return nonEmpty(Proposal(from: sequence, to: work, label: "swap back \(names(suspect.joints)) at \(span(suspect.frames))"))
        case .missing, .missingFrame:
            var work = sequence
            for joint in suspect.joints {
                Interpolation.fill(&work, joint: joint, holes: Set(suspect.frames), method: .cubic)
            }
            return nonEmpty(Proposal(from: sequence, to: work, label: "fill \(names(suspect.joints)) at \(span(suspect.frames))"))
        case .boneLength:
            // Replace the end of the bone that moved most into this frame.
            let frame = suspect.frame
            let moved = suspect.joints.max { step(sequence, $0, frame) < step(sequence, $1, frame) }!
            return nonEmpty(interpolate(sequence, joints: [moved], frames: suspect.frames))
        case .spike, .jump, .snap, .lowConfidence:
            return nonEmpty(interpolate(sequence, joints: suspect.joints, frames: suspect.frames))
        }
    }

    /// The one-keystroke clean-up: undo swaps → replace spikes and snaps by interpolation → fill
    /// gaps up to `maxGapSeconds` → light Savitzky–Golay smoothing. Jumps that stay are left alone:
    /// they are usually real fast motion.
    public static func auto(_ sequence: PoseSequence, settings: AutoCleanSettings = AutoCleanSettings()) -> Proposal {
        guard sequence.frameCount > 0 else { return Proposal(from: sequence, to: sequence, label: "auto-clean") }
        let analysis = Analysis(sequence, settings: settings.detectors)
        var work = sequence
        let swaps = undoSwaps(&work, analysis.swaps)

        // Suspects and spikes speak the file's labels; `work` has the swaps undone, like `unswapped`.
        var holes: [Joint: Set<Int>] = [:]
        for (joint, frames) in analysis.spikes {
            for frame in frames.keys { holes[analysis.fileLabel(joint, frame), default: []].insert(frame) }
        }
        for snap in analysis.jumpAndSnapSuspects where snap.kind == .snap {
            for frame in snap.frames { holes[analysis.fileLabel(snap.joints[0], frame), default: []].insert(frame) }
        }
        var replaced = 0
        for (joint, frames) in holes {
            replaced += Interpolation.fill(&work, joint: joint, holes: frames, method: .cubic, hold: true)
        }

        let fps = sequence.fps
        let maxGap = max(8, Int((settings.maxGapSeconds * fps).rounded()))
        var filled = 0
        for joint in Joint.allCases {
            let gaps = work.frames.map { work[$0, joint].isMissing }
            filled += Interpolation.fill(&work, joint: joint, holes: gaps, method: .cubic, maxRun: maxGap)
        }

        var window = max(5, Int((settings.smoothingSeconds * fps).rounded()))
        if window % 2 == 0 { window += 1 }
        smooth(&work, .savitzkyGolay(window: window, order: 2), joints: Joint.allCases, frames: work.frames, weighted: true)
        return Proposal(from: sequence, to: work,
                        label: "auto-clean (\(swaps) swap fix\(swaps == 1 ? "" : "es"), \(replaced) spike point\(replaced == 1 ? "" : "s") replaced, "
                            + "\(filled) gap point\(filled == 1 ? "" : "s") filled, Savitzky–Golay \(window),2)")
    }

    // MARK: shared steps

    static func smooth(_ work: inout PoseSequence, _ filter: SmoothingFilter, joints: [Joint], frames: Range<Int>, weighted: Bool) {
        let range = frames.clamped(to: work.frames)
        for joint in Set(joints) {
            let track = Track(work, joint)
            let weights = weighted ? track.confidence : [Double](repeating: 1, count: track.count)
            let (xs, ys) = filter.apply(x: track.x, y: track.y, weights: weights, present: track.present, fps: work.fps)
            for frame in range where track.present[frame] && !track.locked[frame] {
                guard xs[frame].isFinite, ys[frame].isFinite else { continue }
                var point = work[frame, joint]
                point.x = xs[frame]
                point.y = ys[frame]
                if point.provenance != .interpolated { point.provenance = .filtered }
                if point != work[frame, joint] { work[frame, joint] = point }
            }
        }
    }

    /// Swaps each run's pair back on its frames, except where either point is locked.
    /// - Returns: how many runs changed something.
    @discardableResult
    static func undoSwaps(_ work: inout PoseSequence, _ runs: [SwapRun]) -> Int {
        var changed = 0
        for run in runs {
            var any = false
            for frame in run.frames {
                let r = work[frame, run.right], l = work[frame, run.left]
                guard !r.isLocked, !l.isLocked else { continue }
                var newRight = l, newLeft = r
                if !newRight.isMissing { newRight.provenance = .filtered }
                if !newLeft.isMissing { newLeft.provenance = .filtered }
                work[frame, run.right] = newRight
                work[frame, run.left] = newLeft
                any = true
            }
            if any { changed += 1 }
        }
        return changed
    }

    private static func step(_ s: PoseSequence, _ joint: Joint, _ frame: Int) -> Double {
        guard frame > 0 else { return 0 }
        let a = s[frame - 1, joint], b = s[frame, joint]
        guard !a.isMissing, !b.isMissing else { return 0 }
        return length(a.x - b.x, a.y - b.y)
    }

    private static func nonEmpty(_ p: Proposal) -> Proposal? { p.isEmpty ? nil : p }
    private static func names(_ joints: [Joint]) -> String { joints.map(\.name).joined(separator: ",") }
    private static func span(_ frames: Range<Int>) -> String {
        frames.count == 1 ? "frame \(frames.lowerBound)" : "frames \(frames.lowerBound):\(frames.upperBound)"
    }
}
