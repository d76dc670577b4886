// `posestudio bench cleanup`: the cleanup quality benchmark. Ground truth = heavy zero-phase
// smoothing of a real sequence; it is corrupted with a fixed seed (jitter σ = 1 % of body height,
// spikes on 2 % of points at 10–30 % of body height, dropouts of 5 % of points in gaps of 1–8
// frames, 3 left/right swaps of 2–10 frames on an arm or a leg) and every method is scored
// against the truth. Also times `--auto` on 10,000 frames.
import ArgumentParser
import Foundation
import PoseKit
import ProjectStore

struct CleanupBench: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "cleanup",
        abstract: "Score detectors, filters and --auto against a corrupted ground truth; time --auto on 10,000 frames.")

    @Option(help: "OpenPose directory of the real sequence.") var poses = "Projects/pose2sim-demo/cam01_keypoints"
    @Option(help: "Its frame rate.") var fps = 60.0
    @Option(help: "Seeds, comma-separated.") var seeds = (1...16).map(String.init).joined(separator: ",")
    @Option(help: "Frames for the speed run.") var frames = 10_000
    @Option(help: "Timed runs of --auto.") var runs = 7
    @Flag(help: "List injected and detected swaps, missed and false spikes, per seed.") var details = false

    func run() throws {
        let seedList = seeds.split(separator: ",").compactMap { UInt64($0) }
        guard !seedList.isEmpty else { throw ValidationError("--seeds needs at least one number") }
        let imported = try OpenPoseFormat.readDirectory(poses)
        let real = imported.sequence(fps: fps, frameSize: FrameSize(width: 1080, height: 1920))
        let truth = try Corruption.groundTruth(real)
        let h = truth.bodyHeight
        Console.out("ground truth: \(truth.frameCount) frames from \(poses), Butterworth 3 Hz order 4 zero-phase; body height \(Int(h)) px")
        Console.out("error = mean distance to the truth over present points, px (coverage = share of points present)")
        Console.out("")
        Console.out(Text.pad("seed", 6) + Text.pad("corrupted", 16) + Text.pad("median 5", 16) + Text.pad("One Euro", 16)
                    + Text.pad("Butterworth", 16) + Text.pad("auto", 16) + Text.pad("auto/best", 10)
                    + Text.pad("spikes R / FP", 16) + "swaps found / FP")
        var missed: [UInt64] = []
        for seed in seedList {
            var rng = SplitMix64(seed: seed)
            let corrupted = Corruption.corrupt(truth, rng: &rng)
            func score(_ proposal: Proposal?) throws -> (Double, Double) {
                var s = corrupted.sequence
                if let proposal { try s.apply(proposal.edit) }
                return Corruption.error(s, truth)
            }
            let base = try score(nil)
            let median = try score(Cleanup.filter(corrupted.sequence, .median(window: 5), weighted: false))
            let euro = try score(Cleanup.filter(corrupted.sequence, .oneEuro(minCutoff: 1.0, beta: 0.007)))
            let butter = try score(Cleanup.filter(corrupted.sequence, .butterworth(cutoffHz: 6, order: 4)))
            let auto = try score(Cleanup.auto(corrupted.sequence))
            let best = min(median.0, euro.0, butter.0)
            let detection = Corruption.detection(corrupted, details: details)
            let met = auto.0 <= 0.5 * best && detection.spikeRecall >= 0.95 && detection.spikeFalse <= 0.05
                && detection.swapsFound == detection.swapsInjected && detection.swapFalse <= 0.05
            if !met { missed.append(seed) }
            func cell(_ e: (Double, Double)) -> String { Text.pad(String(format: "%.2f (%.0f%%)", e.0, e.1 * 100), 16) }
            Console.out(Text.pad(String(seed), 6) + cell(base) + cell(median) + cell(euro) + cell(butter) + cell(auto)
                        + Text.pad(String(format: "%.2f", auto.0 / best), 10)
                        + Text.pad(String(format: "%.1f%% / %.1f%%", detection.spikeRecall * 100, detection.spikeFalse * 100), 16)
                        + "\(detection.swapsFound)/\(detection.swapsInjected) / " + String(format: "%.1f%%", detection.swapFalse * 100)
                        + (met ? "" : "  MISSED"))
        }
        Console.out("targets (auto ≤ 0.5× best single filter, spike recall ≥ 95 %, all swaps, ≤ 5 % false positives): "
                    + "met on \(seedList.count - missed.count) of \(seedList.count) seeds"
                    + (missed.isEmpty ? "" : " (missed: \(missed.map(String.init).joined(separator: ", ")))"))

        // Speed: the ground truth tiled back and forth to `frames`, corrupted with the first seed.
        var long: [[Keypoint]] = []
        while long.count < frames {
            let forward = long.count / truth.frameCount % 2 == 0
            let i = long.count % truth.frameCount
            long.append(truth.pose(at: forward ? i : truth.frameCount - 1 - i))
        }
        var rng = SplitMix64(seed: seedList[0])
        let big = Corruption.corrupt(PoseSequence(fps: fps, frameSize: truth.frameSize, frames: long), rng: &rng).sequence
        var times: [Double] = []
        var changed = 0
        for _ in 0..<runs {
            let start = ContinuousClock.now
            changed = Cleanup.auto(big).changes.count
            times.append(start.elapsedMS)
        }
        Console.out("")
        Console.out(Stats.line("auto on \(frames) frames × 25 joints (\(changed) points changed)", times, target: 200))
    }
}

