// BLAS: the only file that imports OpenBLAS. Row-major single-precision GEMM and the library's
// thread count (process-wide; OpenBLAS reads OPENBLAS_NUM_THREADS only at load, so set it here).
import COpenBLAS

enum BLAS {
    /// C[m×n] = A[m×k] · B[k×n] + beta · C, all row-major with the given leading dimensions.
    /// `transposeA` reads A as its transpose (A stored k×m with leading dimension lda).
    static func sgemm(m: Int, n: Int, k: Int,
                      a: UnsafePointer<Float>, lda: Int, transposeA: Bool = false,
                      b: UnsafePointer<Float>, ldb: Int,
                      c: UnsafeMutablePointer<Float>, ldc: Int, beta: Float) {
        guard m > 0, n > 0 else { return }
        guard k > 0 else {
            // An empty sum: C = beta·C (set outright for beta = 0, so unset memory never leaks through).
            if beta != 1 { for row in 0..<m { for col in 0..<n { c[row * ldc + col] = beta == 0 ? 0 : c[row * ldc + col] * beta } } }
            return
        }
        cblas_sgemm(CblasRowMajor, transposeA ? CblasTrans : CblasNoTrans, CblasNoTrans,
                    Int32(m), Int32(n), Int32(k), 1, a, Int32(lda), b, Int32(ldb), beta, c, Int32(ldc))
    }

    static func setThreads(_ count: Int) { openblas_set_num_threads(Int32(max(1, count))) }
    static var threads: Int { Int(openblas_get_num_threads()) }
}
