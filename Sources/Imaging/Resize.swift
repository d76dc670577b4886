// Resampling: area averaging for shrinking, bilinear or bicubic (Catmull-Rom, a = -0.5)
// interpolation for enlarging, with pixel centres aligned ((i + 0.5) · in/out − 0.5) and edges
// clamped. The fast path is separable (weight tables, one pass per axis through Float, the axis
// that shrinks the intermediate most first, then rounding to UInt8; going vertical first it works
// one output row at a time, so no image-sized intermediate is allocated). `resizedReference`
// evaluates the same kernels per output pixel in Double for the tests.

public enum ResizeFilter: Sendable {
    /// Area averaging on an axis that shrinks, bilinear on an axis that grows.
    case automatic
    /// Each output pixel is the mean of the source area it covers.
    case area
    case bilinear
    /// Catmull-Rom cubic (a = -0.5), results clamped to 0…255.
    case bicubic
}

extension RGBImage {
    /// This image resampled to `width × height` pixels.
    public func resized(width w: Int, height h: Int, filter: ResizeFilter = .automatic) -> RGBImage {
        precondition(w > 0 && h > 0, "resize needs a positive size, got \(w)x\(h)")
        if w == width && h == height { return self }
        let tx = ResampleTable(input: width, output: w, kind: ResampleKind(filter, input: width, output: w))
        let ty = ResampleTable(input: height, output: h, kind: ResampleKind(filter, input: height, output: h))
        var out = RGBImage(width: w, height: h)
        pixels.withUnsafeBufferPointer { src in
            out.pixels.withUnsafeMutableBufferPointer { dst in
                // Two passes through Float; the one that shrinks the intermediate more goes first.
                if h * width < height * w {
                    // Vertical first, one output row at a time: the intermediate is a single row.
                    var row = [Float](repeating: 0, count: width * 3), line = [Float](repeating: 0, count: w * 3)
                    for y in 0..<h {
                        verticalRow(src.baseAddress!, rowSamples: width * 3, table: ty, y, into: &row)
                        row.withUnsafeBufferPointer { horizontalRow($0.baseAddress!, table: tx, into: &line) }
                        storeBytes(line, to: dst.baseAddress! + y * w * 3)
                    }
                } else {
                    // Horizontal first over the source rows (the smaller intermediate), then each output row.
                    var mid = [Float](repeating: 0, count: height * w * 3), line = [Float](repeating: 0, count: w * 3)
                    mid.withUnsafeMutableBufferPointer { m in
                        for y in 0..<height {
                            horizontalRow(src.baseAddress! + y * width * 3, table: tx,
                                          into: UnsafeMutableBufferPointer(start: m.baseAddress! + y * w * 3, count: w * 3))
                        }
                    }
                    mid.withUnsafeBufferPointer { m in
                        for y in 0..<h {
                            verticalRow(m.baseAddress!, rowSamples: w * 3, table: ty, y, into: &line)
                            storeBytes(line, to: dst.baseAddress! + y * w * 3)
                        }
                    }
                }
            }
        }
        return out
    }

    /// The slow, obvious resampler the tests compare `resized` against: for every output pixel,
    /// the 2-D sum of source pixels times the kernel weights, computed in Double from the kernel
    /// definitions (no tables, no separation).
    public func resizedReference(width w: Int, height h: Int, filter: ResizeFilter = .automatic) -> RGBImage {
        precondition(w > 0 && h > 0, "resize needs a positive size, got \(w)x\(h)")
        let kx = ResampleKind(filter, input: width, output: w), ky = ResampleKind(filter, input: height, output: h)
        var out = RGBImage(width: w, height: h)
        for y in 0..<h {
            let wy = ResampleTable.weights(for: y, input: height, output: h, kind: ky)
            for x in 0..<w {
                let wx = ResampleTable.weights(for: x, input: width, output: w, kind: kx)
                var sum = [0.0, 0.0, 0.0]
                for (sy, weightY) in wy {
                    for (sx, weightX) in wx {
                        let p = self[sx, sy]
                        sum[0] += weightX * weightY * Double(p.r)
                        sum[1] += weightX * weightY * Double(p.g)
                        sum[2] += weightX * weightY * Double(p.b)
                    }
                }
                out[x, y] = RGB(byte(sum[0]), byte(sum[1]), byte(sum[2]))
            }
        }
        return out
    }
}

/// Resamples one row of RGB pixels along x into `out` (table.outputs × 3 floats).
private func horizontalRow<S: ResampleSample>(_ row: UnsafePointer<S>, table tx: ResampleTable, into out: UnsafeMutableBufferPointer<Float>) {
    tx.start.withUnsafeBufferPointer { start in
        tx.count.withUnsafeBufferPointer { count in
            tx.offset.withUnsafeBufferPointer { offset in
                tx.weights.withUnsafeBufferPointer { wt in
                    for x in 0..<start.count {
                        var r: Float = 0, g: Float = 0, b: Float = 0
                        let base = offset[x]
                        var p = row + start[x] * 3
                        for t in 0..<count[x] {
                            let weight = wt[base + t]
                            r += weight * p[0].float; g += weight * p[1].float; b += weight * p[2].float
                            p += 3
                        }
                        out[x * 3] = r; out[x * 3 + 1] = g; out[x * 3 + 2] = b
                    }
                }
            }
        }
    }
}

