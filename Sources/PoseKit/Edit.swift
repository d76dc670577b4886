// Edits: invertible values over a PoseSequence. Applying an edit returns the edit that undoes it
// exactly, bit for bit: inverses restore stored old values instead of doing arithmetic backwards.
// Frame ranges are half-open (`start..<end`, written START:END on the command line).

/// One keypoint's complete value at one frame; the unit of bulk edits and of inverses.
public struct PointValue: Hashable, Sendable {
    public var frame: Int
    public var joint: Joint
    public var keypoint: Keypoint
    public init(frame: Int, joint: Joint, keypoint: Keypoint) {
        self.frame = frame
        self.joint = joint
        self.keypoint = keypoint
    }
}

/// One frame's complete SMPL value: parameters and fit record (both nil: no SMPL).
public struct SMPLValue: Hashable, Sendable {
    public var frame: Int
    public var smpl: SMPLParameters?
    public var fit: SMPLFitRecord?
    public init(frame: Int, smpl: SMPLParameters?, fit: SMPLFitRecord?) {
        self.frame = frame
        self.smpl = smpl
        self.fit = fit
    }
}

public enum Edit: Hashable, Sendable {
    /// Moves the present points of `joints` by (dx, dy) pixels on every frame of `frames`; missing
    /// points are left alone. Provenance becomes edited.
    case move(frames: Range<Int>, joints: [Joint], dx: Double, dy: Double)
    /// Puts one joint at (x, y). A missing point becomes present with confidence 1 (a person placed
    /// it). Provenance becomes edited.
    case place(frame: Int, joint: Joint, x: Double, y: Double)
    /// Sets the confidence (0…1) of the present points. Provenance becomes edited.
    case setConfidence(frames: Range<Int>, joints: [Joint], confidence: Double)
    /// Marks points missing, or present again at their kept coordinates. Provenance becomes edited
    /// (a point a person marked missing is not filled back in by gap filling).
    case setMissing(frames: Range<Int>, joints: [Joint], missing: Bool)
    /// Pins (filters never move a pinned point) or unpins.
    case setPinned(frames: Range<Int>, joints: [Joint], pinned: Bool)
    /// Exchanges the given left/right pairs (named by their right joint; `BODY25.rightJoints` for
    /// all) on each frame of the range. A pair with a pinned point on a frame is left alone there.
    /// Swapped present points become edited.
    case swapLeftRight(frames: Range<Int>, pairs: [Joint])
    /// Writes these values as given, in order (the bulk edit filters and fixes produce).
    case replacePoints([PointValue])
    /// Replaces the whole sequence (import). May change the frame count, fps, frame size and SMPL.
    case replaceSequence(PoseSequence)
    /// Writes frames' SMPL and fit records as given, in order (a fit or refit; provenance
    /// "fitted": a value with a fit record is SMPL posestudio fitted). Keypoints are not touched.
    case setSMPL([SMPLValue])
}

/// Why an edit cannot apply to a sequence. The sequence is left unchanged.
public enum EditError: Error, Equatable, CustomStringConvertible {
    case emptySequence
    case frameOutOfRange(frame: Int, frameCount: Int)
    case emptyFrameRange(Range<Int>)
    case noJoints
    case notFinite(field: String)
    case confidenceOutOfRange(Double)
    case noPresentPoints
    case invalidKeypoint(frame: Int, joint: Joint)
    case invalidSequence(String)

    public var description: String {
        switch self {
        case .emptySequence: "the sequence has no frames"
        case let .frameOutOfRange(frame, count): "frame \(frame) is out of range (the sequence has frames 0–\(count - 1))"
        case let .emptyFrameRange(range): "frame range \(range.lowerBound):\(range.upperBound) is empty"
        case .noJoints: "no joints given"
        case let .notFinite(field): "\(field) is not a finite number"
        case let .confidenceOutOfRange(c): "confidence \(c) is outside 0…1"
        case .noPresentPoints: "every selected point is missing; place it instead of moving it"
        case let .invalidKeypoint(frame, joint): "keypoint \(joint) at frame \(frame) has a non-finite value or a confidence outside 0…1"
        case let .invalidSequence(why): "invalid sequence: \(why)"
        }
    }
}

