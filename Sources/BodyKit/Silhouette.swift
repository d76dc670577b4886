// A coverage rasteriser for looking at bodies: projects a posed mesh with a weak-perspective
// camera and marks every pixel centre inside any triangle (either winding, no depth). For
// previews and silhouette tests only — the renderer's face-index rasteriser lives in PoseTransfer.

public struct Silhouette: Sendable {
    public let width: Int
    public let height: Int
    /// Row-major, row 0 at the top: true where the body covers the pixel centre.
    public var mask: [Bool]

    public subscript(row: Int, col: Int) -> Bool { mask[row * width + col] }

    /// Rasterises `vertices` (model frame, y down) with `camera` into a square image of `size` pixels.
    public init(vertices: [SIMD3<Double>], faces: [Int32], camera: WeakPerspectiveCamera, size: Int) {
        width = size
        height = size
        mask = [Bool](repeating: false, count: size * size)
        let points = vertices.map { camera.cropPixel($0, resolution: size) }
        for f in stride(from: 0, to: faces.count, by: 3) {
            let a = points[Int(faces[f])], b = points[Int(faces[f + 1])], c = points[Int(faces[f + 2])]
            let area = (b.x - a.x) * (c.y - a.y) - (b.y - a.y) * (c.x - a.x)
            guard abs(area) > 1e-12 else { continue }
            let minX = max(0, Int(min(a.x, b.x, c.x).rounded(.up))), maxX = min(size - 1, Int(max(a.x, b.x, c.x).rounded(.down)))
            let minY = max(0, Int(min(a.y, b.y, c.y).rounded(.up))), maxY = min(size - 1, Int(max(a.y, b.y, c.y).rounded(.down)))
            guard minX <= maxX, minY <= maxY else { continue }
            let sign = area > 0 ? 1.0 : -1.0
            for row in minY...maxY {
                let py = Double(row)
                for col in minX...maxX {
                    let px = Double(col)
                    let w0 = ((b.x - a.x) * (py - a.y) - (b.y - a.y) * (px - a.x)) * sign
                    let w1 = ((c.x - b.x) * (py - b.y) - (c.y - b.y) * (px - b.x)) * sign
                    let w2 = ((a.x - c.x) * (py - c.y) - (a.y - c.y) * (px - c.x)) * sign
                    if w0 >= 0 && w1 >= 0 && w2 >= 0 { mask[row * size + col] = true }
                }
            }
        }
    }

    /// Rows covered by the body, top to bottom (nil for an empty mask).
    public var rowRange: ClosedRange<Int>? {
        let rows = (0..<height).filter { r in (0..<width).contains { self[r, $0] } }
        return rows.isEmpty ? nil : rows.first!...rows.last!
    }

    /// Covered columns of one row, as runs (start, end inclusive).
    public func runs(row: Int) -> [ClosedRange<Int>] {
        var runs: [ClosedRange<Int>] = []
        var start: Int? = nil
        for c in 0...width {
            let on = c < width && self[row, c]
            if on, start == nil { start = c }
            if !on, let s = start {
                runs.append(s...(c - 1))
                start = nil
            }
        }
        return runs
    }

    /// Width in pixels of the covered span of one row (first to last covered column), 0 if empty.
    public func span(row: Int) -> Int {
        let r = runs(row: row)
        guard let first = r.first, let last = r.last else { return 0 }
        return last.upperBound - first.lowerBound + 1
    }
}

extension BodyModel {
    /// θ₀ that shows the canonical body facing the viewer in the y-down camera frame, turned by
    /// `yaw` radians about its vertical axis (yaw π/2 turns it to face the image's right edge, so the
    /// viewer sees its right side).
    public static func viewOrientation(yaw: Double) -> SIMD3<Double> {
        // R = R_x(π) · R_y(yaw).
        let flip = Rodrigues.matrix(SIMD3(Double.pi, 0, 0))
        let turn = Rodrigues.matrix(SIMD3(0, yaw, 0))
        return Rodrigues.vector(flip * turn)
    }

    /// A camera that fits the posed vertices into the crop with `margin` (BDMM's 1.3 by default).
    public static func framingCamera(_ vertices: [SIMD3<Double>], margin: Double = CropBox.margin) -> WeakPerspectiveCamera {
        let xs = vertices.map(\.x), ys = vertices.map(\.y)
        let (x0, x1, y0, y1) = (xs.min()!, xs.max()!, ys.min()!, ys.max()!)
        let side = max(x1 - x0, y1 - y0) * margin
        return WeakPerspectiveCamera(s: 2 / side, tx: -(x0 + x1) / 2, ty: -(y0 + y1) / 2)
    }
}