private func horizontalRow<S: ResampleSample>(_ row: UnsafePointer<S>, table tx: ResampleTable, into out: inout [Float]) {
    out.withUnsafeMutableBufferPointer { horizontalRow(row, table: tx, into: $0) }
}

/// Output row `y` of a vertical resampling of rows of `rowSamples` values, into `out`.
private func verticalRow<S: ResampleSample>(_ src: UnsafePointer<S>, rowSamples: Int, table ty: ResampleTable, _ y: Int, into out: inout [Float]) {
    out.withUnsafeMutableBufferPointer { acc in
        ty.weights.withUnsafeBufferPointer { wt in
            let start = ty.start[y], base = ty.offset[y]
            let first = src + start * rowSamples, w0 = wt[base]
            for i in 0..<rowSamples { acc[i] = w0 * first[i].float }
            for t in 1..<max(1, ty.count[y]) {
                let weight = wt[base + t]
                let row = src + (start + t) * rowSamples
                for i in 0..<rowSamples { acc[i] += weight * row[i].float }
            }
        }
    }
}

/// Rounds and clamps a row of floats into bytes.
private func storeBytes(_ line: [Float], to dst: UnsafeMutablePointer<UInt8>) {
    line.withUnsafeBufferPointer { l in
        for i in 0..<l.count { dst[i] = clampToByte(l[i]) }
    }
}

/// A pixel sample the passes read: the image's bytes or the intermediate floats.
private protocol ResampleSample { var float: Float { get } }
extension UInt8: ResampleSample { var float: Float { Float(self) } }
extension Float: ResampleSample { var float: Float { self } }

@inline(__always) private func clampToByte(_ v: Float) -> UInt8 {
    v <= 0 ? 0 : v >= 255 ? 255 : UInt8(v + 0.5)
}

private func byte(_ v: Double) -> UInt8 { v <= 0 ? 0 : v >= 255 ? 255 : UInt8(v + 0.5) }

enum ResampleKind {
    case area, bilinear, bicubic
    init(_ filter: ResizeFilter, input: Int, output: Int) {
        switch filter {
        case .automatic: self = output < input ? .area : .bilinear
        case .area: self = .area
        case .bilinear: self = .bilinear
        case .bicubic: self = .bicubic
        }
    }
}

/// For each output index along one axis: the first source index, the number of taps and the
/// offset of its weights in `weights`.
struct ResampleTable {
    var start: [Int] = []
    var count: [Int] = []
    var offset: [Int] = []
    var weights: [Float] = []

    init(input: Int, output: Int, kind: ResampleKind) {
        for i in 0..<output {
            let taps = Self.weights(for: i, input: input, output: output, kind: kind)
            let first = taps.map(\.index).min()!, last = taps.map(\.index).max()!
            var dense = [Double](repeating: 0, count: last - first + 1)
            for (index, weight) in taps { dense[index - first] += weight }
            start.append(first)
            count.append(dense.count)
            offset.append(weights.count)
            weights.append(contentsOf: dense.map(Float.init))
        }
    }

    /// The (source index, weight) pairs of output index `i`; indices clamped to the edge, so an
    /// index may repeat. Weights sum to 1.
    static func weights(for i: Int, input: Int, output: Int, kind: ResampleKind) -> [(index: Int, weight: Double)] {
        let scale = Double(input) / Double(output)
        func clamp(_ j: Int) -> Int { min(max(j, 0), input - 1) }
        switch kind {
        case .area:
            let lo = Double(i) * scale, hi = Double(i + 1) * scale
            var taps: [(Int, Double)] = []
            var j = Int(lo.rounded(.down))
            while Double(j) < hi {
                let overlap = min(Double(j + 1), hi) - max(Double(j), lo)
                if overlap > 1e-12 { taps.append((clamp(j), overlap / scale)) }
                j += 1
            }
            return taps
        case .bilinear:
            let s = (Double(i) + 0.5) * scale - 0.5
            let j = Int(s.rounded(.down)), f = s - Double(j)
            return [(clamp(j), 1 - f), (clamp(j + 1), f)]
        case .bicubic:
            let s = (Double(i) + 0.5) * scale - 0.5
            let j = Int(s.rounded(.down)), f = s - Double(j)
            return (-1...2).map { t in (clamp(j + t), cubic(Double(t) - f)) }
        }
    }

    /// Catmull-Rom (Keys, a = -0.5).
    static func cubic(_ x: Double) -> Double {
        let a = -0.5, t = abs(x)
        if t <= 1 { return (a + 2) * t * t * t - (a + 3) * t * t + 1 }
        if t < 2 { return a * t * t * t - 5 * a * t * t + 8 * a * t - 4 * a }
        return 0
    }
}