extension PoseSequence {
    /// Applies `edit` and returns its exact inverse. Throws without changing anything when the edit
    /// does not fit this sequence.
    @discardableResult
    public mutating func apply(_ edit: Edit) throws(EditError) -> Edit {
        if case let .replaceSequence(replacement) = edit {
            try replacement.validate()
            let old = self
            self = replacement
            return .replaceSequence(old)
        }
        if case let .setSMPL(values) = edit {
            var inverse: [SMPLValue] = []
            for value in values {
                try check(frame: value.frame)
                if value.fit != nil && value.smpl == nil { throw .invalidSequence("frame \(value.frame) has a fit record but no SMPL") }
            }
            for value in values {
                inverse.append(SMPLValue(frame: value.frame, smpl: smpl[value.frame], fit: fits[value.frame]))
                setSMPL(value.smpl, fit: value.fit, at: value.frame)
            }
            return .setSMPL(inverse.reversed())
        }
        let changes = try pointChanges(for: edit)
        var inverse: [PointValue] = []
        inverse.reserveCapacity(changes.count)
        for change in changes {
            inverse.append(PointValue(frame: change.frame, joint: change.joint, keypoint: self[change.frame, change.joint]))
            self[change.frame, change.joint] = change.keypoint
        }
        return .replacePoints(inverse.reversed())
    }

    /// The new point values `edit` writes, in application order (not for replaceSequence).
    private func pointChanges(for edit: Edit) throws(EditError) -> [PointValue] {
        switch edit {
        case let .move(frames, joints, dx, dy):
            try check(finite: dx, "dx")
            try check(finite: dy, "dy")
            let changes = try selection(frames, joints).compactMap { frame, joint -> PointValue? in
                var point = self[frame, joint]
                guard !point.isMissing else { return nil }
                point.x += dx
                point.y += dy
                point.provenance = .edited
                return PointValue(frame: frame, joint: joint, keypoint: point)
            }
            guard !changes.isEmpty else { throw .noPresentPoints }
            return changes
        case let .place(frame, joint, x, y):
            try check(finite: x, "x")
            try check(finite: y, "y")
            try check(frame: frame)
            var point = self[frame, joint]
            if point.isMissing {
                point.isMissing = false
                point.confidence = 1
            }
            point.x = x
            point.y = y
            point.provenance = .edited
            return [PointValue(frame: frame, joint: joint, keypoint: point)]
        case let .setConfidence(frames, joints, confidence):
            try check(finite: confidence, "confidence")
            guard (0...1).contains(confidence) else { throw .confidenceOutOfRange(confidence) }
            let changes = try selection(frames, joints).compactMap { frame, joint -> PointValue? in
                var point = self[frame, joint]
                guard !point.isMissing else { return nil }
                point.confidence = confidence
                point.provenance = .edited
                return PointValue(frame: frame, joint: joint, keypoint: point)
            }
            guard !changes.isEmpty else { throw .noPresentPoints }
            return changes
        case let .setMissing(frames, joints, missing):
            return try selection(frames, joints).map { frame, joint in
                var point = self[frame, joint]
                point.isMissing = missing
                point.provenance = .edited
                return PointValue(frame: frame, joint: joint, keypoint: point)
            }
        case let .setPinned(frames, joints, pinned):
            return try selection(frames, joints).map { frame, joint in
                var point = self[frame, joint]
                point.isPinned = pinned
                return PointValue(frame: frame, joint: joint, keypoint: point)
            }
        case let .swapLeftRight(frames, pairs):
            try check(range: frames)
            let chosen = Set(pairs)
            guard !chosen.isEmpty, chosen.allSatisfy({ $0.mirrored != $0 }) else { throw .noJoints }
            var changes: [PointValue] = []
            for frame in frames {
                for (right, left) in BODY25.leftRightPairs where chosen.contains(right) || chosen.contains(left) {
                    if self[frame, right].isPinned || self[frame, left].isPinned { continue }
                    for (to, from) in [(right, left), (left, right)] {
                        var point = self[frame, from]
                        if !point.isMissing { point.provenance = .edited }
                        changes.append(PointValue(frame: frame, joint: to, keypoint: point))
                    }
                }
            }
            return changes
        case let .replacePoints(points):
            for point in points {
                try check(frame: point.frame)
                guard point.keypoint.isValid else { throw .invalidKeypoint(frame: point.frame, joint: point.joint) }
            }
            return points
        case .replaceSequence, .setSMPL:
            preconditionFailure("replaceSequence and setSMPL are applied whole")
        }
    }

    private func check(finite value: Double, _ field: String) throws(EditError) {
        guard value.isFinite else { throw .notFinite(field: field) }
    }

