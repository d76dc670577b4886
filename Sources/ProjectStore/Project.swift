// What a .bdmm project holds, as values: the source (appearance) image as given, its own pose and
// SMPL, the pose timeline with SMPL per frame, and free-form settings.
import Foundation
import PoseKit

/// The source person image, stored byte for byte as the user gave it.
public struct SourceImage: Hashable, Sendable {
    public enum Format: String, Sendable { case png, jpeg }
    public var bytes: Data
    public var format: Format
    public var size: FrameSize

    /// Reads the format and pixel size from the PNG or JPEG header.
    /// - Throws: `ProjectError.badImage` naming `path` when the bytes are neither.
    public init(bytes: Data, path: String) throws {
        guard let info = ImageHeader.read(bytes) else {
            throw ProjectError.badImage(path: path, why: bytes.isEmpty ? "the file is empty" : "not a PNG or JPEG image (or its header is damaged)")
        }
        self.bytes = bytes
        self.format = info.format
        self.size = info.size
    }

    init(bytes: Data, format: Format, size: FrameSize) {
        self.bytes = bytes
        self.format = format
        self.size = size
    }
}

public struct Project: Hashable, Sendable {
    public var sourceImage: SourceImage
    public var sourcePose: SourcePose
    /// The sequence frame the source pose was taken from, if it was.
    public var sourceFrame: Int?
    public var sequence: PoseSequence

    public init(sourceImage: SourceImage, sourcePose: SourcePose, sourceFrame: Int?, sequence: PoseSequence) {
        self.sourceImage = sourceImage
        self.sourcePose = sourcePose
        self.sourceFrame = sourceFrame
        self.sequence = sequence
    }
}

/// Where the edit journal stands: `length` entries, the first `position` of them applied.
public struct JournalState: Hashable, Sendable {
    public var length: Int
    public var position: Int
    public init(length: Int, position: Int) {
        self.length = length
        self.position = position
    }
    public var canUndo: Bool { position > 0 }
    public var canRedo: Bool { position < length }
}

/// One journal entry as `history` lists it.
public struct JournalEntry: Hashable, Sendable {
    /// 1-based position in the journal.
    public var index: Int
    public var label: String
    public var createdAt: Date
    /// True while the entry is applied (not undone).
    public var isApplied: Bool
}
