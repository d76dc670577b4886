// The draft render of a project: for each frame, the source crop seen through the mesh flow from
// the frame's body to the source's body (no network), on a neutral or chosen background. Created
// once per project (bodies, normalisation, source crop, source body projection), then renders a
// frame as an S × S `RGBImage` on any thread; `update(_:)` takes an edited project and says which
// frames changed. Rendered frames are kept (a studio scrubs back and forth) until invalidated.
import BodyKit
import Foundation
import Imaging
import MediaIO
import PoseKit
import PoseTransfer
import ProjectStore
import TensorEngine

public struct RenderOptions: Hashable, Sendable {
    /// Crop size in pixels (BDMM's is square, 256 × 256).
    public var width: Int
    public var height: Int
    /// Colour of the pixels the body does not cover.
    public var background: RGB
    /// Global pose normalisation towards the source person (on by default).
    public var normalise: Bool
    /// The fitter's settings when bodies are fitted in memory.
    public var fitSettings: FitSettings

    public init(size: Int = 256, background: RGB = .neutral, normalise: Bool = true, fitSettings: FitSettings = .standard) {
        self.init(width: size, height: size, background: background, normalise: normalise, fitSettings: fitSettings)
    }

    public init(width: Int, height: Int, background: RGB = .neutral, normalise: Bool = true, fitSettings: FitSettings = .standard) {
        precondition(width >= 8 && height >= 8, "RenderOptions: size \(width)x\(height)")
        self.width = width
        self.height = height
        self.background = background
        self.normalise = normalise
        self.fitSettings = fitSettings
    }
}

/// A problem with a project's inputs to the renderer, naming the project and what is wrong.
public struct RenderError: Error, CustomStringConvertible, Equatable {
    public var message: String
    public init(_ message: String) { self.message = message }
    public var description: String { message }
}

/// One rendered draft frame with what it was made of.
public struct DraftFrame: Sendable {
    /// The crop (`RenderOptions` width × height).
    public var image: RGBImage
    /// Where the crop sits in the output frame (nil when the frame has no body: background only).
    public var crop: RenderCrop?
    /// [H·W] face of the frame's body at each pixel, -1 where the body does not cover it.
    public var faceIndex: [Int32]
}

public final class DraftRenderer: @unchecked Sendable {
    // @unchecked: every stored property is a `let` of Sendable values except `state`, `rendered`
    // and `backgroundPlate`, which are only read or replaced while holding `lock`.
    public let options: RenderOptions
    public let body: BodyModel
    /// Output frame size (the driving video's, the sequence's frame size).
    public let frameSize: FrameSize
    /// The source image region the renderer warps, and that region at S × S.
    public let sourceCrop: RenderCrop
    public let sourceImage: RGBImage
    private let faces: [SIMD3<Int32>]
    private let sampler: SourceSampler
    private let lock = NSLock()
    private var state: State
    private var rendered: [Int: DraftFrame] = [:]
    private var backgroundPlate: RGBImage?

    /// The background plate (at the frame size) that renders are composited over, person by
    /// matte (`Matte`); nil: renders keep their own background.
    public var plate: RGBImage? {
        get { lock.withLock { backgroundPlate } }
        set {
            precondition(newValue.map { $0.width == frameSize.width && $0.height == frameSize.height } ?? true,
                         "DraftRenderer.plate: \(newValue!.size), the frame is \(frameSize)")
            lock.withLock { backgroundPlate = newValue }
        }
    }

    struct State {
        var project: Project
        var bodies: SequenceBodies
        var normalisation: PoseNormalisation
        /// Source (u, v) of every face corner, [F, 3, 2].
        var sourceCorners: [Float]
    }

    /// Does the per-sequence work: decodes and crops the source image, gets the bodies (stored or
    /// fitted; fitting 100 frames takes seconds), normalisation and the source projection.
    /// - Throws: `RenderError` when the source image cannot be decoded, the source pose has too
    ///   few keypoints for a crop, or the source body cannot be fitted.
    public init(project: Project, name: String, body: BodyModel, options: RenderOptions = RenderOptions()) throws {
        self.options = options
        self.body = body
        frameSize = project.sequence.frameSize
        let image: RGBImage
        do { image = try ImageFile.decode([UInt8](project.sourceImage.bytes), name: "\(name): source image") } catch {
            throw RenderError("\(error)")
        }
        guard let crop = RenderCrop.around(project.sourcePose.keypoints, width: options.width, height: options.height) else {
            throw RenderError("\(name): source pose: fewer than two keypoints are present, so there is no crop to render from")
        }
        sourceCrop = crop
        sourceImage = crop.extract(from: image, background: options.background)
        sampler = SourceSampler(sourceImage)
        faces = stride(from: 0, to: body.faces.count, by: 3).map { SIMD3(body.faces[$0], body.faces[$0 + 1], body.faces[$0 + 2]) }
        let bodies = SequenceBodies.of(project, body: body, settings: options.fitSettings)
        state = try Self.state(project, bodies: bodies, name: name, body: body, crop: crop, faces: faces, options: options)
    }

