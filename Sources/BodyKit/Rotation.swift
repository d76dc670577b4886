// Axis-angle rotations (Rodrigues) and their derivatives, on plain 3×3 matrices of Doubles.
// θ's direction is the axis, its length the angle in radians; θ = 0 is the identity. SMPL adds
// 1e-8 to each component before taking the norm; posestudio uses the exact formula (the two
// differ by about 1e-8 in every entry) and switches to the Taylor series near zero.
import Foundation

/// A 3×3 matrix, row-major (`m[3 * row + col]`).
public struct Mat3: Hashable, Sendable {
    public var m: [Double]
    public init(_ m: [Double]) {
        precondition(m.count == 9, "Mat3 needs 9 values, got \(m.count)")
        self.m = m
    }
    public static let identity = Mat3([1, 0, 0, 0, 1, 0, 0, 0, 1])
    public static let zero = Mat3([Double](repeating: 0, count: 9))

    @inline(__always) public subscript(r: Int, c: Int) -> Double {
        get { m[3 * r + c] }
        set { m[3 * r + c] = newValue }
    }

    public static func * (a: Mat3, b: Mat3) -> Mat3 {
        var out = [Double](repeating: 0, count: 9)
        for r in 0..<3 {
            for c in 0..<3 {
                out[3 * r + c] = a.m[3 * r] * b.m[c] + a.m[3 * r + 1] * b.m[3 + c] + a.m[3 * r + 2] * b.m[6 + c]
            }
        }
        return Mat3(out)
    }

    public static func * (a: Mat3, v: SIMD3<Double>) -> SIMD3<Double> {
        SIMD3(a.m[0] * v.x + a.m[1] * v.y + a.m[2] * v.z,
              a.m[3] * v.x + a.m[4] * v.y + a.m[5] * v.z,
              a.m[6] * v.x + a.m[7] * v.y + a.m[8] * v.z)
    }

    public var transposed: Mat3 { Mat3([m[0], m[3], m[6], m[1], m[4], m[7], m[2], m[5], m[8]]) }

    public static func + (a: Mat3, b: Mat3) -> Mat3 { Mat3(zip(a.m, b.m).map { $0 + $1 }) }
    public static func * (s: Double, a: Mat3) -> Mat3 { Mat3(a.m.map { s * $0 }) }

    /// [v]×, the matrix of the cross product v × ·.
    public static func skew(_ v: SIMD3<Double>) -> Mat3 {
        Mat3([0, -v.z, v.y, v.z, 0, -v.x, -v.y, v.x, 0])
    }

    /// The vector of a skew-symmetric matrix (inverse of `skew`; uses the antisymmetric part).
    public var vee: SIMD3<Double> {
        SIMD3((m[7] - m[5]) / 2, (m[2] - m[6]) / 2, (m[3] - m[1]) / 2)
    }
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
        return Mat3([
            c + t * n.x * n.x, t * n.x * n.y - s * n.z, t * n.x * n.z + s * n.y,
            t * n.y * n.x + s * n.z, c + t * n.y * n.y, t * n.y * n.z - s * n.x,
            t * n.z * n.x - s * n.y, t * n.z * n.y + s * n.x, c + t * n.z * n.z,
        ])
    }

    /// ∂R/∂θᵢ for i = 0, 1, 2.
    public static func derivatives(_ theta: SIMD3<Double>) -> [Mat3] {
        let angle = (theta * theta).sum().squareRoot()
        if angle < smallAngle {
            // d/dθᵢ of I + [θ]× + ½[θ]×²: [eᵢ]× + ½([eᵢ]×[θ]× + [θ]×[eᵢ]×).
            let k = Mat3.skew(theta)
            return (0..<3).map { i in
                var e = SIMD3<Double>(0, 0, 0)
                e[i] = 1
                let ei = Mat3.skew(e)
                return ei + 0.5 * (ei * k + k * ei)
            }
        }
        let n = theta / angle
        let c = cos(angle), s = sin(angle), t = 1 - c
        let nnT = Mat3([n.x * n.x, n.x * n.y, n.x * n.z, n.y * n.x, n.y * n.y, n.y * n.z, n.z * n.x, n.z * n.y, n.z * n.z])
        let nx = Mat3.skew(n)
        return (0..<3).map { i in
            var e = SIMD3<Double>(0, 0, 0)
            e[i] = 1
            let dn = (e - n * n[i]) / angle          // ∂n/∂θᵢ
            let dnnT = Mat3([
                2 * dn.x * n.x, dn.x * n.y + n.x * dn.y, dn.x * n.z + n.x * dn.z,
                dn.y * n.x + n.y * dn.x, 2 * dn.y * n.y, dn.y * n.z + n.y * dn.z,
                dn.z * n.x + n.z * dn.x, dn.z * n.y + n.z * dn.y, 2 * dn.z * n.z,
            ])
            // ∂α/∂θᵢ = nᵢ.
            return (-s * n[i]) * Mat3.identity + (s * n[i]) * nnT + t * dnnT + (c * n[i]) * nx + s * Mat3.skew(dn)
        }
    }

    /// The axis-angle vector of rotation matrix `r` (angle in [0, π]).
    public static func vector(_ r: Mat3) -> SIMD3<Double> {
        let cosAngle = max(-1, min(1, (r.m[0] + r.m[4] + r.m[8] - 1) / 2))
        let angle = acos(cosAngle)
        if angle < smallAngle { return r.vee }
        if Double.pi - angle < 1e-4 {
            // Near π: the axis from the symmetric part, sign from the antisymmetric part.
            let d = SIMD3(r.m[0], r.m[4], r.m[8])
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
