// A proposed change: what a fix or filter would do, as a bulk edit that has not been applied.
// The studio shows it beside the current data and applies or drops it; the CLI applies it as one
// journal entry. Built by diffing a working copy against the original, so it holds exactly the
// points whose value changes.

public struct Proposal: Sendable {
    public let edit: Edit
    public let changes: [PointValue]
    /// What it does, for the journal and the status line ("median 5: 1,204 points in 98 frames × 25 joints").
    public let summary: String

    init(from original: PoseSequence, to modified: PoseSequence, label: String) {
        var changes: [PointValue] = []
        for frame in original.frames {
            for joint in Joint.allCases where original[frame, joint] != modified[frame, joint] {
                changes.append(PointValue(frame: frame, joint: joint, keypoint: modified[frame, joint]))
            }
        }
        self.changes = changes
        self.edit = .replacePoints(changes)
        let frames = Set(changes.map(\.frame)).count, joints = Set(changes.map(\.joint)).count
        self.summary = changes.isEmpty ? "\(label): nothing to change"
            : "\(label): \(changes.count) point\(changes.count == 1 ? "" : "s") in \(frames) frame\(frames == 1 ? "" : "s") × \(joints) joint\(joints == 1 ? "" : "s")"
    }

    public var isEmpty: Bool { changes.isEmpty }
    public var frames: Set<Int> { Set(changes.map(\.frame)) }
    public var joints: Set<Joint> { Set(changes.map(\.joint)) }
}
