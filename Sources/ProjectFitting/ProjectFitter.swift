// Fitting a project: read its poses, fit or refit SMPL with BodyKit, store the result as one
// journaled `setSMPL` edit (undoable, provenance "fitted") with the source pose's fit and the
// body used, and report summary figures. The CLI's `fit` and the studio both call this.
// Thread-safety: a `ProjectFitter` is an immutable value (Sendable); the `ProjectFile` passed in
// belongs to the caller, who must not use it from two threads at once.
import BodyKit
import Foundation
import PoseKit
import ProjectStore

/// Reprojection figures of a project's fitted frames, in pixels of the 256 crop.
public struct FitSummary: Hashable, Sendable {
    /// Frames with a fit record.
    public var frames: Int
    /// Median and 95th percentile of every observed keypoint's reprojection error (0 without fits).
    public var medianReprojectionPx: Double
    public var p95ReprojectionPx: Double

    /// The figures of the fits stored in `sequence`.
    public init(_ sequence: PoseSequence) {
        let fits = sequence.fits.compactMap { $0 }
        let errors = fits.flatMap(\.observedErrors)
        frames = fits.count
        medianReprojectionPx = Percentile.of(errors, 0.5)
        p95ReprojectionPx = Percentile.of(errors, 0.95)
    }
}

public enum ProjectFitError: Error, Equatable, CustomStringConvertible {
    /// `refit`, or `fit` of some frames, with another body than the project's other fits used.
    case bodyMismatch(path: String, recorded: String, requested: String)

    public var description: String {
        switch self {
        case let .bodyMismatch(path, recorded, requested):
            "\(path): the project was fitted with \(recorded), not \(requested); fit all frames again with the new body (posestudio fit) instead of refitting some"
        }
    }
}

public struct ProjectFitter: Sendable {
    public let body: ProjectBody
    public let fitter: BodyFitter

    public init(body: ProjectBody, settings: FitSettings = .standard) {
        self.body = body
        self.fitter = BodyFitter(body: body.model, settings: settings)
    }

    /// Fits `frames` (all when nil) and the source pose, and stores them in one transaction.
    /// β is estimated from these frames, unless the project keeps fits of other frames: then their
    /// β is kept so the sequence shares one body shape, and the body must be the one they used.
    /// - Parameter progress: (done, total) steps, on the calling thread.
    /// - Returns: the project's fit summary after the fit.
    /// - Throws: `ProjectFitError.bodyMismatch` for a partial fit with another body than the other
    ///   frames' fits used; `ProjectError` (`.invalidEdit` for a range outside the sequence). Nothing
    ///   is written on error.
    @discardableResult
    public func fit(frames range: Range<Int>? = nil, in file: ProjectFile,
                    progress: ((Int, Int) -> Void)? = nil) throws -> FitSummary {
        let sequence = file.sequence
        let frames = range ?? sequence.frames
        guard !frames.isEmpty, frames.lowerBound >= 0, frames.upperBound <= sequence.frameCount else {
            throw ProjectError.invalidEdit(path: file.path, frames.isEmpty ? .emptyFrameRange(frames)
                                           : .frameOutOfRange(frame: frames.lowerBound < 0 ? frames.lowerBound : frames.upperBound - 1,
                                                              frameCount: sequence.frameCount))
        }
        let otherFitted = sequence.frames.first { !frames.contains($0) && sequence.fits[$0] != nil }
        var keptShape: [Double]?
        if let recorded = try file.body(), let other = otherFitted {
            // Frames outside the range keep their fits: they must share this body (and its β).
            guard recorded == body.reference else {
                throw ProjectFitError.bodyMismatch(path: file.path, recorded: Self.name(recorded), requested: Self.name(body.reference))
            }
            keptShape = sequence.smpl[other]?.shape
        }
        let result = fitter.fitSequence(frames.map { sequence.pose(at: $0) }, shape: keptShape, progress: progress)
        let values = zip(frames, result.frames).map { Self.value(frame: $0, $1, shape: result.shape) }
        let sourceFit: FrameFit? = fitter.fitSingle(file.project.sourcePose.keypoints, shape: result.shape)
        let source = sourceFit.flatMap { Self.stored($0, shape: result.shape) }
        try file.recordFit(frames: values, source: source, body: body.reference,
                           label: "fitted SMPL on frames \(frames.lowerBound):\(frames.upperBound) (\(body.model.kind))")
        return FitSummary(file.sequence)
    }

    /// Refits `frames` after their keypoints changed, warm-started from the stored solution (β
    /// kept), and stores them as one journal entry. Frames without a stored fit start from a
    /// fitted neighbour, or cold. Cost: a few milliseconds per frame plus one transaction.
    /// - Returns: the project's fit summary after the refit.
    /// - Throws: `ProjectFitError.bodyMismatch` when the project's fits used another body;
    ///   `ProjectError` (`.invalidEdit` for a frame outside the sequence; nothing written).
    @discardableResult
    public func refit(frames: [Int], in file: ProjectFile) throws -> FitSummary {
        let sequence = file.sequence
        if let bad = frames.first(where: { !sequence.frames.contains($0) }) {
            throw ProjectError.invalidEdit(path: file.path, sequence.frameCount == 0 ? .emptySequence
                                           : .frameOutOfRange(frame: bad, frameCount: sequence.frameCount))
        }
        try store(computeRefit(frames: frames, sequence: sequence), in: file)
        return FitSummary(file.sequence)
    }

    // MARK: stored form

    /// The stored fits as BodyKit's `SequenceFit` (frames without a fit record are nil; β of the
    /// first fitted frame, the mean shape when there is none).
    public static func storedFit(_ sequence: PoseSequence) -> SequenceFit {
        let frames = sequence.frames.map { t -> FrameFit? in
            guard let record = sequence.fits[t], let smpl = sequence.smpl[t] else { return nil }
            return FrameFit(pose: smpl.pose, camera: WeakPerspectiveCamera(s: smpl.cam[0], tx: smpl.cam[1], ty: smpl.cam[2]),
                            crop: CropBox(x: record.cropX, y: record.cropY, size: record.cropSize), errors: record.errors)
        }
        let shape = sequence.frames.first { sequence.fits[$0] != nil }.flatMap { sequence.smpl[$0]?.shape }
        return SequenceFit(shape: shape ?? [Double](repeating: 0, count: SMPLSkeleton.shapeCount), frames: frames)
    }

    static func stored(_ fit: FrameFit, shape: [Double]) -> (smpl: SMPLParameters, fit: SMPLFitRecord)? {
        guard let smpl = SMPLParameters(cam: fit.camera.values, pose: fit.pose, shape: shape),
              let record = SMPLFitRecord(cropX: fit.crop.x, cropY: fit.crop.y, cropSize: fit.crop.size, errors: fit.errors)
        else { return nil }
        return (smpl, record)
    }

    /// A frame's new value: its fit, or no SMPL when the frame could not be fitted.
    static func value(frame: Int, _ fit: FrameFit?, shape: [Double]) -> SMPLValue {
        let parts = fit.flatMap { Self.stored($0, shape: shape) }
        return SMPLValue(frame: frame, smpl: parts?.smpl, fit: parts?.fit)
    }

    static func name(_ reference: BodyReference) -> String {
        switch reference {
        case .builtin: "the built-in body"
        case let .smpl(path, _): "the SMPL model \(path)"
        }
    }
}
