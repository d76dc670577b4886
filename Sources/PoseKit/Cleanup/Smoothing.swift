// Smoothing filters over one coordinate of one joint's trajectory. Inputs: values, per-frame
// weights (confidences; used where the method allows), and which frames are present. Output: a
// value for every present frame (others are returned unchanged). Missing frames are skipped by the
// windowed filters and split the recursive ones (One Euro, Butterworth) into independent runs.
import Foundation

public enum SmoothingFilter: Hashable, Sendable, CustomStringConvertible {
    /// Weighted median over `window` frames (odd).
    case median(window: Int)
    /// Gaussian kernel with `sigma` frames, truncated at 3σ, weighted by confidence.
    case gaussian(sigma: Double)
    /// Confidence-weighted local least-squares polynomial of `order` over `window` frames (odd).
    case savitzkyGolay(window: Int, order: Int)
    /// One Euro filter (Casiez et al. 2012): cutoff = minCutoff + beta·|speed| (Hz; speed in px/s).
    case oneEuro(minCutoff: Double, beta: Double)
    /// Zero-phase (forward–backward) Butterworth low-pass, `order` poles, cutoff in Hz.
    case butterworth(cutoffHz: Double, order: Int)

    public var description: String {
        switch self {
        case let .median(w): "median \(w)"
        case let .gaussian(s): "gaussian σ=\(s)"
        case let .savitzkyGolay(w, o): "Savitzky–Golay \(w),\(o)"
        case let .oneEuro(c, b): "One Euro \(c),\(b)"
        case let .butterworth(c, o): "Butterworth \(c) Hz order \(o)"
        }
    }

    /// Why these parameters cannot run at this frame rate, or nil.
    public func problem(fps: Double) -> String? {
        switch self {
        case let .median(w): w >= 1 && w % 2 == 1 && w <= 999 ? nil : "median window must be an odd number of frames (1–999)"
        case let .gaussian(s): s > 0 && s <= 100 ? nil : "gaussian sigma must be in (0, 100] frames"
        case let .savitzkyGolay(w, o):
            w % 2 == 1 && w >= 3 && w <= 999 && o >= 0 && o < w && o <= 6 ? nil
                : "Savitzky–Golay needs an odd window of 3–999 frames and an order 0–6 below it"
        case let .oneEuro(c, b): c > 0 && b >= 0 && c.isFinite && b.isFinite ? nil : "One Euro needs min cutoff > 0 and beta ≥ 0"
        case let .butterworth(c, o):
            o < 1 || o > 8 ? "Butterworth order must be 1–8"
                : c > 0 && c < fps / 2 ? nil : "Butterworth cutoff must be between 0 and half the frame rate (\(fps / 2) Hz)"
        }
    }

    /// Smooths `values` (present frames only). `fps` sets the time base of the recursive filters.
    func apply(_ values: [Double], weights: [Double], present: [Bool], fps: Double) -> [Double] {
        switch self {
        case let .median(window):
            return windowed(values, present, radius: window / 2) { idx, _ in
                Robust.weightedMedian(idx.map { values[$0] }, idx.map { weights[$0] + 0.01 })
            }
        case let .gaussian(sigma):
            let radius = max(1, Int((3 * sigma).rounded(.up)))
            return windowed(values, present, radius: radius) { idx, center in
                var sum = 0.0, total = 0.0
                for j in idx {
                    let d = Double(j - center)
                    let w = exp(-d * d / (2 * sigma * sigma)) * (weights[j] + 0.01)
                    sum += w * values[j]
                    total += w
                }
                return sum / total
            }
        case let .savitzkyGolay(window, order):
            return LocalPolynomial.smooth(values, values, weights: weights, present: present, radius: window / 2, order: order).0
        case let .oneEuro(minCutoff, beta):
            return runs(values, present) { OneEuro.filter($0, fps: fps, minCutoff: minCutoff, beta: beta) }
        case let .butterworth(cutoff, order):
            let sections = Butterworth.lowPass(order: order, cutoff: cutoff, sampleRate: fps)
            return runs(values, present) { Butterworth.filtfilt($0, sections) }
        }
    }

    /// Smooths both coordinates; Savitzky–Golay fits them in one pass (they share the normal matrix).
    func apply(x: [Double], y: [Double], weights: [Double], present: [Bool], fps: Double) -> ([Double], [Double]) {
        if case let .savitzkyGolay(window, order) = self {
            return LocalPolynomial.smooth(x, y, weights: weights, present: present, radius: window / 2, order: order)
        }
        return (apply(x, weights: weights, present: present, fps: fps), apply(y, weights: weights, present: present, fps: fps))
    }