/// The benchmark's corruption model and scores.
enum Corruption {
    struct Corrupted {
        var sequence: PoseSequence
        var truth: PoseSequence
        /// Injected spikes still present after dropouts: frame × 25 + joint.
        var spikes: Set<Int>
        var swaps: [(frames: Range<Int>, pairs: [Joint])]
    }

    static func groundTruth(_ real: PoseSequence) throws -> PoseSequence {
        guard case let .replacePoints(points) = Cleanup.filter(real, .butterworth(cutoffHz: 3, order: 4), weighted: false).edit else { return real }
        var truth = real
        try truth.apply(.replacePoints(points.map { p in
            var k = p.keypoint
            k.provenance = .raw
            return PointValue(frame: p.frame, joint: p.joint, keypoint: k)
        }))
        return truth
    }

    static func corrupt(_ truth: PoseSequence, rng: inout SplitMix64) -> Corrupted {
        let h = truth.bodyHeight, t = truth.frameCount
        var s = truth
        for f in 0..<t {
            for j in Joint.allCases where !s[f, j].isMissing {
                s[f, j].x += gaussian(&rng) * 0.01 * h
                s[f, j].y += gaussian(&rng) * 0.01 * h
            }
        }
        // Swaps: 3 non-overlapping ranges of 2–10 frames on a random arm or leg.
        var swaps: [(frames: Range<Int>, pairs: [Joint])] = []
        let chains: [[Joint]] = [[.rShoulder, .rElbow, .rWrist], [.rHip, .rKnee, .rAnkle, .rBigToe, .rSmallToe, .rHeel]]
        var attempts = 0
        while swaps.count < 3 && attempts < 1000 {
            attempts += 1
            let length = Int.random(in: 2...10, using: &rng)
            guard t > length + 2 else { break }
            let start = Int.random(in: 1..<(t - length - 1), using: &rng)
            let range = start..<(start + length)
            if swaps.contains(where: { $0.frames.lowerBound - 3 < range.upperBound && range.lowerBound < $0.frames.upperBound + 3 }) { continue }
            let pairs = chains.randomElement(using: &rng)!
            for f in range {
                for r in pairs { s.exchange(r, r.mirrored, at: f) }
            }
            swaps.append((range, pairs))
        }
        // Spikes on 2 % of the points.
        var spikes = Set<Int>()
        let target = max(1, Int((Double(t * 25) * 0.02).rounded()))
        while spikes.count < target {
            let index = Int.random(in: 0..<(t * 25), using: &rng)
            guard spikes.insert(index).inserted else { continue }
            let f = index / 25, j = Joint(rawValue: index % 25)!
            let r = Double.random(in: 0.1...0.3, using: &rng) * h, angle = Double.random(in: 0..<(2 * Double.pi), using: &rng)
            s[f, j].x += r * cos(angle)
            s[f, j].y += r * sin(angle)
        }
        // Dropouts: 5 % of the points, in gaps of 1–8 frames.
        var dropped = 0
        let dropTarget = Int((Double(t * 25) * 0.05).rounded())
        while dropped < dropTarget {
            let j = Joint.allCases.randomElement(using: &rng)!
            let length = Int.random(in: 1...8, using: &rng), start = Int.random(in: 0..<t, using: &rng)
            for f in start..<min(t, start + length) where !s[f, j].isMissing {
                s[f, j].isMissing = true
                spikes.remove(f * 25 + j.rawValue)
                dropped += 1
            }
        }
        return Corrupted(sequence: s, truth: truth, spikes: spikes, swaps: swaps)
    }