    private static func state(_ project: Project, bodies: SequenceBodies, name: String, body: BodyModel, crop: RenderCrop,
                              faces: [SIMD3<Int32>], options: RenderOptions) throws -> State {
        guard let source = bodies.source else {
            throw RenderError("\(name): source pose: too few keypoints to fit a body (need three)")
        }
        let mesh = Self.mesh(body, source, camera: crop.camera(source.camera, fittedIn: source.crop), stretchX: crop.stretchX)
        let corners = Projection.faceCorners(Projection.project(mesh), faces: faces)
        let sequence = project.sequence
        let normalisation = options.normalise
            ? PoseNormalisation.between(frames: sequence.frames.map { sequence.pose(at: $0) }, frameSize: sequence.frameSize,
                                        source: project.sourcePose.keypoints, sourceSize: project.sourceImage.size)
            : .identity
        return State(project: project, bodies: bodies, normalisation: normalisation, sourceCorners: corners)
    }

    /// The posed body as the renderer's float32 mesh with `camera`, x multiplied by `stretchX`
    /// (the crop's H / W, see `RenderCrop.camera`).
    static func mesh(_ model: BodyModel, _ body: FrameBody, camera: BodyKit.WeakPerspectiveCamera, stretchX: Double) -> PosedMesh {
        let posed = model.posed(pose: body.pose, shape: body.shape)
        return PosedMesh(vertices: posed.vertices.map { SIMD3(Float($0.x * stretchX), Float($0.y), Float($0.z)) },
                         camera: PoseTransfer.WeakPerspectiveCamera(scale: Float(camera.s), tx: Float(camera.tx), ty: Float(camera.ty)))
    }

    public var frameCount: Int { lock.withLock { state.project.sequence.frameCount } }
    public var bodiesOrigin: SequenceBodies.Origin { lock.withLock { state.bodies.origin } }
    public var normalisation: PoseNormalisation { lock.withLock { state.normalisation } }

    /// The S × S draft of sequence frame `index`. Thread-safe.
    public func render(frame index: Int) -> RGBImage { renderDetailed(frame: index).image }

    /// The draft of frame `index` with its crop and coverage. Thread-safe; cached until invalidated.
    public func renderDetailed(frame index: Int) -> DraftFrame {
        let snapshot: State = lock.withLock { state }
        precondition(snapshot.project.sequence.frames.contains(index), "DraftRenderer: frame \(index) of \(snapshot.project.sequence.frameCount)")
        if let hit = lock.withLock({ rendered[index] }) { return hit }
        let frame = draw(index, snapshot)
        lock.withLock {
            // Keep it only if no update replaced the state meanwhile.
            if state.project == snapshot.project, state.normalisation == snapshot.normalisation { rendered[index] = frame }
        }
        return frame
    }

    /// The render crop of frame `index` in the output frame (nil when it has no body).
    public func crop(frame index: Int) -> RenderCrop? {
        let snapshot: State = lock.withLock { state }
        return Self.crop(index, snapshot, options: options)
    }

    /// Where frame `index`'s fitted body covers its render crop (`[H·W]`, row-major; from its drawn,
    /// cached draft) and that crop;
    /// nil when the frame has no body.
    public func silhouette(frame index: Int) -> (crop: RenderCrop, covered: [Bool])? {
        let drawn = renderDetailed(frame: index)
        guard let crop = drawn.crop else { return nil }
        return (crop, drawn.faceIndex.map { $0 >= 0 })
    }

    /// Frame `index`'s draft placed back into the output frame size on the background.
    public func placed(frame index: Int) -> RGBImage {
        let draft = renderDetailed(frame: index)
        return placed(draft.image, on: draft, draft: true)
    }

    /// A render at the render size of frame `index` on the backdrop: composited by the frame's
    /// matte over the plate cut out by its crop, or as it is without a plate. A `draft` (defined
    /// exactly on the silhouette, the background colour around it) takes the silhouette itself.
    public func onBackdrop(_ render: RGBImage, frame index: Int, draft: Bool = false) -> RGBImage {
        guard let plate else { return render }
        // Crop and matte from one drawn state (an edit may replace the state meanwhile).
        let drawn = renderDetailed(frame: index)
        guard let crop = drawn.crop else { return RGBImage(width: options.width, height: options.height, fill: options.background) }
        return matte(of: drawn, draft: draft).composite(render, over: crop.extract(from: plate, background: options.background))
    }

    /// Frame `index`'s person matte in its crop (nil without a body): grown and feathered for a
    /// network's render, the bare silhouette for a `draft`.
    public func matte(frame index: Int, draft: Bool = false) -> Matte? {
        let drawn = renderDetailed(frame: index)
        return drawn.crop == nil ? nil : matte(of: drawn, draft: draft)
    }

    private func matte(of drawn: DraftFrame, draft: Bool) -> Matte {
        let covered = drawn.faceIndex.map { $0 >= 0 }
        return draft ? Matte(silhouette: covered, width: options.width, height: options.height, dilation: 0, feather: 1)
            : Matte(silhouette: covered, width: options.width, height: options.height)
    }