    /// For each present frame, `estimate(present frames within radius, frame)`.
    private func windowed(_ values: [Double], _ present: [Bool], radius: Int,
                          _ estimate: ([Int], Int) -> Double) -> [Double] {
        var out = values
        for i in values.indices where present[i] {
            let idx = (max(0, i - radius)...min(values.count - 1, i + radius)).filter { present[$0] }
            out[i] = estimate(idx, i)
        }
        return out
    }

    /// Applies `filter` to each maximal run of consecutive present frames.
    private func runs(_ values: [Double], _ present: [Bool], _ filter: ([Double]) -> [Double]) -> [Double] {
        var out = values
        var i = 0
        while i < values.count {
            guard present[i] else { i += 1; continue }
            var end = i
            while end + 1 < values.count && present[end + 1] { end += 1 }
            out.replaceSubrange(i...end, with: filter(Array(values[i...end])))
            i = end + 1
        }
        return out
    }
}

/// Weighted least-squares polynomial fits evaluated at each frame (the Savitzky–Golay step,
/// written out so that missing frames and confidence weights are handled exactly). Both
/// coordinates share the normal matrix; scratch space is allocated once per call.
enum LocalPolynomial {
    static func smooth(_ x: [Double], _ y: [Double], weights: [Double], present: [Bool], radius: Int, order: Int) -> ([Double], [Double]) {
        let n = x.count
        var outX = x, outY = y
        let maxM = order + 1
        var normal = [Double](repeating: 0, count: maxM * maxM)
        var rhsX = [Double](repeating: 0, count: maxM), rhsY = [Double](repeating: 0, count: maxM)
        var moments = [Double](repeating: 0, count: 2 * maxM)
        for center in 0..<n where present[center] {
            let lo = max(0, center - radius), hi = min(n - 1, center + radius)
            // One pass accumulates the moments for the full order; a window with too few points
            // fits a lower order from the same (leading) moments.
            for p in 0..<(2 * maxM) { moments[p] = 0 }
            for p in 0..<maxM { rhsX[p] = 0; rhsY[p] = 0 }
            var count = 0
            for j in lo...hi where present[j] {
                count += 1
                let tau = Double(j - center)
                var power = weights[j] + 0.01
                for p in 0..<(2 * maxM - 1) {
                    moments[p] += power
                    if p < maxM { rhsX[p] += power * x[j]; rhsY[p] += power * y[j] }
                    power *= tau
                }
            }
            let m = min(order, count - 1) + 1
            if m == 3 {
                // The usual case (order 2, enough points): Cramer's rule on the symmetric Hankel matrix.
                if let (cx, cy) = solve3(moments, rhsX, rhsY) {
                    outX[center] = cx
                    outY[center] = cy
                }
                continue
            }
            for r in 0..<m { for c in 0..<m { normal[r * m + c] = moments[r + c] } }
            if let (cx, cy) = solve(&normal, &rhsX, &rhsY, m) {
                outX[center] = cx
                outY[center] = cy
            }
        }
        return (outX, outY)
    }

    /// The constant term of the 3×3 system [[s0 s1 s2] [s1 s2 s3] [s2 s3 s4]]·c = b, for two b.
    static func solve3(_ s: [Double], _ bx: [Double], _ by: [Double]) -> (Double, Double)? {
        let c00 = s[2] * s[4] - s[3] * s[3]
        let c01 = s[2] * s[3] - s[1] * s[4]
        let c02 = s[1] * s[3] - s[2] * s[2]
        let det = s[0] * c00 + s[1] * c01 + s[2] * c02
        guard abs(det) > 1e-12 * max(1, abs(s[0] * s[2] * s[4])) else { return nil }
        return ((c00 * bx[0] + c01 * bx[1] + c02 * bx[2]) / det, (c00 * by[0] + c01 * by[1] + c02 * by[2]) / det)
    }

