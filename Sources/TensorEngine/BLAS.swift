// BLAS: the only file that imports OpenBLAS. Row-major single-precision GEMM, and which kernels
// OpenBLAS picked for this CPU. OpenBLAS itself runs single-threaded (set process-wide by the
// engine): we split each GEMM's columns across our own workers instead, which scales better on
// small GEMMs than OpenBLAS's spin-waiting threads and leaves every output element computed the
// same way whatever the worker count.
import COpenBLAS

enum BLAS {
    /// C[m×n] = A[m×k] · B[k×n] + beta · C, all row-major with the given leading dimensions.
    static func sgemm(m: Int, n: Int, k: Int,
                      a: UnsafePointer<Float>, lda: Int,
                      b: UnsafePointer<Float>, ldb: Int,
                      c: UnsafeMutablePointer<Float>, ldc: Int, beta: Float) {
        guard m > 0, n > 0 else { return }
        guard k > 0 else {
            // An empty sum: C = beta·C (set outright for beta = 0, so unset memory never leaks through).
            if beta != 1 { for row in 0..<m { for col in 0..<n { c[row * ldc + col] = beta == 0 ? 0 : c[row * ldc + col] * beta } } }
            return
        }
        cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans,
                    Int32(m), Int32(n), Int32(k), 1, a, Int32(lda), b, Int32(ldb), beta, c, Int32(ldc))
    }

    /// The same product with the columns of B and C cut into 4 pieces (multiples of 16 columns),
    /// the pieces shared out among `workers`. The cut never depends on the worker count: OpenBLAS's
    /// kernels round differently for different column counts, so a cut that followed the workers
    /// would make 1 thread and 2 threads disagree in the last bits.
    static func sgemm(m: Int, n: Int, k: Int,
                      a: UnsafePointer<Float>, lda: Int,
                      b: UnsafePointer<Float>, ldb: Int,
                      c: UnsafeMutablePointer<Float>, ldc: Int, beta: Float, workers: Int) {
        let blocks = (n + 15) / 16
        let pieces = min(4, blocks)
        Parallel.forEachChunk(pieces, workers: workers, minimumChunk: 1) { range in
            for p in range {
                let start = blocks * p / pieces * 16, end = min(n, blocks * (p + 1) / pieces * 16)
                sgemm(m: m, n: end - start, k: k, a: a, lda: lda,
                      b: b + start, ldb: ldb, c: c + start, ldc: ldc, beta: beta)
            }
        }
    }

    static func setThreads(_ count: Int) { openblas_set_num_threads(Int32(max(1, count))) }
    static var threads: Int { Int(openblas_get_num_threads()) }
}

/// Which kernels OpenBLAS chose. Debian's OpenBLAS (0.3.21, built for every x86-64 CPU) picks them
/// when it is loaded, from a table of the CPUs it knows; on a newer one (an Emerald Rapids Xeon
/// here) it falls back to Prescott's SSE3 kernels, which ran our 1×1 convs 3 times slower than its
/// AVX-512 ones. It takes `OPENBLAS_CORETYPE` from the environment instead, read as it loads.
public enum OpenBLASCore {
    /// The kernels in use, as OpenBLAS names them ("SkylakeX", "Haswell", "Prescott", …).
    public static var name: String { String(cString: openblas_get_corename()) }

    /// The core type to ask for when OpenBLAS fell back to a generic x86-64 one on a CPU with
    /// AVX2 and FMA ("Haswell") or AVX-512 ("SkylakeX"); nil when its own choice stands.
    /// `cpuFlags`: the flags line of /proc/cpuinfo.
    public static func override(current: String, cpuFlags: Set<Substring>) -> String? {
        let generic: Set<String> = ["prescott", "core2", "penryn", "dunnington", "nehalem", "atom", "unknown"]
        guard generic.contains(current.lowercased()) else { return nil }
        if ["avx512f", "avx512dq", "avx512cd", "avx512bw", "avx512vl"].allSatisfy(cpuFlags.contains) { return "SkylakeX" }
        if ["avx2", "fma"].allSatisfy(cpuFlags.contains) { return "Haswell" }
        return nil
    }

    /// This machine's CPU flags (Linux; empty elsewhere).
    public static var cpuFlags: Set<Substring> {
        let info = (try? String(contentsOfFile: "/proc/cpuinfo", encoding: .utf8)) ?? ""
        guard let line = info.split(separator: "\n").first(where: { $0.hasPrefix("flags") }) else { return [] }
        return Set(line.split(whereSeparator: { $0 == " " || $0 == "\t" }))
    }
}
