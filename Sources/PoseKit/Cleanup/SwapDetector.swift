// Left/right swap detection: for each L/R pair, the labelling (as given, or swapped) of every frame
// that makes the motion smoothest, found exactly by dynamic programming (Viterbi over two states).
// Switching labels costs `swapSwitchCost` and each swapped frame `swapFrameCost`, so only swaps
// that remove clearly more motion than that are reported. Each joint's step counts at most a
// quarter of body height, so a spike on one point of a swapped pair does not split the swap.
// Runs of one frame are not reported: a one-frame flip is indistinguishable from two spikes.
import Foundation

struct SwapRun: Hashable {
    var right: Joint
    var left: Joint
    var frames: Range<Int>
    /// How far past the threshold (≥ 1): 1 + saved motion / switch cost.
    var ratio: Double
}

enum SwapDetector {
    static func runs(in s: PoseSequence, bodyHeight h: Double, settings: DetectorSettings) -> [SwapRun] {
        BODY25.leftRightPairs.flatMap { pair in runs(s, pair.right, pair.left, h, settings) }
    }

    private static func runs(_ s: PoseSequence, _ right: Joint, _ left: Joint, _ h: Double, _ settings: DetectorSettings) -> [SwapRun] {
        // Frames where at least one of the pair is seen; a missing point adds no motion.
        let observed = s.frames.filter { !s[$0, right].isMissing || !s[$0, left].isMissing }
        guard observed.count >= 2 else { return [] }
        let switchCost = settings.swapSwitchCost, frameCost = settings.swapFrameCost
        let motionCap = 0.25

        // Positions of the pair at the observed frames: index 0 = right label, 1 = left label.
        let xs = [observed.map { s[$0, right].x }, observed.map { s[$0, left].x }]
        let ys = [observed.map { s[$0, right].y }, observed.map { s[$0, left].y }]
        let seen = [observed.map { !s[$0, right].isMissing }, observed.map { !s[$0, left].isMissing }]
        /// Motion from observed frame k − 1 to k of both body parts under the given labellings.
        func motion(_ k: Int, _ previous: Bool, _ current: Bool) -> Double {
            var total = 0.0
            for side in 0...1 {
                let a = previous ? 1 - side : side, b = current ? 1 - side : side
                guard seen[a][k - 1], seen[b][k] else { continue }
                // Capped, so one spiked point cannot outweigh its pair's evidence.
                total += min(length(xs[b][k] - xs[a][k - 1], ys[b][k] - ys[a][k - 1]) / h, motionCap)
            }
            return total
        }

        // cost[k][state], state 0 = as labelled, 1 = swapped. Starting or ending swapped costs a
        // switch, as if the labels were right outside the sequence.
        var cost = [[0.0, switchCost + frameCost]]
        var from: [[Int]] = [[0, 0]]
        for k in 1..<observed.count {
            var row = [0.0, 0.0], back = [0, 0]
            for state in 0...1 {
                var best = Double.infinity, arg = 0
                for previous in 0...1 {
                    let c = cost[k - 1][previous] + motion(k, previous == 1, state == 1) + (state != previous ? switchCost : 0)
                    if c < best { best = c; arg = previous }
                }
                row[state] = best + (state == 1 ? frameCost : 0)
                back[state] = arg
            }
            cost.append(row)
            from.append(back)
        }
        let last = observed.count - 1
        var states = [Int](repeating: 0, count: observed.count)
        states[last] = cost[last][0] <= cost[last][1] + switchCost ? 0 : 1
        for k in stride(from: last, to: 0, by: -1) { states[k - 1] = from[k][states[k]] }

        // Each run of swapped frames, with the motion it saves against keeping the labels.
        var result: [SwapRun] = []
        var k = 0
        while k < observed.count {
            guard states[k] == 1 else { k += 1; continue }
            var end = k
            while end < last && states[end + 1] == 1 { end += 1 }
            let lo = max(k - 1, 0), hi = min(end + 1, last)
            func pathCost(_ swappedRun: Bool) -> Double {
                func state(_ j: Int) -> Bool { (k...end).contains(j) ? swappedRun : states[j] == 1 }
                var total = 0.0
                for j in lo...hi {
                    if state(j) { total += frameCost }
                    if (j == 0 || j == last) && state(j) { total += switchCost }
                    if j > lo { total += motion(j, state(j - 1), state(j)) + (state(j) != state(j - 1) ? switchCost : 0) }
                }
                return total
            }
            // A one-frame flip is indistinguishable from a spike on each side: left to the spike detector.
            guard end > k else { k = end + 1; continue }
            let saved = pathCost(false) - pathCost(true)
            let endFrame = end == last ? s.frameCount : observed[end + 1]
            result.append(SwapRun(right: right, left: left, frames: observed[k]..<min(observed[end] + 1, endFrame),
                                  ratio: 1 + max(saved, 0) / switchCost))
            k = end + 1
        }
        return result
    }
}