    /// A render of frame `index` at the render size (a neural frame) placed back into the output
    /// frame size on the background, where this renderer crops that frame.
    public func placed(_ render: RGBImage, frame index: Int) -> RGBImage {
        placed(render, on: renderDetailed(frame: index), draft: false)
    }

    /// `render` placed where `drawn` (the frame's drawn state) crops it: on the plate by the
    /// person's matte, or pasted whole on the background colour.
    private func placed(_ render: RGBImage, on drawn: DraftFrame, draft: Bool) -> RGBImage {
        guard let plate else {
            var canvas = RGBImage(width: frameSize.width, height: frameSize.height, fill: options.background)
            drawn.crop?.place(render, onto: &canvas)
            return canvas
        }
        var canvas = plate
        if let crop = drawn.crop { crop.place(render, matte: matte(of: drawn, draft: draft), onto: &canvas) }
        return canvas
    }

    /// Takes the edited project: refits (or re-reads) the bodies of the frames whose keypoints or
    /// SMPL changed and drops their rendered drafts (all of them when the normalisation moved).
    /// - Returns: the invalidated frames.
    /// - Throws: `RenderError` when the source changed (create a new renderer then).
    @discardableResult
    public func update(_ project: Project, name: String) throws -> Set<Int> {
        let old: State = lock.withLock { state }
        guard project.sourceImage == old.project.sourceImage, project.sourcePose == old.project.sourcePose else {
            throw RenderError("\(name): the source image or pose changed; create a new renderer")
        }
        let before = old.project.sequence, after = project.sequence
        var changed = Set<Int>()
        if before.frameCount != after.frameCount || before.frameSize != after.frameSize {
            changed = Set(after.frames)
        } else {
            for t in after.frames where before.pose(at: t) != after.pose(at: t) || before.smpl[t] != after.smpl[t] || before.fits[t] != after.fits[t] {
                changed.insert(t)
            }
        }
        guard !changed.isEmpty else { return [] }
        let bodies = old.bodies.updated(for: project, changed: changed.sorted(), body: body, settings: options.fitSettings)
        let new = try Self.state(project, bodies: bodies, name: name, body: body, crop: sourceCrop, faces: faces, options: options)
        if new.normalisation != old.normalisation { changed = Set(after.frames) }
        lock.withLock {
            state = new
            for t in changed { rendered[t] = nil }
            if before.frameCount != after.frameCount { rendered = [:] }
        }
        return changed
    }

    // MARK: drawing

    static func crop(_ index: Int, _ state: State, options: RenderOptions) -> RenderCrop? {
        RenderCrop.around(state.normalisation.apply(state.project.sequence.pose(at: index)), width: options.width, height: options.height)
    }

    /// What the network reads for frame `index`: its crop (nil without a body), the rasterised
    /// body (nil without a body), the mesh flow `[1, H, W, 2]` to the source (all −2 without a
    /// body) and the 25 keypoints in crop pixels ((0, 0) where missing, the heatmaps' rule).
    func inputs(frame index: Int) -> (crop: RenderCrop?, raster: FaceRaster?, grid: Tensor, points: [(x: Double, y: Double)]) {
        let snapshot: State = lock.withLock { state }
        return inputs(index, snapshot)
    }

    private func inputs(_ index: Int, _ snapshot: State) -> (crop: RenderCrop?, raster: FaceRaster?, grid: Tensor, points: [(x: Double, y: Double)]) {
        let (w, h) = (options.width, options.height)
        guard let frameBody = snapshot.bodies.frames[index], let crop = Self.crop(index, snapshot, options: options) else {
            return (nil, nil, Tensor(shape: [1, h, w, 2], repeating: MeshFlow.background), [(x: Double, y: Double)](repeating: (0, 0), count: 25))
        }
        let camera = crop.camera(frameBody.camera, fittedIn: frameBody.crop, normalisation: snapshot.normalisation)
        let mesh = Self.mesh(body, frameBody, camera: camera, stretchX: crop.stretchX)
        let raster = Rasterizer.rasterize(projected: Projection.project(mesh), faces: faces, height: h, width: w)
        let grid = MeshFlow.grid(raster, sourceCorners: snapshot.sourceCorners)
        let points = snapshot.normalisation.apply(snapshot.project.sequence.pose(at: index)).map { k -> (x: Double, y: Double) in
            guard !k.isMissing else { return (0, 0) }
            let p = crop.toCrop(SIMD2(k.x, k.y))
            return (p.x, p.y)
        }
        return (crop, raster, grid, points)
    }

    private func draw(_ index: Int, _ snapshot: State) -> DraftFrame {
        let (w, h) = (options.width, options.height)
        let input = inputs(index, snapshot)
        guard let crop = input.crop, let raster = input.raster else {
            return DraftFrame(image: RGBImage(width: w, height: h, fill: options.background), crop: nil,
                              faceIndex: [Int32](repeating: -1, count: w * h))
        }
        let image = sampler.composite(grid: input.grid.storage, faceIndex: raster.faceIndex, width: w, height: h, background: options.background)
        return DraftFrame(image: image, crop: crop, faceIndex: raster.faceIndex)
    }
}