    /// Gaussian elimination with partial pivoting on the leading m×m block for two right-hand
    /// sides; returns the first unknown of each, nil when singular.
    static func solve(_ a: inout [Double], _ b1: inout [Double], _ b2: inout [Double], _ m: Int) -> (Double, Double)? {
        for col in 0..<m {
            var pivot = col
            for row in (col + 1)..<m where abs(a[row * m + col]) > abs(a[pivot * m + col]) { pivot = row }
            guard abs(a[pivot * m + col]) > 1e-12 else { return nil }
            if pivot != col {
                for c in 0..<m { a.swapAt(col * m + c, pivot * m + c) }
                b1.swapAt(col, pivot)
                b2.swapAt(col, pivot)
            }
            for row in (col + 1)..<m {
                let f = a[row * m + col] / a[col * m + col]
                for c in col..<m { a[row * m + c] -= f * a[col * m + c] }
                b1[row] -= f * b1[col]
                b2[row] -= f * b2[col]
            }
        }
        for row in stride(from: m - 1, through: 0, by: -1) {
            var s1 = b1[row], s2 = b2[row]
            for c in (row + 1)..<m { s1 -= a[row * m + c] * b1[c]; s2 -= a[row * m + c] * b2[c] }
            b1[row] = s1 / a[row * m + row]
            b2[row] = s2 / a[row * m + row]
        }
        return (b1[0], b2[0])
    }
}

enum OneEuro {
    static func filter(_ x: [Double], fps: Double, minCutoff: Double, beta: Double, derivativeCutoff: Double = 1) -> [Double] {
        guard var previous = x.first else { return x }
        func alpha(_ cutoff: Double) -> Double {
            let tau = 1 / (2 * Double.pi * cutoff)
            return 1 / (1 + tau * fps)
        }
        var out = [previous]
        var derivative = 0.0
        for value in x.dropFirst() {
            let rawDerivative = (value - previous) * fps
            derivative += alpha(derivativeCutoff) * (rawDerivative - derivative)
            let cutoff = minCutoff + beta * abs(derivative)
            previous += alpha(cutoff) * (value - previous)
            out.append(previous)
        }
        return out
    }
}

/// Digital Butterworth low-pass as second-order sections (bilinear transform with pre-warping,
/// unit gain at DC), and zero-phase forward–backward filtering with odd-extension padding and
/// steady-state initial conditions (as scipy's sosfiltfilt).
enum Butterworth {
    /// (b0, b1, b2, a1, a2) with a0 = 1.
    typealias Section = (b0: Double, b1: Double, b2: Double, a1: Double, a2: Double)

    static func lowPass(order: Int, cutoff: Double, sampleRate: Double) -> [Section] {
        let fs2 = 2 * sampleRate
        let warped = fs2 * tan(Double.pi * cutoff / sampleRate)
        var sections: [Section] = []
        for k in 0..<(order / 2) {
            // Analog pole pair warped·exp(±iθ), θ in the left half-plane.
            let theta = Double.pi * Double(2 * k + order + 1) / Double(2 * order)
            let re = warped * cos(theta), im = warped * sin(theta)
            // z = (fs2 + s) / (fs2 − s)
            let denRe = fs2 - re, denIm = -im
            let numRe = fs2 + re, numIm = im
            let d = denRe * denRe + denIm * denIm
            let zRe = (numRe * denRe + numIm * denIm) / d
            let zIm = (numIm * denRe - numRe * denIm) / d
            let a1 = -2 * zRe, a2 = zRe * zRe + zIm * zIm
            let g = (1 + a1 + a2) / 4
            sections.append((g, 2 * g, g, a1, a2))
        }
        if order % 2 == 1 {
            let z = (fs2 - warped) / (fs2 + warped)
            let g = (1 - z) / 2
            sections.append((g, g, 0, -z, 0))
        }
        return sections
    }

    static func filtfilt(_ x: [Double], _ sections: [Section]) -> [Double] {
        let n = x.count
        guard n >= 3 else { return x }
        let firstOrder = sections.contains { $0.b2 == 0 && $0.a2 == 0 } ? 1 : 0
        let pad = min(n - 1, 3 * (2 * sections.count + 1 - firstOrder))
        var extended = (0..<pad).map { 2 * x[0] - x[pad - $0] }
        extended += x
        extended += (0..<pad).map { 2 * x[n - 1] - x[n - 2 - $0] }
        var y = run(extended, sections)
        y.reverse()
        y = run(y, sections)
        y.reverse()
        return Array(y[pad..<(pad + n)])
    }

    /// Cascaded transposed direct form II, each section started in steady state for x[0].
    private static func run(_ x: [Double], _ sections: [Section]) -> [Double] {
        var signal = x
        for s in sections {
            let x0 = signal[0]
            var z1 = (1 - s.b0) * x0, z2 = (s.b2 - s.a2) * x0
            for i in signal.indices {
                let input = signal[i]
                let output = s.b0 * input + z1
                z1 = s.b1 * input - s.a1 * output + z2
                z2 = s.b2 * input - s.a2 * output
                signal[i] = output
            }
        }
        return signal
    }
}
