// Small robust statistics shared by the detectors and filters, and the body's size in pixels
// that every threshold is relative to.
import Foundation

enum Robust {
    /// Median of the values (0 for none), by selection in O(n) rather than a sort.
    static func median(_ values: [Double]) -> Double {
        guard !values.isEmpty else { return 0 }
        var v = values
        let mid = v.count / 2
        let upper = select(&v, mid)
        guard v.count % 2 == 0 else { return upper }
        // After selecting `mid`, everything left of it is ≤ it: the lower middle is their maximum.
        return (v[0..<mid].max()! + upper) / 2
    }

    /// Rearranges `v` so that v[k] is the k-th smallest, smaller ones before it (Hoare's quickselect
    /// with a median-of-three pivot).
    static func select(_ v: inout [Double], _ k: Int) -> Double {
        var lo = 0, hi = v.count - 1
        while lo < hi {
            let m = lo + (hi - lo) / 2
            if v[m] < v[lo] { v.swapAt(m, lo) }
            if v[hi] < v[lo] { v.swapAt(hi, lo) }
            if v[hi] < v[m] { v.swapAt(hi, m) }
            let pivot = v[m]
            var i = lo, j = hi
            while i <= j {
                while v[i] < pivot { i += 1 }
                while v[j] > pivot { j -= 1 }
                if i <= j { v.swapAt(i, j); i += 1; j -= 1 }
            }
            if k <= j { hi = j } else if k >= i { lo = i } else { break }
        }
        return v[k]
    }

    /// Weighted median: the smallest value whose cumulative weight reaches half the total.
    /// Falls back to the plain median when every weight is zero.
    static func weightedMedian(_ values: [Double], _ weights: [Double]) -> Double {
        let total = weights.reduce(0, +)
        guard total > 0 else { return median(values) }
        let order = values.indices.sorted { values[$0] < values[$1] }
        var cumulative = 0.0
        for i in order {
            cumulative += weights[i]
            if cumulative >= total / 2 { return values[i] }
        }
        return values[order.last!]
    }
}

extension PoseSequence {
    /// The body's height in pixels: the median over frames (with at least 8 present points) of the
    /// vertical extent of the present points; 3.5 × the median Neck–MidHip length when no frame
    /// qualifies; a quarter of the frame height when neither is known.
    public var bodyHeight: Double {
        var extents: [Double] = []
        var torsos: [Double] = []
        for frame in frames {
            var lo = Double.infinity, hi = -Double.infinity, count = 0
            for joint in Joint.allCases {
                let p = self[frame, joint]
                guard !p.isMissing else { continue }
                lo = min(lo, p.y)
                hi = max(hi, p.y)
                count += 1
            }
            if count >= 8 { extents.append(hi - lo) }
            let neck = self[frame, .neck], hip = self[frame, .midHip]
            if !neck.isMissing && !hip.isMissing { torsos.append(length(neck.x - hip.x, neck.y - hip.y)) }
        }
        let extent = Robust.median(extents)
        if extent > 1 { return extent }
        let torso = Robust.median(torsos)
        if torso > 1 { return 3.5 * torso }
        return max(Double(frameSize.height) / 4, 1)
    }
}


/// √(dx² + dy²) without hypot's overflow care (pixel distances never come near overflow).
@inline(__always) func length(_ dx: Double, _ dy: Double) -> Double { (dx * dx + dy * dy).squareRoot() }
