// The cleanup queue: every detector over a sequence, merged into one list sorted by score.
// Spikes are found first and left out of the later detectors' inputs; swaps next, undone on a
// private copy for the rest; so one error is reported once, by the detector that explains it.
import Foundation

public enum Detect {
    /// All suspects, highest score first (ties: earlier frame first).
    public static func suspects(in sequence: PoseSequence, kinds: Set<SuspectKind> = Set(SuspectKind.allCases),
                                settings: DetectorSettings = DetectorSettings()) -> [Suspect] {
        guard sequence.frameCount > 0 else { return [] }
        let analysis = Analysis(sequence, settings: settings)
        var found: [Suspect] = []
        if kinds.contains(.swap) { found += analysis.swapSuspects }
        if kinds.contains(.spike) { found += analysis.spikeSuspects }
        if kinds.contains(.snap) || kinds.contains(.jump) { found += analysis.jumpAndSnapSuspects.filter { kinds.contains($0.kind) } }
        if kinds.contains(.boneLength) { found += analysis.boneSuspects }
        if kinds.contains(.lowConfidence) { found += analysis.lowConfidenceSuspects }
        if kinds.contains(.missing) || kinds.contains(.missingFrame) { found += analysis.missingSuspects.filter { kinds.contains($0.kind) } }
        return found.sorted { $0.score != $1.score ? $0.score > $1.score : ($0.frame, $0.kind.rawValue) < ($1.frame, $1.kind.rawValue) }
    }
}

/// One pass of analysis over a sequence, shared by the queue and the automatic clean-up.
/// Order: spike candidates on the file's labels (left out of the swap search only) → swaps → on a
/// copy with the swaps undone, where every trajectory is one body part: spikes, then the other
/// detectors with the spikes left out.
struct Analysis {
    let original: PoseSequence
    let settings: DetectorSettings
    let bodyHeight: Double
    /// spikes[joint] = the frames flagged as spikes, with ratio and residual (px), in file labels.
    let spikes: [Joint: [Int: (ratio: Double, residual: Double)]]
    let swaps: [SwapRun]
    /// The sequence with detected swaps undone (every point of the pair, locked or not).
    let unswapped: PoseSequence
    /// relabelled[frame × 25 + joint]: a detected swap relabels this point.
    let relabelled: [Bool]

    init(_ sequence: PoseSequence, settings: DetectorSettings) {
        original = sequence
        self.settings = settings
        bodyHeight = sequence.bodyHeight
        var withoutSpikes = sequence
        for joint in Joint.allCases {
            let candidates = SpikeDetector.spikes(Track(sequence, joint), bodyHeight: bodyHeight, settings: settings, thorough: false)
            for frame in candidates.keys { withoutSpikes[frame, joint].isMissing = true }
        }
        swaps = SwapDetector.runs(in: withoutSpikes, bodyHeight: bodyHeight, settings: settings)
        var unswapped = sequence
        var relabelled = [Bool](repeating: false, count: sequence.keypoints.count)
        for run in swaps {
            for frame in run.frames {
                relabelled[frame * BODY25.jointCount + run.right.rawValue] = true
                relabelled[frame * BODY25.jointCount + run.left.rawValue] = true
                unswapped.exchange(run.right, run.left, at: frame)
            }
        }
        self.unswapped = unswapped
        self.relabelled = relabelled

        // Spikes proper, judged on the unswapped copy and reported in file labels.
        var spikes: [Joint: [Int: (ratio: Double, residual: Double)]] = [:]
        for joint in Joint.allCases {
            let found = SpikeDetector.spikes(Track(unswapped, joint), bodyHeight: bodyHeight, settings: settings, thorough: true)
            for (frame, value) in found { spikes[Self.label(joint, frame, relabelled), default: [:]][frame] = value }
        }
        self.spikes = spikes
    }

    /// The file's label for what `unswapped` calls `joint` at `frame`, and back (an involution).
    func fileLabel(_ joint: Joint, _ frame: Int) -> Joint { Self.label(joint, frame, relabelled) }

    private static func label(_ joint: Joint, _ frame: Int, _ relabelled: [Bool]) -> Joint {
        relabelled[frame * BODY25.jointCount + joint.rawValue] ? joint.mirrored : joint
    }

    /// Whether the point `unswapped` calls `joint` at `frame` is a spike.
    func isSpike(_ frame: Int, _ joint: Joint) -> Bool { spikes[fileLabel(joint, frame)]?[frame] != nil }

