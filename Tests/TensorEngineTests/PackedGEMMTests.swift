// The register-tile GEMM behind the Winograd and deformable convolutions, against a plain triple loop in Double.
import Testing
@testable import TensorEngine

@Suite struct PackedGEMMTests {
    /// Row and column counts on and off the register tiles (6×16, and 6×32 with AVX-512: odd panel
    /// counts leave a 6×16 tile), depth 1 and the depths of the network.
    @Test(arguments: [(6, 16, 1), (1, 1, 3), (7, 17, 5), (27, 64, 64), (64, 130, 128), (132, 256, 37), (12, 48, 1024)])
    func matchesTripleLoop(_ m: Int, _ n: Int, _ k: Int) {
        let a = Tensor.random([m, k], seed: 50).storage, b = Tensor.random([k, n], seed: 51).storage
        let (rows, columns) = (PackedGEMM.paddedRows(m), PackedGEMM.paddedColumns(n))
        var packedA = [Float](repeating: .nan, count: rows * k)
        var packedB = [Float](repeating: 0, count: columns * k)
        for kk in 0..<k { for j in 0..<n { packedB[PackedGEMM.indexB(k: kk, column: j, depth: k)] = b[kk * n + j] } }
        a.withUnsafeBufferPointer { PackedGEMM.packA($0.baseAddress!, m: m, k: k, lda: k, into: &packedA) }
        var c = [Float](repeating: .nan, count: rows * columns)
        PackedGEMM.multiply(m: m, n: n, k: k, a: packedA, b: packedB, c: &c, ldc: columns)
        // A read row-major, unpacked (the deformable conv's columns): its padding rows repeat row m − 1.
        var fromRows = [Float](repeating: .nan, count: rows * columns)
        PackedGEMM.multiply(m: m, n: n, k: k, rowMajorA: a, lda: k, b: packedB, c: &fromRows, ldc: columns)

        var worst = 0.0
        for i in 0..<rows {
            for j in 0..<columns {
                func exact(_ row: Int) -> Double {
                    guard j < n else { return 0 }
                    var sum = 0.0
                    for kk in 0..<k { sum += Double(a[row * k + kk]) * Double(b[kk * n + j]) }
                    return sum
                }
                // Padding rows and columns of the packed product: exactly 0.
                worst = max(worst, abs(Double(c[i * columns + j]) - (i < m ? exact(i) : 0)))
                worst = max(worst, abs(Double(fromRows[i * columns + j]) - exact(min(i, m - 1))))
            }
        }
        // float32 sums of k products of values below 1: a few ulps of √k-sized partial sums.
        #expect(worst <= 2e-6 * Double(k))
        #expect(c[0..<(m * columns)] == fromRows[0..<(m * columns)])   // the same sums, in the same order
    }
}
