// The refit after an edit, split in two for the studio: the fitting runs on a background thread
// from a snapshot of the sequence, and the result is stored later on the thread that owns the
// ProjectFile — only for frames whose keypoints are still what the fit saw (a newer edit of a
// frame brings its own refit). `refit(frames:in:)` does both at once for the CLI.
import BodyKit
import PoseKit
import ProjectStore

/// A computed refit waiting to be stored.
public struct PendingRefit: Sendable {
    public let frames: [Int]
    let poses: [[Keypoint]]
    let values: [SMPLValue]
    let body: BodyReference
}

extension ProjectFitter {
    /// The label prefix of refit journal entries (the studio undoes them with the edit before).
    public static let refitLabelPrefix = "refitted SMPL"

    /// Whether a project has fits to keep up to date (a never-fitted project is not refitted).
    public static func hasFits(_ sequence: PoseSequence) -> Bool {
        sequence.frames.contains { sequence.fits[$0] != nil }
    }

    /// Refits `frames` of `sequence`, warm-started from its stored fits (β kept). Any thread.
    public func computeRefit(frames: [Int], sequence: PoseSequence) -> PendingRefit {
        let unique = Set(frames).filter { sequence.frames.contains($0) }.sorted()
        let poses = sequence.frames.map { sequence.pose(at: $0) }
        let result = fitter.refit(frames: unique, poses: poses, current: Self.storedFit(sequence))
        return PendingRefit(frames: unique, poses: unique.map { poses[$0] },
                            values: unique.map { Self.value(frame: $0, result.frames[$0], shape: result.shape) }, body: body.reference)
    }

    /// Stores the frames of `pending` whose keypoints have not changed since it was computed, as
    /// one journal entry. - Returns: how many frames were stored.
    @discardableResult
    public func store(_ pending: PendingRefit, in file: ProjectFile) throws -> Int {
        if let recorded = try file.body(), recorded != pending.body {
            throw ProjectFitError.bodyMismatch(path: file.path, recorded: Self.name(recorded), requested: Self.name(pending.body))
        }
        let sequence = file.sequence
        let keep = zip(pending.values, pending.poses)
            .filter { value, pose in sequence.frames.contains(value.frame) && sequence.pose(at: value.frame) == pose }
            .map(\.0)
        guard !keep.isEmpty else { return 0 }
        let label = keep.count == 1 ? "\(Self.refitLabelPrefix) on frame \(keep[0].frame)" : "\(Self.refitLabelPrefix) on \(keep.count) frames"
        try file.recordFit(frames: keep, source: nil, body: pending.body, label: label)
        return keep.count
    }
}
