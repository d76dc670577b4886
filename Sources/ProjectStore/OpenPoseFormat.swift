// OpenPose `--write_json` directories: one `<name>_<12-digit frame>_keypoints.json` per frame with
// `people[].pose_keypoints_2d` (75 numbers for BODY_25, 54 for COCO-18). `"people": []` and
// all-zero points are missing. Several people: the one with the highest summed confidence,
// unless a person index is given.
import Foundation
import PoseKit

public enum OpenPoseFormat {
    private struct Document: Decodable {
        var people: [Person]
        struct Person: Decodable {
            var pose_keypoints_2d: [Double]?
        }
    }

    /// The longest sequence a directory may span (a guard against absurd indices, not a real limit).
    static let maxFrames = 1_000_000

    /// Splits "cam01_000000000012_keypoints.json" into ("cam01", 12).
    static func frameIndex(of name: String) -> (prefix: String, index: Int)? {
        let suffix = "_keypoints.json"
        guard name.hasSuffix(suffix) else { return nil }
        let stem = name.dropLast(suffix.count)
        let digits = stem.suffix(12)
        guard digits.count == 12, digits.allSatisfy(\.isASCII), digits.allSatisfy(\.isNumber), let index = Int(digits) else { return nil }
        var prefix = stem.dropLast(12)
        if prefix.hasSuffix("_") { prefix = prefix.dropLast() }
        return (String(prefix), index)
    }

    /// Reads a directory of OpenPose JSON files into a sequence ordered by the 12-digit index.
    /// Frames with no file between the first and last index are imported as missing (with a warning).
    public static func readDirectory(_ directory: String, person: Int? = nil) throws -> ImportedPoses {
        let names = try PoseFiles.list(directory, { $0.hasSuffix("_keypoints.json") },
                                       describing: "OpenPose *_keypoints.json files")
        var byIndex: [Int: String] = [:]
        var prefix = ""
        for name in names.sorted() {
            let path = (directory as NSString).appendingPathComponent(name)
            guard let parsed = frameIndex(of: name) else {
                throw ProjectError.badPoses(path: path, field: nil,
                                            why: "the name has no 12-digit frame index (expected <name>_000000000000_keypoints.json)")
            }
            if let other = byIndex[parsed.index] {
                throw ProjectError.badPoses(path: path, field: nil,
                                            why: "frame \(parsed.index) is also given by \(other); one sequence per directory")
            }
            byIndex[parsed.index] = name
            prefix = parsed.prefix
        }
        let first = byIndex.keys.min()!, last = byIndex.keys.max()!
        guard last - first < maxFrames else {
            throw ProjectError.badPoses(path: directory, field: nil,
                                        why: "frame indices run from \(first) to \(last), more than \(maxFrames) frames")
        }
        var frames: [[Keypoint]] = []
        var warnings: [String] = []
        var gaps: [Int] = []
        var peopleSkipped = 0
        for index in first...last {
            guard let name = byIndex[index] else {
                gaps.append(index)
                frames.append(Array(repeating: .missing, count: BODY25.jointCount))
                continue
            }
            let (pose, others) = try readFile((directory as NSString).appendingPathComponent(name), person: person)
            peopleSkipped += others
            frames.append(pose)
        }
        if !gaps.isEmpty {
            warnings.append("\(gaps.count) frame(s) between \(first) and \(last) have no file (first: \(gaps[0])); imported as missing")
        }
        if peopleSkipped > 0 {
            warnings.append("\(peopleSkipped) other detected person(s) ignored; " +
                            (person == nil ? "took the most confident person per frame (choose with --person N)" : "took person \(person!)"))
        }
        return ImportedPoses(frames: frames, smpl: Array(repeating: nil, count: frames.count),
                             prefix: prefix, firstIndex: first, warnings: warnings)
    }

    /// Reads one OpenPose JSON file: the chosen person's BODY_25 pose (all missing when nobody is
    /// there) and how many other people were ignored.
    public static func readFile(_ path: String, person: Int? = nil) throws -> (pose: [Keypoint], othersIgnored: Int) {
        let document = try JSONInput.decode(Document.self, file: path)
        var candidates: [(index: Int, pose: [Keypoint])] = []
        for (i, entry) in document.people.enumerated() {
            guard let values = entry.pose_keypoints_2d, !values.isEmpty else { continue }
            candidates.append((i, try PoseFiles.keypoints(values, file: path, field: "people[\(i)].pose_keypoints_2d")))
        }
        let chosen: [Keypoint]?
        if let person {
            chosen = candidates.first(where: { $0.index == person })?.pose
        } else {
            chosen = candidates.max(by: { score($0.pose) < score($1.pose) })?.pose
        }
        let others = candidates.count - (chosen == nil ? 0 : 1)
        return (chosen ?? Array(repeating: .missing, count: BODY25.jointCount), others)
    }

    private static func score(_ pose: [Keypoint]) -> Double {
        pose.reduce(0) { $0 + ($1.isMissing ? 0 : $1.confidence) }
    }

    /// Writes one file per frame, `<prefix>_<12-digit frame>_keypoints.json`, numbered from `firstIndex`.
    /// A frame whose points are all missing is written as `"people": []`.
    public static func write(_ sequence: PoseSequence, to directory: String, prefix: String, firstIndex: Int = 0) throws {
        let files = sequence.frames.map { frame -> (name: String, text: String) in
            let pose = sequence.pose(at: frame)
            let name = (prefix.isEmpty ? "" : prefix + "_") + String(format: "%012ld", firstIndex + frame) + "_keypoints.json"
            let people = pose.allSatisfy(\.isMissing) ? "" : """
                {"person_id":[-1],"pose_keypoints_2d":\(PoseFiles.numbers(PoseFiles.flatValues(pose))),\
                "face_keypoints_2d":[],"hand_left_keypoints_2d":[],"hand_right_keypoints_2d":[],\
                "pose_keypoints_3d":[],"face_keypoints_3d":[],"hand_left_keypoints_3d":[],"hand_right_keypoints_3d":[]}
                """
            return (name, "{\"version\":1.3,\"people\":[\(people)]}")
        }
        try PoseFiles.write(files, to: directory)
    }
}
