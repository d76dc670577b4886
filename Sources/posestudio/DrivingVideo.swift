// Linking a project to its driving video and opening it again later: the file is recorded by
// absolute path, size and SHA-256 with its stream facts; before use it must still be there,
// unchanged. A moved, deleted or changed file is an error that says which and how to re-link.
import Foundation
import Imaging
import MediaIO
import PoseKit
import ProjectStore
import Rendering

enum DrivingVideoLink {
    /// Reads, indexes and checksums `path` and returns the reference to store.
    static func reference(for path: String) throws -> DrivingVideoReference {
        let absolute = URL(fileURLWithPath: path).standardizedFileURL.path
        let reader = try VideoReader(path: absolute)
        let size = (try? FileManager.default.attributesOfItem(atPath: absolute)[.size] as? Int) ?? 0
        return DrivingVideoReference(path: absolute, byteCount: size, sha256: try FileDigest.sha256(path: absolute),
                                     frameCount: reader.frameCount, fps: reader.fps,
                                     frameSize: FrameSize(width: reader.size.width, height: reader.size.height))
    }

    /// Warnings about a video that does not match the pose sequence (it is still linked).
    static func mismatches(_ video: DrivingVideoReference, _ sequence: PoseSequence) -> [String] {
        var notes: [String] = []
        if video.frameCount != sequence.frameCount {
            notes.append("the video has \(video.frameCount) frames, the pose sequence \(sequence.frameCount)")
        }
        if abs(video.fps - sequence.fps) > 1e-6 {
            notes.append("the video runs at \(PoseNumber.text(video.fps)) fps, the pose sequence at \(PoseNumber.text(sequence.fps))")
        }
        if video.frameSize != sequence.frameSize {
            notes.append("the video is \(video.frameSize), the project's frame size \(sequence.frameSize) (frames are scaled to fit)")
        }
        return notes
    }

    /// Opens the project's driving video after checking it is the file that was linked.
    /// - Throws: `ProjectError.io` naming the project and the video when it moved or changed.
    static func open(_ video: DrivingVideoReference, project: String) throws -> VideoReader {
        let relink = "link it again with `posestudio video \(project) FILE` (or remove it with `--remove`)"
        guard FileManager.default.fileExists(atPath: video.path) else {
            throw ProjectError.io(path: project, why: "its driving video \(video.path) is missing (moved or deleted?); \(relink)")
        }
        let size = (try? FileManager.default.attributesOfItem(atPath: video.path)[.size] as? Int) ?? -1
        let digest = size == video.byteCount ? try FileDigest.sha256(path: video.path) : ""
        guard digest == video.sha256 else {
            throw ProjectError.io(path: project, why: "its driving video \(video.path) changed since it was linked "
                                  + "(size \(size) bytes, was \(video.byteCount); checksum differs); \(relink)")
        }
        return try VideoReader(path: video.path)
    }

    /// The driving video's frames `frames`, for what compares pixels with keypoints (the plate, a
    /// dataset, fidelity): the video must be the sequence's frame size and hold those frames.
    /// - Throws: `RenderError` naming the project when there is no video or it does not match.
    static func matchingColumn(_ file: ProjectFile, frames: Range<Int>, purpose: String) throws -> DrivingColumn {
        guard let video = try file.drivingVideo(), let column = try column(file) else {
            throw RenderError("\(file.path): \(purpose) needs the driving video the poses came from (link it with `posestudio video \(file.path) FILE`)")
        }
        guard video.frameSize == file.sequence.frameSize else {
            throw RenderError("\(file.path): \(purpose) needs the driving video at the poses' frame size; \(video.path) is \(video.frameSize), the sequence \(file.sequence.frameSize)")
        }
        guard frames.upperBound <= video.frameCount else {
            throw RenderError("\(file.path): \(purpose): frames \(frames.lowerBound)–\(frames.upperBound - 1) asked, \(video.path) has \(video.frameCount)")
        }
        return column
    }

    /// The driving video as a column at the project's frame size, or nil when there is none.
    static func column(_ file: ProjectFile) throws -> DrivingColumn? {
        guard let video = try file.drivingVideo() else { return nil }
        let reader = try open(video, project: file.path)
        let size = file.sequence.frameSize
        return DrivingColumn(reader: reader, size: PixelSize(width: size.width, height: size.height))
    }
}