    var swapSuspects: [Suspect] {
        // Pairs swapped over the same frames are one suspect (a whole arm or leg, say).
        let grouped = Dictionary(grouping: swaps, by: { $0.frames })
        return grouped.map { frames, runs in
            let joints = runs.flatMap { [$0.right, $0.left] }
            let ratio = runs.map(\.ratio).max()!
            let names = runs.map { "\($0.right.name)/\($0.left.name)" }.joined(separator: ", ")
            return Suspect(frames: frames, joints: joints, kind: .swap, ratio: ratio,
                           reason: "\(names) labelled the other way round for \(frames.count) frame(s): swapping them back makes the motion smoother")
        }
    }

    var spikeSuspects: [Suspect] {
        spikes.flatMap { joint, frames in
            frames.map { frame, value in
                Suspect(frames: frame..<(frame + 1), joints: [joint], kind: .spike, ratio: value.ratio,
                        reason: "\(joint.name) is \(Int(value.residual.rounded())) px from where its neighbours put it "
                            + "(\(Self.percent(value.residual / bodyHeight)) of body height) and comes back")
            }
        }
    }

    /// Jumps (steps far above the joint's local motion that do not come back) and snaps (such a
    /// step, at high confidence, that lands on another body part).
    var jumpAndSnapSuspects: [Suspect] {
        var found: [Suspect] = []
        let h = bodyHeight
        for joint in Joint.allCases {
            let track = Track(unswapped, joint)
            let n = track.count
            let usable = (0..<n).map { track.present[$0] && !isSpike($0, joint) }
            var steps = [Double?](repeating: nil, count: n)
            for i in 1..<max(n, 1) where usable[i] && usable[i - 1] { steps[i] = track.distance(i, i - 1) }
            for i in 1..<max(n, 1) {
                // The body-size floor first: most steps are below it, and the local median is dearer.
                guard let step = steps[i], step > settings.jumpFraction * h else { continue }
                let local = Robust.median((max(1, i - 5)...min(n - 1, i + 5)).compactMap { $0 == i ? nil : steps[$0] })
                let threshold = max(settings.jumpLocalMultiple * local, settings.jumpFraction * h)
                guard step > threshold else { continue }
                if let target = snapTarget(joint, at: i, track: track) {
                    let c0 = track.confidence[i - 1], c1 = track.confidence[i]
                    found.append(Suspect(frames: snapSpan(joint, from: i, onto: target), joints: [fileLabel(joint, i)], kind: .snap, ratio: step / threshold,
                                         reason: "\(fileLabel(joint, i).name) jumped \(Int(step.rounded())) px onto \(target.name) with confidence "
                                             + String(format: "%.2f → %.2f", c0, c1)))
                } else {
                    found.append(Suspect(frames: i..<(i + 1), joints: [fileLabel(joint, i)], kind: .jump, ratio: step / threshold,
                                         reason: "\(fileLabel(joint, i).name) moved \(Int(step.rounded())) px in one frame, "
                                             + "\(String(format: "%.1f", step / max(local, 1e-9)))× its usual step here, and stays"))
                }
            }
        }
        return found
    }

    /// The body part a high-confidence jump landed on, if any: another present, non-adjacent joint
    /// within `snapDistance` that the point was not already next to.
    private func snapTarget(_ joint: Joint, at i: Int, track: Track) -> Joint? {
        guard track.confidence[i] >= 0.5, track.confidence[i] >= track.confidence[i - 1] - 0.05 else { return nil }
        let near = settings.snapDistance * bodyHeight
        var best: (Joint, Double)?
        for other in Joint.allCases where other != joint && !Skeleton.adjacent(joint, other) {
            let now = unswapped[i, other], before = unswapped[i - 1, other]
            guard !now.isMissing, !before.isMissing, !isSpike(i, other) else { continue }
            let d = length(now.x - track.x[i], now.y - track.y[i])
            let wasApart = length(before.x - track.x[i - 1], before.y - track.y[i - 1]) > 2.5 * near
            if d < near, wasApart, d < best?.1 ?? .infinity { best = (other, d) }
        }
        return best?.0
    }

    /// The frames a snap lasts: from its first frame while the point stays on the other part (≤ 1 s).
    private func snapSpan(_ joint: Joint, from i: Int, onto other: Joint) -> Range<Int> {
        let near = 1.5 * settings.snapDistance * bodyHeight
        var end = i + 1
        let limit = min(unswapped.frameCount, i + max(Int(unswapped.fps.rounded()), 1))
        while end < limit {
            let p = unswapped[end, joint], q = unswapped[end, other]
            guard !p.isMissing, !q.isMissing, length(p.x - q.x, p.y - q.y) < near else { break }
            end += 1
        }
        return i..<end
    }

