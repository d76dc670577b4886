// Filled shapes drawn as horizontal spans: a shape is a function from a row's centre line to the
// x-intervals it covers there; a pixel is painted when its centre lies inside. Convex shapes give
// one interval per row, so a translucent shape blends every pixel exactly once.
// Coordinates are pixels, continuous, origin at the top-left corner of the image.

/// A marker shape for a point.
public enum MarkerShape: Sendable, CaseIterable {
    case disc, ring, square, diamond, plus
}

extension RGBImage {
    /// Fills the pixels whose centres lie within `radius` of (cx, cy).
    public mutating func fillDisc(cx: Double, cy: Double, radius: Double, color: RGB, opacity: Double = 1) {
        fillRows(from: cy - radius, to: cy + radius, color: color, opacity: opacity) { yc in
            Self.discInterval(cx: cx, cy: cy, radius: radius, yc: yc).map { [$0] } ?? []
        }
    }

    /// A thick segment with round caps: the pixels within `width / 2` of the segment.
    public mutating func strokeLine(x0: Double, y0: Double, x1: Double, y1: Double, width: Double, color: RGB, opacity: Double = 1) {
        let r = width / 2
        let dx = x1 - x0, dy = y1 - y0, length = (dx * dx + dy * dy).squareRoot()
        let quad: [(Double, Double)]
        if length > 0 {
            let nx = -dy / length * r, ny = dx / length * r
            quad = [(x0 + nx, y0 + ny), (x1 + nx, y1 + ny), (x1 - nx, y1 - ny), (x0 - nx, y0 - ny)]
        } else {
            quad = []
        }
        fillRows(from: min(y0, y1) - r, to: max(y0, y1) + r, color: color, opacity: opacity) { yc in
            var lo = Double.infinity, hi = -Double.infinity
            for interval in [Self.discInterval(cx: x0, cy: y0, radius: r, yc: yc),
                             Self.discInterval(cx: x1, cy: y1, radius: r, yc: yc),
                             Self.convexInterval(quad, yc: yc)] {
                if let (a, b) = interval { lo = min(lo, a); hi = max(hi, b) }
            }
            return lo <= hi ? [(lo, hi)] : []
        }
    }

    /// Draws a marker of `size` (its width in pixels) centred on (cx, cy).
    public mutating func drawMarker(_ shape: MarkerShape, cx: Double, cy: Double, size: Double, color: RGB, opacity: Double = 1) {
        let r = size / 2
        switch shape {
        case .disc:
            fillDisc(cx: cx, cy: cy, radius: r, color: color, opacity: opacity)
        case .ring:
            let inner = r * 0.55
            fillRows(from: cy - r, to: cy + r, color: color, opacity: opacity) { yc in
                guard let (a, b) = Self.discInterval(cx: cx, cy: cy, radius: r, yc: yc) else { return [] }
                guard let (c, d) = Self.discInterval(cx: cx, cy: cy, radius: inner, yc: yc) else { return [(a, b)] }
                return [(a, c), (d, b)]
            }
        case .square:
            let s = r * 0.9
            fillRows(from: cy - s, to: cy + s, color: color, opacity: opacity) { _ in [(cx - s, cx + s)] }
        case .diamond:
            let d = r * 1.2
            let points = [(cx, cy - d), (cx + d, cy), (cx, cy + d), (cx - d, cy)]
            fillRows(from: cy - d, to: cy + d, color: color, opacity: opacity) { yc in
                Self.convexInterval(points, yc: yc).map { [$0] } ?? []
            }
        case .plus:
            let bar = max(r * 0.4, 0.75)
            fillRows(from: cy - r, to: cy + r, color: color, opacity: opacity) { yc in
                abs(yc - cy) <= bar ? [(cx - r, cx + r)] : [(cx - bar, cx + bar)]
            }
        }
    }

    /// Paints, for each pixel row whose centre lies in [top, bottom], the pixels whose centres
    /// fall inside the intervals `spans` returns for that row centre.
    mutating func fillRows(from top: Double, to bottom: Double, color: RGB, opacity: Double,
                           spans: (Double) -> [(Double, Double)]) {
        guard top.isFinite, bottom.isFinite else { return }
        let firstRow = max(0, Int((top - 0.5).rounded(.up)))
        let lastRow = min(height - 1, Int((bottom - 0.5).rounded(.down)))
        guard firstRow <= lastRow else { return }
        for y in firstRow...lastRow {
            for (a, b) in spans(Double(y) + 0.5) where a.isFinite && b.isFinite {
                let x0 = Int((a - 0.5).rounded(.up)), x1 = Int((b - 0.5).rounded(.down))
                if x1 >= x0 { blendSpan(y: y, from: max(0, x0), to: min(width, x1 + 1), color: color, opacity: opacity) }
            }
        }
    }

    static func discInterval(cx: Double, cy: Double, radius: Double, yc: Double) -> (Double, Double)? {
        let d = yc - cy
        let s = radius * radius - d * d
        guard s >= 0 else { return nil }
        let half = s.squareRoot()
        return (cx - half, cx + half)
    }

    /// Where the horizontal line y = yc crosses a convex polygon (vertices in order).
    static func convexInterval(_ points: [(Double, Double)], yc: Double) -> (Double, Double)? {
        guard points.count >= 3 else { return nil }
        var lo = Double.infinity, hi = -Double.infinity
        for i in points.indices {
            let (px, py) = points[i], (qx, qy) = points[(i + 1) % points.count]
            guard (py <= yc && yc <= qy) || (qy <= yc && yc <= py) else { continue }
            let x = py == qy ? min(px, qx) : px + (yc - py) / (qy - py) * (qx - px)
            let x2 = py == qy ? max(px, qx) : x
            lo = min(lo, x, x2)
            hi = max(hi, x, x2)
        }
        return lo <= hi ? (lo, hi) : nil
    }
}
