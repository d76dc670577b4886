// Axis-angle rotations (Rodrigues) and their derivatives, on plain 3×3 matrices of Doubles.
// θ's direction is the axis, its length the angle in radians; θ = 0 is the identity. SMPL adds
// 1e-8 to each component before taking the norm; posestudio uses the exact formula (the two
// differ by about 1e-8 in every entry) and switches to the Taylor series near zero.
import Foundation

/// A 3×3 matrix stored as three SIMD rows (no heap allocation; used in the fitting hot loops).
public struct Mat3: Hashable, Sendable {
    public var r0: SIMD3<Double>
    public var r1: SIMD3<Double>
    public var r2: SIMD3<Double>

    public init(rows r0: SIMD3<Double>, _ r1: SIMD3<Double>, _ r2: SIMD3<Double>) {
        self.r0 = r0
        self.r1 = r1
        self.r2 = r2
    }
    /// From 9 values, row-major.
    public init(_ m: [Double]) {
        precondition(m.count == 9, "Mat3 needs 9 values, got \(m.count)")
        self.init(rows: SIMD3(m[0], m[1], m[2]), SIMD3(m[3], m[4], m[5]), SIMD3(m[6], m[7], m[8]))
    }
    public static let identity = Mat3(rows: SIMD3(1, 0, 0), SIMD3(0, 1, 0), SIMD3(0, 0, 1))
    public static let zero = Mat3(rows: .zero, .zero, .zero)

    /// The 9 entries, row-major.
    public var m: [Double] { [r0.x, r0.y, r0.z, r1.x, r1.y, r1.z, r2.x, r2.y, r2.z] }

    @inline(__always) public subscript(r: Int, c: Int) -> Double {
        get { r == 0 ? r0[c] : (r == 1 ? r1[c] : r2[c]) }
        set {
            switch r {
            case 0: r0[c] = newValue
            case 1: r1[c] = newValue
            default: r2[c] = newValue
            }
        }
    }

    @inline(__always) public static func * (a: Mat3, b: Mat3) -> Mat3 {
        Mat3(rows: b.r0 * a.r0.x + b.r1 * a.r0.y + b.r2 * a.r0.z,
             b.r0 * a.r1.x + b.r1 * a.r1.y + b.r2 * a.r1.z,
             b.r0 * a.r2.x + b.r1 * a.r2.y + b.r2 * a.r2.z)
    }

    @inline(__always) public static func * (a: Mat3, v: SIMD3<Double>) -> SIMD3<Double> {
        SIMD3((a.r0 * v).sum(), (a.r1 * v).sum(), (a.r2 * v).sum())
    }

    public var transposed: Mat3 {
        Mat3(rows: SIMD3(r0.x, r1.x, r2.x), SIMD3(r0.y, r1.y, r2.y), SIMD3(r0.z, r1.z, r2.z))
    }

    @inline(__always) public static func + (a: Mat3, b: Mat3) -> Mat3 { Mat3(rows: a.r0 + b.r0, a.r1 + b.r1, a.r2 + b.r2) }
    @inline(__always) public static func - (a: Mat3, b: Mat3) -> Mat3 { Mat3(rows: a.r0 - b.r0, a.r1 - b.r1, a.r2 - b.r2) }
    @inline(__always) public static func * (s: Double, a: Mat3) -> Mat3 { Mat3(rows: s * a.r0, s * a.r1, s * a.r2) }

    /// [v]×, the matrix of the cross product v × ·.
    @inline(__always) public static func skew(_ v: SIMD3<Double>) -> Mat3 {
        Mat3(rows: SIMD3(0, -v.z, v.y), SIMD3(v.z, 0, -v.x), SIMD3(-v.y, v.x, 0))
    }

    /// The vector of a skew-symmetric matrix (inverse of `skew`; uses the antisymmetric part).
    @inline(__always) public var vee: SIMD3<Double> {
        SIMD3((r2.y - r1.z) / 2, (r0.z - r2.x) / 2, (r1.x - r0.y) / 2)
    }

    /// n nᵀ.
    @inline(__always) static func outer(_ a: SIMD3<Double>, _ b: SIMD3<Double>) -> Mat3 {
        Mat3(rows: a.x * b, a.y * b, a.z * b)
    }
}

@inline(__always) func cross(_ a: SIMD3<Double>, _ b: SIMD3<Double>) -> SIMD3<Double> {
    SIMD3(a.y * b.z - a.z * b.y, a.z * b.x - a.x * b.z, a.x * b.y - a.y * b.x)
}