    var boneSuspects: [Suspect] {
        var found: [Suspect] = []
        for (a, b) in Skeleton.measuredBones {
            var lengths = [Double?](repeating: nil, count: unswapped.frameCount)
            for f in unswapped.frames {
                let p = unswapped[f, a], q = unswapped[f, b]
                if !p.isMissing && !q.isMissing && !isSpike(f, a) && !isSpike(f, b) { lengths[f] = length(p.x - q.x, p.y - q.y) }
            }
            let median = Robust.median(lengths.compactMap { $0 })
            guard median > 0.02 * bodyHeight else { continue }
            let limit = settings.boneStretch * median
            for (f, length) in lengths.enumerated() {
                guard let length, length > limit else { continue }
                found.append(Suspect(frames: f..<(f + 1), joints: [fileLabel(a, f), fileLabel(b, f)], kind: .boneLength, ratio: length / limit,
                                     reason: "\(a.name)–\(b.name) is \(Int(length.rounded())) px, "
                                         + "\(String(format: "%.1f", length / median))× its median \(Int(median.rounded())) px"))
            }
        }
        return found
    }

    var lowConfidenceSuspects: [Suspect] {
        var found: [Suspect] = []
        for joint in Joint.allCases {
            let low = { (f: Int) in !original[f, joint].isMissing && original[f, joint].confidence < settings.lowConfidence }
            for run in Self.runs(original.frames, low) {
                let lowest = run.map { original[$0, joint].confidence }.min()!
                found.append(Suspect(frames: run, joints: [joint], kind: .lowConfidence,
                                     ratio: settings.lowConfidence / max(lowest, 0.01),
                                     reason: "\(joint.name) confidence " + String(format: "%.2f", lowest)
                                         + " (below \(settings.lowConfidence))" + (run.count > 1 ? " over \(run.count) frames" : "")))
            }
        }
        return found
    }

    var missingSuspects: [Suspect] {
        let emptyFrame = original.frames.map { f in Joint.allCases.allSatisfy { original[f, $0].isMissing } }
        var found = Self.runs(original.frames) { emptyFrame[$0] }.map { run in
            Suspect(frames: run, joints: Joint.allCases, kind: .missingFrame, ratio: 1 + Double(run.count) / 2,
                    reason: run.count == 1 ? "no keypoints in frame \(run.lowerBound)"
                        : "no keypoints in \(run.count) frames (\(run.lowerBound)–\(run.upperBound - 1))")
        }
        for joint in Joint.allCases {
            for run in Self.runs(original.frames, { !emptyFrame[$0] && original[$0, joint].isMissing }) {
                found.append(Suspect(frames: run, joints: [joint], kind: .missing, ratio: 1 + Double(run.count) / 4,
                                     reason: "\(joint.name) missing" + (run.count == 1 ? "" : " for \(run.count) frames (\(run.lowerBound)–\(run.upperBound - 1))")))
            }
        }
        return found
    }

    /// Maximal runs of consecutive frames satisfying `test`.
    static func runs(_ frames: Range<Int>, _ test: (Int) -> Bool) -> [Range<Int>] {
        var result: [Range<Int>] = []
        var start: Int?
        for f in frames {
            if test(f) { start = start ?? f } else if let s = start { result.append(s..<f); start = nil }
        }
        if let s = start { result.append(s..<frames.upperBound) }
        return result
    }

    static func percent(_ fraction: Double) -> String { "\(Int((fraction * 100).rounded())) %" }
}

enum Skeleton {
    static let adjacency: Set<[Int]> = Set(BODY25.limbs.flatMap { [[$0.0.rawValue, $0.1.rawValue], [$0.1.rawValue, $0.0.rawValue]] })
    static func adjacent(_ a: Joint, _ b: Joint) -> Bool { adjacency.contains([a.rawValue, b.rawValue]) }

    /// Bones whose length is stable enough to judge: torso, arms, legs (not the face or the toes).
    static let measuredBones: [(Joint, Joint)] = [
        (.neck, .midHip), (.neck, .rShoulder), (.neck, .lShoulder), (.rShoulder, .rElbow), (.rElbow, .rWrist),
        (.lShoulder, .lElbow), (.lElbow, .lWrist), (.midHip, .rHip), (.midHip, .lHip), (.rHip, .rKnee),
        (.rKnee, .rAnkle), (.lHip, .lKnee), (.lKnee, .lAnkle),
    ]
}
