// PackedGEMM: the Winograd convolutions' 36 products per layer, C[O×T] = A[O×K]·B[K×T], with both
// operands already in register-tile panels. A (a transformed kernel) is packed once when the
// kernel is built; B (transformed input tiles) is written in panels by the input transform itself.
// So nothing is packed per call and C is written once, not zeroed first: through OpenBLAS those
// copies and the beta pass took about a fifth of the products' time at these sizes (K ≤ 1024,
// T = 64 … 256). The 6×16 register tile is twelve 8-lane accumulators, fused multiply-adds where
// the build targets them (HARDWARE_FMA, see Package.swift).

enum PackedGEMM {
    /// Rows of A (and C) per register tile; A's rows are padded with zeros to a multiple.
    static let rows = 6
    /// Columns of B (and C) per register tile; B's columns are padded to a multiple.
    static let columns = 16

    static func paddedRows(_ count: Int) -> Int { (count + rows - 1) / rows * rows }
    static func paddedColumns(_ count: Int) -> Int { (count + columns - 1) / columns * columns }

    /// Where element (row, k) of a K-deep A lives in its packed form: panels of 6 rows, each k-major.
    @inline(__always) static func indexA(row: Int, k: Int, depth: Int) -> Int {
        (row / rows) * rows * depth + k * rows + row % rows
    }

    /// Where element (k, column) of a K-deep B lives in its packed form: panels of 16 columns, each k-major.
    @inline(__always) static func indexB(k: Int, column: Int, depth: Int) -> Int {
        (column / columns) * columns * depth + k * columns + column % columns
    }

    /// A [m×k] row-major (leading dimension lda) packed, rows padded with zeros to paddedRows(m).
    static func packA(_ a: UnsafePointer<Float>, m: Int, k: Int, lda: Int, into packed: UnsafeMutablePointer<Float>) {
        for row in 0..<paddedRows(m) {
            for kk in 0..<k { packed[indexA(row: row, k: kk, depth: k)] = row < m ? a[row * lda + kk] : 0 }
        }
    }

    /// C[paddedRows(m) × paddedColumns(n)] (leading dimension ldc) = A·B, every register tile written
    /// whole (the padded rows and columns too). Each element is the same k-ordered sum whatever
    /// the caller's split of the work.
    static func multiply(m: Int, n: Int, k: Int, a: UnsafePointer<Float>, b: UnsafePointer<Float>,
                         c: UnsafeMutablePointer<Float>, ldc: Int) {
        let panelA = rows * k, panelB = columns * k
        var column = 0
        while column < n {
            let bp = b + (column / columns) * panelB
            var row = 0
            while row < m {
                tile(k, a + (row / rows) * panelA, bp, c + row * ldc + column, ldc)
                row += rows
            }
            column += columns
        }
    }

    typealias Lanes = SIMD8<Float>

    /// The 6×16 register tile: C[0..<6, 0..<16] = Σₖ A[k][0..<6] ⊗ B[k][0..<16].
    @inline(never) private static func tile(_ k: Int, _ a: UnsafePointer<Float>, _ b: UnsafePointer<Float>,
                                               _ c: UnsafeMutablePointer<Float>, _ ldc: Int) {
        var c00 = Lanes(), c01 = Lanes(), c10 = Lanes(), c11 = Lanes(), c20 = Lanes(), c21 = Lanes()
        var c30 = Lanes(), c31 = Lanes(), c40 = Lanes(), c41 = Lanes(), c50 = Lanes(), c51 = Lanes()
        var pa = a, pb = b
        for _ in 0..<k {
            let b0 = load(pb), b1 = load(pb + 8)
            var s = Lanes(repeating: pa[0]); c00 = fused(c00, s, b0); c01 = fused(c01, s, b1)
            s = Lanes(repeating: pa[1]); c10 = fused(c10, s, b0); c11 = fused(c11, s, b1)
            s = Lanes(repeating: pa[2]); c20 = fused(c20, s, b0); c21 = fused(c21, s, b1)
            s = Lanes(repeating: pa[3]); c30 = fused(c30, s, b0); c31 = fused(c31, s, b1)
            s = Lanes(repeating: pa[4]); c40 = fused(c40, s, b0); c41 = fused(c41, s, b1)
            s = Lanes(repeating: pa[5]); c50 = fused(c50, s, b0); c51 = fused(c51, s, b1)
            pa += rows; pb += columns
        }
        store(c00, c); store(c01, c + 8)
        store(c10, c + ldc); store(c11, c + ldc + 8)
        store(c20, c + 2 * ldc); store(c21, c + 2 * ldc + 8)
        store(c30, c + 3 * ldc); store(c31, c + 3 * ldc + 8)
        store(c40, c + 4 * ldc); store(c41, c + 4 * ldc + 8)
        store(c50, c + 5 * ldc); store(c51, c + 5 * ldc + 8)
    }

    /// acc + x·y: one rounding where the build targets fused multiply-add (without it, the fused
    /// form would be a library call per lane, so the product is rounded first).
    @inline(__always) private static func fused(_ acc: Lanes, _ x: Lanes, _ y: Lanes) -> Lanes {
        #if HARDWARE_FMA
        acc.addingProduct(x, y)
        #else
        acc + x * y
        #endif
    }

    @inline(__always) private static func load(_ p: UnsafePointer<Float>) -> Lanes {
        UnsafeRawPointer(p).loadUnaligned(as: Lanes.self)
    }
    @inline(__always) private static func store(_ v: Lanes, _ p: UnsafeMutablePointer<Float>) {
        UnsafeMutableRawPointer(p).storeBytes(of: v, as: Lanes.self)
    }
}
