// What the pose importers return, and the helpers the OpenPose and BDMM readers and writers share:
// turning a flat [x, y, c, …] list into keypoints, listing a directory, and writing numbers.
import Foundation
import PoseKit

/// A sequence read from a directory of per-frame files.
public struct ImportedPoses: Sendable {
    public var frames: [[Keypoint]]
    /// One entry per frame; nil where the files carry no SMPL.
    public var smpl: [SMPLParameters?]
    /// The file name stem before the frame index ("cam01" for cam01_000000000000_keypoints.json).
    public var prefix: String
    /// The frame index of the first file (OpenPose numbering).
    public var firstIndex: Int
    /// Things the user should know that did not stop the import (gaps, people skipped).
    public var warnings: [String]

    public func sequence(fps: Double, frameSize: FrameSize) -> PoseSequence {
        PoseSequence(fps: fps, frameSize: frameSize, frames: frames, smpl: smpl)
    }
}

enum PoseFiles {
    /// Keypoints from OpenPose's flat list: 75 numbers (BODY_25) or 54 (COCO-18, mapped to BODY_25).
    /// A point written as (0, 0, 0) is missing.
    static func keypoints(_ values: [Double], file: String, field: String) throws -> [Keypoint] {
        let jointCount: Int
        switch values.count {
        case BODY25.jointCount * 3: jointCount = BODY25.jointCount
        case COCO18.jointCount * 3: jointCount = COCO18.jointCount
        default:
            throw ProjectError.badPoses(path: file, field: field,
                                        why: "has \(values.count) numbers; expected 75 (BODY_25: 25 × x, y, confidence) or 54 (COCO-18)")
        }
        var points: [Keypoint] = []
        for j in 0..<jointCount {
            let x = values[3 * j], y = values[3 * j + 1], c = values[3 * j + 2]
            for (offset, v) in [x, y, c].enumerated() where !v.isFinite {
                throw ProjectError.badPoses(path: file, field: "\(field)[\(3 * j + offset)]", why: "\(v) is not a finite number")
            }
            guard (0...1).contains(c) else {
                throw ProjectError.badPoses(path: file, field: "\(field)[\(3 * j + 2)]", why: "confidence \(c) is outside 0…1")
            }
            points.append(x == 0 && y == 0 && c == 0 ? .missing : Keypoint(x: x, y: y, confidence: c))
        }
        return jointCount == BODY25.jointCount ? points : COCO18.toBODY25(points)
    }

    /// The flat OpenPose list of a pose: missing points as 0, 0, 0.
    static func flatValues(_ pose: [Keypoint]) -> [Double] {
        pose.flatMap { $0.isMissing ? [0, 0, 0] : [$0.x, $0.y, $0.confidence] }
    }

    /// Names of the regular files in `directory` whose names satisfy `filter`, or a clear error.
    static func list(_ directory: String, _ filter: (String) -> Bool, describing what: String) throws -> [String] {
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: directory, isDirectory: &isDirectory) else {
            throw ProjectError.notFound(path: directory)
        }
        guard isDirectory.boolValue else {
            throw ProjectError.badPoses(path: directory, field: nil, why: "is a file; expected a directory of \(what)")
        }
        let names: [String]
        do { names = try FileManager.default.contentsOfDirectory(atPath: directory) } catch {
            throw ProjectError.io(path: directory, why: "cannot list the directory")
        }
        let matching = names.filter(filter)
        guard !matching.isEmpty else { throw ProjectError.badPoses(path: directory, field: nil, why: "has no \(what)") }
        return matching
    }

    /// JSON number text: integers without a fraction, others in Swift's shortest round-trip form.
    static func number(_ v: Double) -> String {
        if v == v.rounded(), abs(v) < 1e15 { return String(Int(v)) }
        return String(v)
    }

    static func numbers(_ values: [Double]) -> String {
        "[" + values.map(number).joined(separator: ",") + "]"
    }

    /// Creates `directory` if needed and writes each (name, text) atomically.
    static func write(_ files: [(name: String, text: String)], to directory: String) throws {
        do {
            try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        } catch {
            throw ProjectError.io(path: directory, why: "cannot create the directory")
        }
        for file in files {
            let path = (directory as NSString).appendingPathComponent(file.name)
            do { try Data(file.text.utf8).write(to: URL(fileURLWithPath: path), options: .atomic) } catch {
                throw ProjectError.io(path: path, why: "cannot write the file: \(error.localizedDescription)")
            }
        }
    }
}