public enum Rodrigues {
    /// Angles below this use the series expansion (the closed form loses precision there).
    static let smallAngle = 1e-6

    /// R = cos α·I + (1 − cos α)·n nᵀ + sin α·[n]×, α = |θ|, n = θ/α.
    public static func matrix(_ theta: SIMD3<Double>) -> Mat3 {
        let angle = (theta * theta).sum().squareRoot()
        if angle < smallAngle {
            // I + [θ]× + ½[θ]×² up to O(α³).
            let k = Mat3.skew(theta)
            return Mat3.identity + k + 0.5 * (k * k)
        }
        let n = theta / angle
        let c = cos(angle), s = sin(angle), t = 1 - c
        return c * Mat3.identity + t * Mat3.outer(n, n) + s * Mat3.skew(n)
    }

    /// ∂R/∂θᵢ for i = 0, 1, 2.
    public static func derivatives(_ theta: SIMD3<Double>) -> [Mat3] {
        let d = derivativeTriple(theta)
        return [d.0, d.1, d.2]
    }

    /// ∂R/∂θᵢ for i = 0, 1, 2, without allocating.
    @inline(__always) static func derivativeTriple(_ theta: SIMD3<Double>) -> (Mat3, Mat3, Mat3) {
        (derivative(theta, 0), derivative(theta, 1), derivative(theta, 2))
    }

    @inline(__always) static func derivative(_ theta: SIMD3<Double>, _ i: Int) -> Mat3 {
        let angle = (theta * theta).sum().squareRoot()
        if angle < smallAngle {
            // d/dθᵢ of I + [θ]× + ½[θ]×²: [eᵢ]× + ½([eᵢ]×[θ]× + [θ]×[eᵢ]×).
            let k = Mat3.skew(theta)
            var e = SIMD3<Double>(0, 0, 0)
            e[i] = 1
            let ei = Mat3.skew(e)
            return ei + 0.5 * (ei * k + k * ei)
        }
        let n = theta / angle
        let c = cos(angle), s = sin(angle), t = 1 - c
        var e = SIMD3<Double>(0, 0, 0)
        e[i] = 1
        let dn = (e - n * n[i]) / angle          // ∂n/∂θᵢ
        let dnnT = Mat3.outer(dn, n) + Mat3.outer(n, dn)
        // ∂α/∂θᵢ = nᵢ.
        return (-s * n[i]) * Mat3.identity + (s * n[i]) * Mat3.outer(n, n) + t * dnnT + (c * n[i]) * Mat3.skew(n) + s * Mat3.skew(dn)
    }

    /// The axis-angle vector of rotation matrix `r` (angle in [0, π]).
    public static func vector(_ r: Mat3) -> SIMD3<Double> {
        let cosAngle = max(-1, min(1, (r.r0.x + r.r1.y + r.r2.z - 1) / 2))
        let angle = acos(cosAngle)
        if angle < smallAngle { return r.vee }
        if Double.pi - angle < 1e-4 {
            // Near π: the axis from the symmetric part, sign from the antisymmetric part.
            let d = SIMD3(r.r0.x, r.r1.y, r.r2.z)
            var axis = ((d + 1) / 2).replacing(with: 0, where: (d + 1) .< 0)
            axis = SIMD3(axis.x.squareRoot(), axis.y.squareRoot(), axis.z.squareRoot())
            let i = axis.x >= axis.y && axis.x >= axis.z ? 0 : (axis.y >= axis.z ? 1 : 2)
            var n = SIMD3<Double>(0, 0, 0)
            n[i] = axis[i]
            for j in 0..<3 where j != i { n[j] = (r[i, j] + r[j, i]) / (4 * axis[i]) }
            let v = r.vee
            if (v * n).sum() < 0 { n = -n }
            n /= (n * n).sum().squareRoot()
            return n * angle
        }
        return r.vee * (angle / sin(angle))
    }

    /// The shortest equivalent of an axis-angle vector: angles above π are replaced by 2π − angle
    /// about the opposite axis, so warm-started fits never wander towards the 2π singularity.
    public static func wrapped(_ theta: SIMD3<Double>) -> SIMD3<Double> {
        let angle = (theta * theta).sum().squareRoot()
        guard angle > Double.pi else { return theta }
        let turns = (angle / (2 * Double.pi)).rounded()
        return theta * ((angle - 2 * Double.pi * turns) / angle)
    }
}
