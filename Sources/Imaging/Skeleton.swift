// Drawing a 2-D skeleton onto an image. Imaging knows no pose model: callers describe the figure
// as points and limbs (PoseKit's BODY_25 is mapped in the CLI / studio). Limbs are coloured by
// body side; each joint's marker shape tells where its value came from, and its opacity shows the
// confidence (a point of confidence 0 is still faintly visible; missing points are not drawn).

public enum BodySide: Sendable {
    case right, left, centre

    /// Right warm, left cool, centre yellow (as in OpenPose's renderings).
    public var color: RGB {
        switch self {
        case .right: RGB(255, 84, 48)
        case .left: RGB(48, 156, 255)
        case .centre: RGB(255, 214, 64)
        }
    }
}

/// Where a point's value came from; each origin has its own marker shape.
public enum PointOrigin: Sendable, CaseIterable {
    case detected, edited, interpolated, filtered, fitted

    public var marker: MarkerShape {
        switch self {
        case .detected: .disc
        case .edited: .square
        case .interpolated: .ring
        case .filtered: .diamond
        case .fitted: .plus
        }
    }
}

public struct SkeletonPoint: Sendable {
    /// Position in image pixels (origin top-left, y down).
    public var x: Double
    public var y: Double
    /// 0…1; drawn as opacity.
    public var confidence: Double
    public var origin: PointOrigin
    public var side: BodySide
    /// Missing points, and limbs touching them, are not drawn.
    public var isPresent: Bool

    public init(x: Double, y: Double, confidence: Double, origin: PointOrigin, side: BodySide, isPresent: Bool = true) {
        self.x = x
        self.y = y
        self.confidence = confidence
        self.origin = origin
        self.side = side
        self.isPresent = isPresent
    }
}

public struct SkeletonLimb: Sendable {
    /// Indices into the figure's points.
    public var from: Int
    public var to: Int
    public var side: BodySide
    public init(from: Int, to: Int, side: BodySide) {
        self.from = from
        self.to = to
        self.side = side
    }
}

public struct SkeletonFigure: Sendable {
    public var points: [SkeletonPoint]
    public var limbs: [SkeletonLimb]
    public init(points: [SkeletonPoint], limbs: [SkeletonLimb]) {
        self.points = points
        self.limbs = limbs
    }
}

public struct SkeletonStyle: Sendable {
    /// Limb thickness in pixels.
    public var lineWidth: Double
    /// Joint marker width in pixels.
    public var markerSize: Double

    public init(lineWidth: Double, markerSize: Double) {
        self.lineWidth = lineWidth
        self.markerSize = markerSize
    }

    /// Thickness proportional to the image's shorter side (8 px limbs on a 1080-wide frame).
    public static func scaled(for size: PixelSize) -> SkeletonStyle {
        let w = max(2, Double(min(size.width, size.height)) / 135)
        return SkeletonStyle(lineWidth: w, markerSize: w * 2.2)
    }

    /// Opacity for a confidence: 0.25 at confidence 0, 1 at confidence 1.
    public static func opacity(confidence: Double) -> Double {
        0.25 + 0.75 * max(0, min(1, confidence.isFinite ? confidence : 0))
    }
}

extension RGBImage {
    /// Draws the limbs, then the joints (a dark outline under each marker). Limb indices outside
    /// the figure's points trap (a programmer error).
    public mutating func drawSkeleton(_ figure: SkeletonFigure, style: SkeletonStyle) {
        for limb in figure.limbs {
            precondition(figure.points.indices.contains(limb.from) && figure.points.indices.contains(limb.to),
                         "limb \(limb.from)–\(limb.to) outside \(figure.points.count) points")
            let a = figure.points[limb.from], b = figure.points[limb.to]
            guard a.isPresent, b.isPresent, a.x.isFinite, a.y.isFinite, b.x.isFinite, b.y.isFinite else { continue }
            strokeLine(x0: a.x, y0: a.y, x1: b.x, y1: b.y, width: style.lineWidth, color: limb.side.color,
                       opacity: SkeletonStyle.opacity(confidence: min(a.confidence, b.confidence)))
        }
        for point in figure.points where point.isPresent && point.x.isFinite && point.y.isFinite {
            let opacity = SkeletonStyle.opacity(confidence: point.confidence)
            drawMarker(point.origin.marker, cx: point.x, cy: point.y, size: style.markerSize + 2 * max(1, style.lineWidth / 4),
                       color: .black, opacity: opacity * 0.8)
            drawMarker(point.origin.marker, cx: point.x, cy: point.y, size: style.markerSize, color: point.side.color, opacity: opacity)
        }
    }
}