    /// Mean distance to the truth over the points present in `s`, and the share present.
    static func error(_ s: PoseSequence, _ truth: PoseSequence) -> (Double, Double) {
        var total = 0.0, count = 0
        for f in s.frames {
            for j in Joint.allCases where !s[f, j].isMissing {
                total += hypot(s[f, j].x - truth[f, j].x, s[f, j].y - truth[f, j].y)
                count += 1
            }
        }
        return (count == 0 ? 0 : total / Double(count), Double(count) / Double(max(1, s.keypoints.count)))
    }

    struct Detection {
        var spikeRecall: Double
        var spikeFalse: Double
        var swapsFound: Int
        var swapsInjected: Int
        var swapFalse: Double
    }

    static func detection(_ c: Corrupted, details: Bool) -> Detection {
        let queue = Detect.suspects(in: c.sequence, kinds: [.spike, .swap])
        let spikes = Set(queue.filter { $0.kind == .spike }.flatMap { s in s.joints.map { s.frame * 25 + $0.rawValue } })
        let swapSuspects = queue.filter { $0.kind == .swap }
        func matches(_ s: Suspect, _ injected: (frames: Range<Int>, pairs: [Joint])) -> Bool {
            s.frames.overlaps(injected.frames) && !Set(s.joints).isDisjoint(with: injected.pairs.flatMap { [$0, $0.mirrored] })
        }
        if details {
            for w in c.swaps { Console.out("  injected swap \(w.frames.lowerBound):\(w.frames.upperBound) \(w.pairs.map(\.name).joined(separator: ","))") }
            for s in swapSuspects { Console.out("  detected swap \(s.frames.lowerBound):\(s.frames.upperBound) \(s.joints.map(\.name).joined(separator: ","))") }
            for index in c.spikes.subtracting(spikes).sorted() {
                Console.out("  missed spike: frame \(index / 25) \(Joint(rawValue: index % 25)!.name)")
            }
            for index in spikes.subtracting(c.spikes).sorted() {
                Console.out("  false spike: frame \(index / 25) \(Joint(rawValue: index % 25)!.name)")
            }
        }
        let found = c.swaps.filter { injected in swapSuspects.contains { matches($0, injected) } }.count
        let falseSwaps = swapSuspects.filter { s in !c.swaps.contains { matches(s, $0) } }.count
        return Detection(
            spikeRecall: c.spikes.isEmpty ? 1 : Double(spikes.intersection(c.spikes).count) / Double(c.spikes.count),
            spikeFalse: spikes.isEmpty ? 0 : Double(spikes.subtracting(c.spikes).count) / Double(spikes.count),
            swapsFound: found, swapsInjected: c.swaps.count,
            swapFalse: swapSuspects.isEmpty ? 0 : Double(falseSwaps) / Double(swapSuspects.count))
    }

    /// Standard normal sample (Box–Muller).
    static func gaussian(_ rng: inout SplitMix64) -> Double {
        let u1 = Double.random(in: Double.ulpOfOne..<1, using: &rng), u2 = Double.random(in: 0..<1, using: &rng)
        return (-2 * log(u1)).squareRoot() * cos(2 * Double.pi * u2)
    }
}
