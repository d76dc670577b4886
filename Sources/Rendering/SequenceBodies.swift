// Where each frame's SMPL parameters come from — the one seam between the renderer and fitting.
// The SMPL the project stores when every frame (and the source) has it, its camera taken in the
// crop its fit record names (posestudio's fits) or else the frame's square 1.3× keypoint box
// (BodyKit's fitting convention); otherwise a fit in memory with BodyKit's `BodyFitter`, cached per
// project revision (keypoints + body + settings), with a warm refit of just the frames an edit
// changed.
import BodyKit
import Foundation
import PoseKit
import ProjectStore

/// One posed body: θ (72), β (10) and the weak-perspective camera, in `crop` (256 convention).
public struct FrameBody: Hashable, Sendable {
    public var pose: [Double]
    public var shape: [Double]
    public var camera: BodyKit.WeakPerspectiveCamera
    public var crop: CropBox

    public init(pose: [Double], shape: [Double], camera: BodyKit.WeakPerspectiveCamera, crop: CropBox) {
        self.pose = pose
        self.shape = shape
        self.camera = camera
        self.crop = crop
    }
}

/// The source's body and each frame's (nil where a frame has too few keypoints to fit).
public struct SequenceBodies: Sendable {
    public enum Origin: String, Sendable { case stored, fitted }
    public var source: FrameBody?
    public var frames: [FrameBody?]
    public var origin: Origin
    /// The in-memory fit behind `frames` (nil for stored SMPL), kept for warm refits.
    var fit: SequenceFit?

    /// The bodies of `project`: stored SMPL when the source and every frame have it, else a fit.
    public static func of(_ project: Project, body: BodyModel, settings: FitSettings = .standard) -> SequenceBodies {
        stored(project) ?? FitCache.shared.bodies(project, body: body, settings: settings)
    }

    /// The bodies after the keypoints of `changed` frames were edited: stored SMPL as it is now,
    /// or a warm refit of those frames only (β kept).
    public func updated(for project: Project, changed: [Int], body: BodyModel, settings: FitSettings = .standard) -> SequenceBodies {
        if let stored = Self.stored(project) { return stored }
        guard let fit, fit.frames.count == project.sequence.frameCount else {
            return FitCache.shared.bodies(project, body: body, settings: settings)
        }
        let fitter = BodyFitter(body: body, settings: settings)
        let poses = project.sequence.frames.map { project.sequence.pose(at: $0) }
        let refitted = fitter.refit(frames: changed, poses: poses, current: fit)
        let result = Self.fitted(refitted, source: source, poses: poses)
        FitCache.shared.remember(result, for: FitCache.key(project, body: body, settings: settings))
        return result
    }

    static func stored(_ project: Project) -> SequenceBodies? {
        let sequence = project.sequence
        guard sequence.frameCount > 0, sequence.smplFrameCount == sequence.frameCount,
              let sourceSMPL = project.sourcePose.smpl else { return nil }
        func body(_ smpl: SMPLParameters, _ fit: SMPLFitRecord?, _ pose: [Keypoint]) -> FrameBody? {
            guard let crop = fit.map({ CropBox(x: $0.cropX, y: $0.cropY, size: $0.cropSize) }) ?? CropBox.around(pose),
                  let camera = BodyKit.WeakPerspectiveCamera(smpl.cam) else { return nil }
            return FrameBody(pose: smpl.pose, shape: smpl.shape, camera: camera, crop: crop)
        }
        let frames = sequence.frames.map { t in sequence.smpl[t].flatMap { body($0, sequence.fits[t], sequence.pose(at: t)) } }
        return SequenceBodies(source: body(sourceSMPL, project.sourcePose.fit, project.sourcePose.keypoints), frames: frames, origin: .stored)
    }

    static func fitted(_ fit: SequenceFit, source: FrameBody?, poses: [[Keypoint]]) -> SequenceBodies {
        let frames = fit.frames.map { frame in
            frame.map { FrameBody(pose: $0.pose, shape: fit.shape, camera: $0.camera, crop: $0.crop) }
        }
        return SequenceBodies(source: source, frames: frames, origin: .fitted, fit: fit)
    }

    /// Fits the sequence and then the source pose with the sequence's β.
    static func fit(_ project: Project, body: BodyModel, settings: FitSettings) -> SequenceBodies {
        let fitter = BodyFitter(body: body, settings: settings)
        let poses = project.sequence.frames.map { project.sequence.pose(at: $0) }
        let fit = fitter.fitSequence(poses)
        let source = fitter.fitSingle(project.sourcePose.keypoints, shape: fit.shape).map {
            FrameBody(pose: $0.pose, shape: fit.shape, camera: $0.camera, crop: $0.crop)
        }
        return fitted(fit, source: source, poses: poses)
    }
}

/// In-memory fits by project revision. Thread-safe: entries are only touched under `lock`.
final class FitCache: @unchecked Sendable {
    // @unchecked: `entries` is only read and written while holding `lock`.
    static let shared = FitCache()
    private let lock = NSLock()
    private var entries: [(key: Int, bodies: SequenceBodies)] = []
    /// Revisions kept (a studio session edits one project; a few undo steps stay warm).
    private let capacity = 4

    static func key(_ project: Project, body: BodyModel, settings: FitSettings) -> Int {
        var hasher = Hasher()
        hasher.combine(project.sequence.frameCount)
        for t in project.sequence.frames { hasher.combine(project.sequence.pose(at: t)) }
        hasher.combine(project.sourcePose.keypoints)
        hasher.combine(body.kind)
        hasher.combine(body.vertexCount)
        hasher.combine(settings)
        return hasher.finalize()
    }

    func bodies(_ project: Project, body: BodyModel, settings: FitSettings) -> SequenceBodies {
        let key = Self.key(project, body: body, settings: settings)
        if let hit = lock.withLock({ entries.first { $0.key == key }?.bodies }) { return hit }
        let bodies = SequenceBodies.fit(project, body: body, settings: settings)
        remember(bodies, for: key)
        return bodies
    }

    func remember(_ bodies: SequenceBodies, for key: Int) {
        lock.withLock {
            entries.removeAll { $0.key == key }
            entries.insert((key, bodies), at: 0)
            if entries.count > capacity { entries.removeLast() }
        }
    }
}
