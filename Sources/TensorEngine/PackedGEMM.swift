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
            let panels = min(panelsPerTile, (n - column + columns - 1) / columns)
            var row = 0
            while row < m {
                let pa = a + (row / rows) * panelA
                tile(k, (pa, pa + 1, pa + 2, pa + 3, pa + 4, pa + 5), strideA: rows, bp, panels: panels, panelB,
                     c + row * ldc + column, ldc)
                row += rows
            }
            column += panels * columns
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
                let panels = min(panelsPerTile, (n - column + columns - 1) / columns)
                tile(k, rowsA, strideA: 1, b + (column / columns) * panelB, panels: panels, panelB,
                     c + row * ldc + column, ldc)
                column += panels * columns
            }
            row += rows
        }
    }

    typealias SixRows = (UnsafePointer<Float>, UnsafePointer<Float>, UnsafePointer<Float>,
                         UnsafePointer<Float>, UnsafePointer<Float>, UnsafePointer<Float>)

    /// Register tiles of 6 rows by `panels` whole B panels (one, or two side by side `panelB`
    /// floats apart where the build has 16-lane registers). Every element of C is the same chain of
    /// k-ordered multiply-adds whichever tile computes it.
    @inline(__always) private static func tile(_ k: Int, _ a: SixRows, strideA: Int, _ b: UnsafePointer<Float>,
                                               panels: Int, _ panelB: Int, _ c: UnsafeMutablePointer<Float>, _ ldc: Int) {
        #if HARDWARE_AVX512
        if panels == 2 { wideTile(k, a, strideA: strideA, b, b + panelB, c, ldc) } else { tile16(k, a, strideA: strideA, b, c, ldc) }
        #else
        tile16(k, a, strideA: strideA, b, c, ldc)
        #endif
    }

    #if HARDWARE_AVX512
    /// Panels of B one register tile covers.
    static let panelsPerTile = 2

    typealias Wide = SIMD16<Float>

    /// The 6×32 register tile (two B panels, b0 and b1): twelve 16-lane accumulators.
    @inline(never) private static func wideTile(_ k: Int, _ a: SixRows, strideA: Int, _ b0: UnsafePointer<Float>,
                                                _ b1: UnsafePointer<Float>, _ c: UnsafeMutablePointer<Float>, _ ldc: Int) {
        var c00 = Wide(), c01 = Wide(), c10 = Wide(), c11 = Wide(), c20 = Wide(), c21 = Wide()
        var c30 = Wide(), c31 = Wide(), c40 = Wide(), c41 = Wide(), c50 = Wide(), c51 = Wide()
        var (a0, a1, a2, a3, a4, a5) = a
        var (p0, p1) = (b0, b1)
        for _ in 0..<k {
            let x = loadWide(p0), y = loadWide(p1)
            var s = Wide(repeating: a0.pointee); c00 = c00.addingProduct(s, x); c01 = c01.addingProduct(s, y)
            s = Wide(repeating: a1.pointee); c10 = c10.addingProduct(s, x); c11 = c11.addingProduct(s, y)
            s = Wide(repeating: a2.pointee); c20 = c20.addingProduct(s, x); c21 = c21.addingProduct(s, y)
            s = Wide(repeating: a3.pointee); c30 = c30.addingProduct(s, x); c31 = c31.addingProduct(s, y)
            s = Wide(repeating: a4.pointee); c40 = c40.addingProduct(s, x); c41 = c41.addingProduct(s, y)
            s = Wide(repeating: a5.pointee); c50 = c50.addingProduct(s, x); c51 = c51.addingProduct(s, y)
            a0 += strideA; a1 += strideA; a2 += strideA; a3 += strideA; a4 += strideA; a5 += strideA
            p0 += columns; p1 += columns
        }
        storeWide(c00, c); storeWide(c01, c + 16)
        storeWide(c10, c + ldc); storeWide(c11, c + ldc + 16)
        storeWide(c20, c + 2 * ldc); storeWide(c21, c + 2 * ldc + 16)
        storeWide(c30, c + 3 * ldc); storeWide(c31, c + 3 * ldc + 16)
        storeWide(c40, c + 4 * ldc); storeWide(c41, c + 4 * ldc + 16)
        storeWide(c50, c + 5 * ldc); storeWide(c51, c + 5 * ldc + 16)
    }

    /// The 6×16 register tile: six 16-lane accumulators.
    @inline(never) private static func tile16(_ k: Int, _ a: SixRows, strideA: Int,
                                              _ b: UnsafePointer<Float>, _ c: UnsafeMutablePointer<Float>, _ ldc: Int) {
        var c0 = Wide(), c1 = Wide(), c2 = Wide(), c3 = Wide(), c4 = Wide(), c5 = Wide()
        var (a0, a1, a2, a3, a4, a5) = a
        var pb = b
        for _ in 0..<k {
            let x = loadWide(pb)
            c0 = c0.addingProduct(Wide(repeating: a0.pointee), x)
            c1 = c1.addingProduct(Wide(repeating: a1.pointee), x)
            c2 = c2.addingProduct(Wide(repeating: a2.pointee), x)
            c3 = c3.addingProduct(Wide(repeating: a3.pointee), x)
            c4 = c4.addingProduct(Wide(repeating: a4.pointee), x)
            c5 = c5.addingProduct(Wide(repeating: a5.pointee), x)
            a0 += strideA; a1 += strideA; a2 += strideA; a3 += strideA; a4 += strideA; a5 += strideA
            pb += columns
        }
        storeWide(c0, c); storeWide(c1, c + ldc); storeWide(c2, c + 2 * ldc)
        storeWide(c3, c + 3 * ldc); storeWide(c4, c + 4 * ldc); storeWide(c5, c + 5 * ldc)
    }

    @inline(__always) private static func loadWide(_ p: UnsafePointer<Float>) -> Wide {
        UnsafeRawPointer(p).loadUnaligned(as: Wide.self)
    }
    @inline(__always) private static func storeWide(_ v: Wide, _ p: UnsafeMutablePointer<Float>) {
        UnsafeMutableRawPointer(p).storeBytes(of: v, as: Wide.self)
    }
    #else
    /// Panels of B one register tile covers.
    static let panelsPerTile = 1

    typealias Lanes = SIMD8<Float>

    /// The 6×16 register tile: C[0..<6, 0..<16] = Σₖ A[0..<6][k] ⊗ B[k][0..<16], row r of A read
    /// at a.r[k · strideA] (a packed panel: a + r with stride 6; row-major rows: stride 1) and B
    /// from a packed panel.
    @inline(never) private static func tile16(_ k: Int, _ a: SixRows, strideA: Int,
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
    #endif
}
