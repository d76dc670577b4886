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

    /// The 6×32 register tile: two B panels side by side (b0, b1), twelve 16-lane accumulators.
    @inline(never) private static func wideTile(_ k: Int, _ a: SixRows, strideA: Int, _ b0: UnsafePointer<Float>,
                                                _ b1: UnsafePointer<Float>, _ c: UnsafeMutablePointer<Float>, _ ldc: Int) {
        twoVectorTile(SIMD16<Float>.self, k, a, strideA: strideA, b0, b1, c, ldc)
    }

    /// The 6×16 register tile (a lone last panel): six 16-lane accumulators.
    @inline(never) private static func tile16(_ k: Int, _ a: SixRows, strideA: Int,
                                              _ b: UnsafePointer<Float>, _ c: UnsafeMutablePointer<Float>, _ ldc: Int) {
        typealias Wide = SIMD16<Float>
        var c0 = Wide(), c1 = Wide(), c2 = Wide(), c3 = Wide(), c4 = Wide(), c5 = Wide()
        var (a0, a1, a2, a3, a4, a5) = a
        var pb = b
        for _ in 0..<k {
            let x: Wide = SIMDMemory.load(pb)
            c0 = fused(c0, Wide(repeating: a0.pointee), x)
            c1 = fused(c1, Wide(repeating: a1.pointee), x)
            c2 = fused(c2, Wide(repeating: a2.pointee), x)
            c3 = fused(c3, Wide(repeating: a3.pointee), x)
            c4 = fused(c4, Wide(repeating: a4.pointee), x)
            c5 = fused(c5, Wide(repeating: a5.pointee), x)
            a0 += strideA; a1 += strideA; a2 += strideA; a3 += strideA; a4 += strideA; a5 += strideA
            pb += columns
        }
        SIMDMemory.store(c0, c); SIMDMemory.store(c1, c + ldc); SIMDMemory.store(c2, c + 2 * ldc)
        SIMDMemory.store(c3, c + 3 * ldc); SIMDMemory.store(c4, c + 4 * ldc); SIMDMemory.store(c5, c + 5 * ldc)
    }
    #else
    /// Panels of B one register tile covers.
    static let panelsPerTile = 1

    /// The 6×16 register tile: one B panel as two 8-lane halves, twelve 8-lane accumulators.
    @inline(never) private static func tile16(_ k: Int, _ a: SixRows, strideA: Int,
                                              _ b: UnsafePointer<Float>, _ c: UnsafeMutablePointer<Float>, _ ldc: Int) {
        twoVectorTile(SIMD8<Float>.self, k, a, strideA: strideA, b, b + 8, c, ldc)
    }
    #endif

    /// C[0..<6, 0..<2V] = Σₖ A[0..<6][k] ⊗ (B₀[k] ‖ B₁[k]) for V-lane vectors: row r of A read at
    /// a.r[k · strideA] (a packed panel: a + r with stride 6; row-major rows: stride 1), B₀ and B₁
    /// the V-wide columns at b0 and b1, each step `columns` further (two halves of one panel, or
    /// two panels). Twelve accumulators; each element a k-ordered chain of multiply-adds.
    @inline(__always) private static func twoVectorTile<V: SIMD>(_: V.Type, _ k: Int, _ a: SixRows, strideA: Int,
                                                                 _ b0: UnsafePointer<Float>, _ b1: UnsafePointer<Float>,
                                                                 _ c: UnsafeMutablePointer<Float>, _ ldc: Int) where V.Scalar == Float {
        var c00 = V(), c01 = V(), c10 = V(), c11 = V(), c20 = V(), c21 = V()
        var c30 = V(), c31 = V(), c40 = V(), c41 = V(), c50 = V(), c51 = V()
        var (a0, a1, a2, a3, a4, a5) = a
        var (p0, p1) = (b0, b1)
        for _ in 0..<k {
            let x: V = SIMDMemory.load(p0), y: V = SIMDMemory.load(p1)
            var s = V(repeating: a0.pointee); c00 = fused(c00, s, x); c01 = fused(c01, s, y)
            s = V(repeating: a1.pointee); c10 = fused(c10, s, x); c11 = fused(c11, s, y)
            s = V(repeating: a2.pointee); c20 = fused(c20, s, x); c21 = fused(c21, s, y)
            s = V(repeating: a3.pointee); c30 = fused(c30, s, x); c31 = fused(c31, s, y)
            s = V(repeating: a4.pointee); c40 = fused(c40, s, x); c41 = fused(c41, s, y)
            s = V(repeating: a5.pointee); c50 = fused(c50, s, x); c51 = fused(c51, s, y)
            a0 += strideA; a1 += strideA; a2 += strideA; a3 += strideA; a4 += strideA; a5 += strideA
            p0 += columns; p1 += columns
        }
        let w = V.scalarCount
        SIMDMemory.store(c00, c); SIMDMemory.store(c01, c + w)
        SIMDMemory.store(c10, c + ldc); SIMDMemory.store(c11, c + ldc + w)
        SIMDMemory.store(c20, c + 2 * ldc); SIMDMemory.store(c21, c + 2 * ldc + w)
        SIMDMemory.store(c30, c + 3 * ldc); SIMDMemory.store(c31, c + 3 * ldc + w)
        SIMDMemory.store(c40, c + 4 * ldc); SIMDMemory.store(c41, c + 4 * ldc + w)
        SIMDMemory.store(c50, c + 5 * ldc); SIMDMemory.store(c51, c + 5 * ldc + w)
    }

    /// acc + x·y: one rounding where the build targets fused multiply-add (without it, the fused
    /// form would be a library call per lane, so the product is rounded first).
    @inline(__always) private static func fused<V: SIMD>(_ acc: V, _ x: V, _ y: V) -> V where V.Scalar == Float {
        #if HARDWARE_FMA
        acc.addingProduct(x, y)
        #else
        acc + x * y
        #endif
    }

}
