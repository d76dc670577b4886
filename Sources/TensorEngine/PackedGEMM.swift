// PackedGEMM: the Winograd convolutions' 36 products per layer, C[O×T] = A[O×K]·B[K×T], with both
// operands already in register-tile panels. A (a transformed kernel) is packed once when the
// kernel is built; B (transformed input tiles) is written in panels by the input transform itself.
// So nothing is packed per call and C is written once, not zeroed first: through OpenBLAS those
// copies and the beta pass took about a fifth of the products' time at these sizes (K ≤ 1024,
// T = 64 … 256). The 6×16 register tile is twelve 8-lane accumulators, fused multiply-adds where
// the build targets them (HARDWARE_FMA, see Package.swift). The deformable conv uses the same tile
// with A read straight from its row-major columns (six rows side by side need no packing).

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
                let pa = a + (row / rows) * panelA
                tile(k, (pa, pa + 1, pa + 2, pa + 3, pa + 4, pa + 5), strideA: rows, bp, c + row * ldc + column, ldc)
                row += rows
            }
            column += columns
        }
    }

    /// C[paddedRows(m) × paddedColumns(n)] (leading dimension ldc) = A·B with A row-major and
    /// unpacked (leading dimension lda); the padding rows of C repeat row m − 1.
    static func multiply(m: Int, n: Int, k: Int, rowMajorA a: UnsafePointer<Float>, lda: Int, b: UnsafePointer<Float>,
                         c: UnsafeMutablePointer<Float>, ldc: Int) {
        let panelB = columns * k
        var row = 0
        while row < m {
            let last = m - 1
            let rowsA = (a + row * lda, a + min(row + 1, last) * lda, a + min(row + 2, last) * lda,
                         a + min(row + 3, last) * lda, a + min(row + 4, last) * lda, a + min(row + 5, last) * lda)
            var column = 0
            while column < n {
                tile(k, rowsA, strideA: 1, b + (column / columns) * panelB, c + row * ldc + column, ldc)
                column += columns
            }
            row += rows
        }
    }

    typealias Lanes = SIMD8<Float>

    typealias SixRows = (UnsafePointer<Float>, UnsafePointer<Float>, UnsafePointer<Float>,
                         UnsafePointer<Float>, UnsafePointer<Float>, UnsafePointer<Float>)

    /// The 6×16 register tile: C[0..<6, 0..<16] = Σₖ A[0..<6][k] ⊗ B[k][0..<16], row r of A read
    /// at a.r[k · strideA] (a packed panel: a + r with stride 6; row-major rows: stride 1) and B
    /// from a packed panel.
    @inline(never) private static func tile(_ k: Int, _ a: SixRows, strideA: Int,
                                            _ b: UnsafePointer<Float>, _ c: UnsafeMutablePointer<Float>, _ ldc: Int) {
        var c00 = Lanes(), c01 = Lanes(), c10 = Lanes(), c11 = Lanes(), c20 = Lanes(), c21 = Lanes()
        var c30 = Lanes(), c31 = Lanes(), c40 = Lanes(), c41 = Lanes(), c50 = Lanes(), c51 = Lanes()
        var (a0, a1, a2, a3, a4, a5) = a
        var pb = b
        for _ in 0..<k {
            let b0 = load(pb), b1 = load(pb + 8)
            var s = Lanes(repeating: a0.pointee); c00 = fused(c00, s, b0); c01 = fused(c01, s, b1)
            s = Lanes(repeating: a1.pointee); c10 = fused(c10, s, b0); c11 = fused(c11, s, b1)
            s = Lanes(repeating: a2.pointee); c20 = fused(c20, s, b0); c21 = fused(c21, s, b1)
            s = Lanes(repeating: a3.pointee); c30 = fused(c30, s, b0); c31 = fused(c31, s, b1)
            s = Lanes(repeating: a4.pointee); c40 = fused(c40, s, b0); c41 = fused(c41, s, b1)
            s = Lanes(repeating: a5.pointee); c50 = fused(c50, s, b0); c51 = fused(c51, s, b1)
            a0 += strideA; a1 += strideA; a2 += strideA; a3 += strideA; a4 += strideA; a5 += strideA
            pb += columns
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