    private func check(frame: Int) throws(EditError) {
        guard frameCount > 0 else { throw .emptySequence }
        guard frames.contains(frame) else { throw .frameOutOfRange(frame: frame, frameCount: frameCount) }
    }

    private func check(range: Range<Int>) throws(EditError) {
        guard !range.isEmpty else { throw .emptyFrameRange(range) }
        try check(frame: range.lowerBound)
        try check(frame: range.upperBound - 1)
    }

    /// Every (frame, joint) of a range × joint list, frame-major, joints deduplicated in given order.
    private func selection(_ range: Range<Int>, _ joints: [Joint]) throws(EditError) -> [(Int, Joint)] {
        try check(range: range)
        guard !joints.isEmpty else { throw .noJoints }
        var seen = Set<Joint>()
        let unique = joints.filter { seen.insert($0).inserted }
        return range.flatMap { frame in unique.map { (frame, $0) } }
    }

    /// Checks what a sequence must satisfy to be stored: positive finite fps, positive frame size,
    /// valid keypoints.
    public func validate() throws(EditError) {
        guard fps.isFinite && fps > 0 else { throw .invalidSequence("fps \(fps) must be a positive number") }
        guard frameSize.width > 0 && frameSize.height > 0 else { throw .invalidSequence("frame size \(frameSize) must be positive") }
        if let bad = keypoints.firstIndex(where: { !$0.isValid }) {
            throw .invalidKeypoint(frame: bad / BODY25.jointCount, joint: Joint(rawValue: bad % BODY25.jointCount)!)
        }
    }
}

extension Edit {
    /// The frames whose keypoints or SMPL this edit may change; nil means the whole sequence may change.
    public var touchedFrames: [Int]? {
        switch self {
        case let .move(frames, _, _, _), let .setConfidence(frames, _, _), let .setMissing(frames, _, _),
             let .setPinned(frames, _, _), let .swapLeftRight(frames, _):
            Array(frames)
        case let .place(frame, _, _, _):
            [frame]
        case let .replacePoints(points):
            Array(Set(points.map(\.frame))).sorted()
        case let .setSMPL(values):
            Array(Set(values.map(\.frame))).sorted()
        case .replaceSequence:
            nil
        }
    }

    /// One line for the history list.
    public var summary: String {
        switch self {
        case let .move(frames, joints, dx, dy):
            "move \(Self.names(joints)) by (\(Self.signed(dx)), \(Self.signed(dy))) \(Self.at(frames))"
        case let .place(frame, joint, x, y):
            "place \(joint) at (\(Self.number(x)), \(Self.number(y))) at frame \(frame)"
        case let .setConfidence(frames, joints, confidence):
            "set confidence of \(Self.names(joints)) to \(Self.number(confidence)) \(Self.at(frames))"
        case let .setMissing(frames, joints, missing):
            "mark \(Self.names(joints)) \(missing ? "missing" : "present") \(Self.at(frames))"
        case let .setPinned(frames, joints, pinned):
            "\(pinned ? "pin" : "unpin") \(Self.names(joints)) \(Self.at(frames))"
        case let .swapLeftRight(frames, pairs):
            "swap left/right \(Set(pairs) == Set(BODY25.rightJoints) ? "" : Self.names(pairs) + " ")\(Self.at(frames))"
        case let .replacePoints(points):
            "replace \(points.count) point\(points.count == 1 ? "" : "s") in \(Set(points.map(\.frame)).count) frame(s)"
        case let .replaceSequence(sequence):
            "replace the sequence (\(sequence.frameCount) frames)"
        case let .setSMPL(values):
            values.allSatisfy({ $0.fit != nil })
                ? "fitted SMPL on \(Set(values.map(\.frame)).count) frame(s)"
                : "set SMPL on \(Set(values.map(\.frame)).count) frame(s)"
        }
    }

    private static func names(_ joints: [Joint]) -> String {
        joints.count == BODY25.jointCount ? "all joints" : joints.map(\.name).joined(separator: ",")
    }
    private static func at(_ frames: Range<Int>) -> String {
        frames.count == 1 ? "at frame \(frames.lowerBound)" : "at frames \(frames.lowerBound):\(frames.upperBound)"
    }
    private static func number(_ value: Double) -> String {
        value == value.rounded() && abs(value) < 1e15 ? String(Int(value)) : String(value)
    }
    private static func signed(_ value: Double) -> String {
        (value >= 0 ? "+" : "") + number(value)
    }
}
