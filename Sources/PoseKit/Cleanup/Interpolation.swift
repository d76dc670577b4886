// Filling frames of one joint from its usable neighbours: linear, or cubic Hermite with each end's
// tangent taken from the anchors on its own side of the gap. Used to fill gaps and to replace
// spikes, jumps and snaps. Locked (pinned or hand-edited) points are never written.
import Foundation

public enum GapMethod: String, CaseIterable, Sendable { case linear, cubic }

enum Interpolation {
    /// Rewrites `holes` (frames of `joint`) in `sequence` from the present frames outside the holes.
    /// Runs longer than `maxRun` are left alone; runs touching the start or end are held at the
    /// nearest anchor only when `hold` is true. Filled points become present and interpolated, with
    /// the lower confidence of the anchors around them.
    /// - Returns: how many points were written.
    @discardableResult
    static func fill(_ sequence: inout PoseSequence, joint: Joint, holes: Set<Int>, method: GapMethod,
                     maxRun: Int = .max, hold: Bool = false) -> Int {
        guard !holes.isEmpty else { return 0 }
        var mask = [Bool](repeating: false, count: sequence.frameCount)
        for frame in holes where mask.indices.contains(frame) { mask[frame] = true }
        return fill(&sequence, joint: joint, holes: mask, method: method, maxRun: maxRun, hold: hold)
    }

    /// The same, with the holes as a mask over all frames.
    @discardableResult
    static func fill(_ sequence: inout PoseSequence, joint: Joint, holes: [Bool], method: GapMethod,
                     maxRun: Int = .max, hold: Bool = false) -> Int {
        let n = sequence.frameCount
        let anchor = (0..<n).map { !holes[$0] && !sequence[$0, joint].isMissing }
        var written = 0
        for run in Analysis.runs(0..<n, { holes[$0] }) where run.count <= maxRun {
            let before = Array(stride(from: run.lowerBound - 1, through: 0, by: -1).lazy.filter { anchor[$0] }.prefix(2))
            let after = Array((run.upperBound..<n).lazy.filter { anchor[$0] }.prefix(2))
            if (before.isEmpty || after.isEmpty) && !hold { continue }
            guard let nearest = before.first ?? after.first else { continue }
            let confidence = [before.first, after.first].compactMap { $0 }.map { sequence[$0, joint].confidence }.min()!
            for frame in run {
                var point = sequence[frame, joint]
                guard !point.isLocked else { continue }
                if !before.isEmpty && !after.isEmpty {
                    point.x = value(at: frame, before, after, method) { sequence[$0, joint].x }
                    point.y = value(at: frame, before, after, method) { sequence[$0, joint].y }
                } else {
                    point.x = sequence[nearest, joint].x
                    point.y = sequence[nearest, joint].y
                }
                point.confidence = confidence
                point.isMissing = false
                point.provenance = .interpolated
                sequence[frame, joint] = point
                written += 1
            }
        }
        return written
    }

    /// The interpolated coordinate at `t` between anchors before[0] and after[0].
    static func value(at t: Int, _ before: [Int], _ after: [Int], _ method: GapMethod, _ v: (Int) -> Double) -> Double {
        let t0 = before[0], t1 = after[0]
        let p0 = v(t0), p1 = v(t1)
        let h = Double(t1 - t0), s = Double(t - t0) / h
        let secant = (p1 - p0) / h
        guard method == .cubic else { return p0 + s * (p1 - p0) }
        // Tangents from each anchor's own side (the slope the trajectory had going into the gap
        // and coming out of it), the secant where a side has one anchor only.
        let m0 = before.count > 1 ? (p0 - v(before[1])) / Double(t0 - before[1]) : secant
        let m1 = after.count > 1 ? (v(after[1]) - p1) / Double(after[1] - t1) : secant
        let s2 = s * s, s3 = s2 * s
        return (2 * s3 - 3 * s2 + 1) * p0 + (s3 - 2 * s2 + s) * h * m0 + (-2 * s3 + 3 * s2) * p1 + (s3 - s2) * h * m1
    }
}
