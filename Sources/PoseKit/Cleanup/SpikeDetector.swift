// Spikes: a point far from the interpolation across it and from its neighbours on both sides, so
// it left the trajectory and came back (see `residual`). Predictions use the nearest usable points
// within 4 frames, and their error is scaled by their noise gain (an interpolation across a gap is
// noisier than across one frame). Threshold: the larger of `spikeFraction` of body height and
// `spikeNoiseMultiple` × the joint's median residual.
// Points are excluded worst first, and their neighbours re-judged without them, so a spike never
// hides or fakes another.
import Foundation

enum SpikeDetector {
    static let reach = 4

    /// Spikes of one joint. `thorough` adds one-sided evidence (a point with usable neighbours on
    /// one side only) and two-frame excursions; both look like label swaps too, so they are
    /// trustworthy only once swaps have been undone.
    static func spikes(_ track: Track, bodyHeight: Double, settings: DetectorSettings,
                       thorough: Bool) -> [Int: (ratio: Double, residual: Double)] {
        let n = track.count
        guard n >= 3 else { return [:] }
        var excluded = [Bool](repeating: false, count: n)
        func residual(_ i: Int) -> Evidence? { Self.residual(track, i, excluded, thorough: thorough) }
        var residuals = (0..<n).map { residual($0) }
        let noise = Robust.median(residuals.compactMap { $0?.value })
        let threshold = max(settings.spikeNoiseMultiple * noise, settings.spikeFraction * bodyHeight)

        // Worst first, two-sided evidence before one-sided: next to a spike, a point judged from
        // one side only looks as bad as the spike itself until the spike is left out.
        func key(_ e: Evidence) -> Double { e.value + (e.twoSided ? 1e12 : 0) }
        var heap = MaxHeap()
        for i in 0..<n { if let e = residuals[i], e.value > threshold { heap.push(key(e), i) } }
        var result: [Int: (ratio: Double, residual: Double)] = [:]
        while let (k, i) = heap.pop() {
            guard !excluded[i], let e = residuals[i], key(e) == k else { continue }   // stale entry
            excluded[i] = true
            result[i] = (e.value / threshold, e.value)
            for j in max(0, i - reach)...min(n - 1, i + reach) where !excluded[j] {
                residuals[j] = residual(j)
                if let ej = residuals[j], ej.value > threshold { heap.push(key(ej), j) }
            }
        }
        return result
    }

    /// How far point i stands out, in pixels: the distance to the interpolation across it from a
    /// usable point on each side (scaled by that prediction's noise gain), but no more than its
    /// distance to either of those two points — a point next to one side's neighbour is a jump or
    /// fast motion, not a spike. The sides' nearest points are tried and, when `thorough`, the
    /// second-nearest on one side (a two-frame excursion) and the extrapolation from one side
    /// when the other has no usable point. nil when nothing predicts it.
    struct Evidence {
        var value: Double
        var twoSided: Bool
    }

    static func residual(_ t: Track, _ i: Int, _ excluded: [Bool], thorough: Bool) -> Evidence? {
        guard t.present[i] else { return nil }
        var before = (-1, -1), after = (-1, -1)
        var j = i - 1
        while j >= max(0, i - reach) && before.1 < 0 {
            if t.present[j] && !excluded[j] { if before.0 < 0 { before.0 = j } else { before.1 = j } }
            j -= 1
        }
        j = i + 1
        while j <= min(t.count - 1, i + reach) && after.1 < 0 {
            if t.present[j] && !excluded[j] { if after.0 < 0 { after.0 = j } else { after.1 = j } }
            j += 1
        }
        if before.0 >= 0 && after.0 >= 0 {
            func across(_ b: Int, _ a: Int) -> Double {
                min(scaled(t, i, from: b, to: a), t.distance(i, b), t.distance(i, a))
            }
            var best = across(before.0, after.0)
            if thorough && before.1 >= 0 && before.0 == i - 1 { best = max(best, across(before.1, after.0)) }
            if thorough && after.1 >= 0 && after.0 == i + 1 { best = max(best, across(before.0, after.1)) }
            return Evidence(value: best, twoSided: true)
        }
        let side = before.0 >= 0 ? before : after
        guard thorough, side.0 >= 0, side.1 >= 0 else { return nil }
        // One-sided: scaled by the square root of the extrapolation's noise gain only. The full
        // gain (2 next to the edge) would hide spikes under 2 × the threshold; the hold distance
        // still has to clear the threshold on its own.
        let extrapolation = scaled(t, i, from: side.1, to: side.0, gainPower: 0.5)
        return Evidence(value: min(extrapolation, t.distance(i, side.0)), twoSided: false)
    }

    /// Distance from point i to the line through frames a and b evaluated at i, divided by that
    /// prediction's noise gain relative to an adjacent interpolation (√1.5).
    private static func scaled(_ t: Track, _ i: Int, from a: Int, to b: Int, gainPower: Double = 1) -> Double {
        let s = Double(i - a) / Double(b - a)
        let px = t.x[a] + s * (t.x[b] - t.x[a]), py = t.y[a] + s * (t.y[b] - t.y[a])
        // p̂ = (1 − s)·p_a + s·p_b; the point itself adds one more unit of variance.
        let gain = (1 + (1 - s) * (1 - s) + s * s).squareRoot() / 1.5.squareRoot()
        return length(px - t.x[i], py - t.y[i]) / (gainPower == 1 ? gain : pow(gain, gainPower))
    }
}

/// A binary max-heap of (value, index), for worst-first exclusion.
struct MaxHeap {
    private var items: [(Double, Int)] = []

    mutating func push(_ value: Double, _ index: Int) {
        items.append((value, index))
        var child = items.count - 1
        while child > 0 {
            let parent = (child - 1) / 2
            guard items[parent].0 < items[child].0 else { break }
            items.swapAt(parent, child)
            child = parent
        }
    }

    mutating func pop() -> (Double, Int)? {
        guard !items.isEmpty else { return nil }
        let top = items[0]
        let last = items.removeLast()
        if !items.isEmpty {
            items[0] = last
            var parent = 0
            while true {
                let left = 2 * parent + 1, right = left + 1
                var largest = parent
                if left < items.count && items[left].0 > items[largest].0 { largest = left }
                if right < items.count && items[right].0 > items[largest].0 { largest = right }
                guard largest != parent else { break }
                items.swapAt(parent, largest)
                parent = largest
            }
        }
        return top
    }
}
