// What an exported (or previewed) frame is made of. A column yields one image per sequence
// frame at the project's frame size; a layout puts columns side by side, each labelled with the
// frame number when asked. Today's columns: the driving video frame, the skeleton (over the
// driving frame or a neutral background), and the draft or neural render placed back into the
// frame. The neural render produces its frames window by window, so it drives the export loop
// (`NeuralColumn.render`) and hands each frame over once; the others are pulled by index.
import Foundation
import Imaging
import MediaIO
import PoseKit
import PoseTransfer
import ProjectStore
import Rendering
import TensorEngine

/// One column of an exported frame.
protocol FrameColumn: AnyObject {
    /// Pixel size of every image `frame(_:)` returns.
    var size: PixelSize { get }
    /// The column's picture for sequence frame `index`.
    func frame(_ index: Int) throws -> RGBImage
}

/// The driving video's frames, scaled to the project's frame size when the video differs.
final class DrivingColumn: FrameColumn {
    let size: PixelSize
    private let reader: VideoReader
    init(reader: VideoReader, size: PixelSize) {
        self.reader = reader
        self.size = size
    }
    /// Frames past the video's end repeat its last frame (the pose sequence may be longer).
    func frame(_ index: Int) throws -> RGBImage {
        let image = try reader.frame(at: min(index, reader.frameCount - 1))
        return image.size == size ? image : image.fitted(width: size.width, height: size.height, background: .neutral)
    }
}

/// The sequence's skeleton drawn over a background column, or over neutral grey.
final class SkeletonColumn: FrameColumn {
    let size: PixelSize
    private let sequence: PoseSequence
    private let background: FrameColumn?
    private let style: SkeletonStyle
    init(sequence: PoseSequence, background: FrameColumn?) {
        self.sequence = sequence
        self.background = background
        size = PixelSize(width: sequence.frameSize.width, height: sequence.frameSize.height)
        style = SkeletonStyle.scaled(for: size)
    }
    func frame(_ index: Int) throws -> RGBImage {
        var image = try background?.frame(index) ?? RGBImage(width: size.width, height: size.height, fill: .neutral)
        image.drawSkeleton(SkeletonFigures.figure(sequence.pose(at: index)), style: style)
        return image
    }
}

/// The draft render placed back into the output frame (the render crop on the draft background).
final class DraftColumn: FrameColumn {
    let size: PixelSize
    private let renderer: DraftRenderer
    init(renderer: DraftRenderer) {
        self.renderer = renderer
        size = PixelSize(width: renderer.frameSize.width, height: renderer.frameSize.height)
    }
    func frame(_ index: Int) throws -> RGBImage { renderer.placed(frame: index) }
}

/// The neural render (BDMM generator over the bodies' geometry) placed back into the output frame
/// on the render background. The clip is rendered as one, window by window through the render
/// cache; only the frame being exported is held, so memory stays at one window's tensors.
final class NeuralColumn: FrameColumn {
    let size: PixelSize
    private let neural: NeuralRenderer
    private let cache: RenderCache?
    private let weightsID: String
    /// The generated crop of the frame the export is writing, set by `render` before `each`.
    private var current: (index: Int, crop: RGBImage)?

    /// Loads the generator from the checkpoint at `path` (found by `WeightsLocation.find`) over
    /// `geometry`'s bodies and crops.
    /// - Throws: weight-file errors for an unreadable or mismatched checkpoint.
    init(weights path: String, geometry: DraftRenderer, threads: Int, cache: RenderCache?) throws {
        let generator = try WeightsLocation.generator(at: path)
        neural = try NeuralRenderer(geometry: geometry, generator: generator, threads: threads)
        weightsID = WeightsLocation.identity(of: path)
        self.cache = cache
        size = PixelSize(width: geometry.frameSize.width, height: geometry.frameSize.height)
    }

    /// Renders `clip` and calls `each` with every frame index in order, while `frame(_:)` of that
    /// index is available.
    func render(_ clip: Range<Int>, each: (Int) throws -> Void) throws -> NeuralRenderer.CacheUse {
        defer { current = nil }
        return try neural.render(clip, cache: cache, weightsID: weightsID) { index, crop in
            current = (index, crop)
            try each(index)
        }
    }

    func frame(_ index: Int) throws -> RGBImage {
        guard let current, current.index == index else {
            preconditionFailure("NeuralColumn: frame \(index) asked outside render(_:each:) (holding \(current.map { String($0.index) } ?? "none"))")
        }
        return neural.geometry.placed(current.crop, frame: index)
    }
}

/// Columns next to each other, optionally each with the frame number in its top-left corner;
/// padded by one pixel where needed so that width and height are even (yuv420p).
final class FrameLayout {
    let columns: [FrameColumn]
    let labelled: Bool
    let size: PixelSize
    init(columns: [FrameColumn], labelled: Bool) {
        precondition(!columns.isEmpty, "a layout needs a column")
        self.columns = columns
        self.labelled = labelled
        let width = columns.reduce(0) { $0 + $1.size.width }, height = columns.map(\.size.height).max()!
        size = PixelSize(width: width + width % 2, height: height + height % 2)
    }
    func frame(_ index: Int) throws -> RGBImage {
        if columns.count == 1, !labelled, columns[0].size == size { return try columns[0].frame(index) }
        var canvas = RGBImage(width: size.width, height: size.height)
        var x = 0
        let scale = max(2, size.height / 240)
        for column in columns {
            var image = try column.frame(index)
            if labelled { image.drawLabel(String(index), x: 2 * scale, y: 2 * scale, scale: scale) }
            canvas.paste(image, x: x, y: 0)
            x += column.size.width
        }
        return canvas
    }
}

/// BODY_25 poses as drawable figures: limbs and joints coloured by side, markers by provenance.
enum SkeletonFigures {
    static let rightJoints = Set(BODY25.rightJoints)
    static let leftJoints = Set(BODY25.leftRightPairs.map(\.left))

    static func side(_ joint: Joint) -> BodySide {
        rightJoints.contains(joint) ? .right : leftJoints.contains(joint) ? .left : .centre
    }

    static let limbs: [SkeletonLimb] = BODY25.limbs.map { a, b in
        let sides = [side(a), side(b)]
        let limbSide: BodySide = sides.contains(.right) ? .right : sides.contains(.left) ? .left : .centre
        return SkeletonLimb(from: a.rawValue, to: b.rawValue, side: limbSide)
    }

    static func origin(_ provenance: Provenance) -> PointOrigin {
        switch provenance {
        case .raw: .detected
        case .edited: .edited
        case .interpolated: .interpolated
        case .filtered: .filtered
        case .fitted: .fitted
        }
    }

    static func figure(_ pose: [Keypoint]) -> SkeletonFigure {
        let points = pose.enumerated().map { i, k in
            SkeletonPoint(x: k.x, y: k.y, confidence: k.confidence, origin: origin(k.provenance),
                          side: side(Joint(rawValue: i)!), isPresent: !k.isMissing)
        }
        return SkeletonFigure(points: points, limbs: limbs)
    }
}
