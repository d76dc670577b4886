// BDMM `kptsmpls` directories: one JSON object per frame with `pose_keypoints_2d` (25 × x, y, score,
// flat or as rows), `cam` (3: s, tx, ty), `pose_theta` (72), `shape_beta` (10) and an optional
// `bbox_xyxy` (4, not kept). Frames are ordered by the number in the file name.
import Foundation
import PoseKit

public enum BDMMFormat {
    private struct Document: Decodable {
        var pose_keypoints_2d: NumberList
        var cam: NumberList?
        var pose_theta: NumberList?
        var shape_beta: NumberList?
        var bbox_xyxy: NumberList?
    }

    /// The last run of digits in a file name, for ordering ("frame_0012.json" → 12).
    static func number(in name: String) -> Int? {
        let stem = (name as NSString).deletingPathExtension
        let digits = stem.reversed().drop(while: { !$0.isNumber }).prefix(while: { $0.isNumber && $0.isASCII })
        return digits.isEmpty ? nil : Int(String(digits.reversed()))
    }

    public static func readDirectory(_ directory: String) throws -> ImportedPoses {
        let names = try PoseFiles.list(directory, { $0.hasSuffix(".json") }, describing: "BDMM kptsmpls *.json files")
        let ordered = names.sorted { a, b in
            switch (number(in: a), number(in: b)) {
            case let (x?, y?) where x != y: x < y
            default: a < b
            }
        }
        var frames: [[Keypoint]] = []
        var smpl: [SMPLParameters?] = []
        for name in ordered {
            let path = (directory as NSString).appendingPathComponent(name)
            let (pose, parameters) = try readFile(path)
            frames.append(pose)
            smpl.append(parameters)
        }
        let withSMPL = smpl.count(where: { $0 != nil })
        var warnings: [String] = []
        if withSMPL > 0 && withSMPL < smpl.count {
            warnings.append("\(smpl.count - withSMPL) of \(smpl.count) files have no SMPL parameters")
        }
        return ImportedPoses(frames: frames, smpl: smpl, prefix: "", firstIndex: ordered.first.flatMap(number(in:)) ?? 0,
                             warnings: warnings)
    }

    package static func readFile(_ path: String) throws -> ([Keypoint], SMPLParameters?) {
        let document = try JSONInput.decode(Document.self, file: path)
        let pose = try PoseFiles.keypoints(document.pose_keypoints_2d.values, file: path, field: "pose_keypoints_2d")
        let parts: [(String, [Double]?, Int)] = [
            ("cam", document.cam?.values, SMPLParameters.camCount),
            ("pose_theta", document.pose_theta?.values, SMPLParameters.poseCount),
            ("shape_beta", document.shape_beta?.values, SMPLParameters.shapeCount),
        ]
        if let bbox = document.bbox_xyxy?.values, bbox.count != 4 {
            throw ProjectError.badPoses(path: path, field: "bbox_xyxy", why: "has \(bbox.count) numbers; expected 4")
        }
        let present = parts.filter { $0.1 != nil }
        guard !present.isEmpty else { return (pose, nil) }
        if let absent = parts.first(where: { $0.1 == nil }) {
            throw ProjectError.badPoses(path: path, field: absent.0, why: "missing (cam, pose_theta and shape_beta go together)")
        }
        for (field, values, count) in parts {
            guard values!.count == count else {
                throw ProjectError.badPoses(path: path, field: field, why: "has \(values!.count) numbers; expected \(count)")
            }
            if let bad = values!.firstIndex(where: { !$0.isFinite }) {
                throw ProjectError.badPoses(path: path, field: "\(field)[\(bad)]", why: "is not a finite number")
            }
        }
        return (pose, SMPLParameters(cam: parts[0].1!, pose: parts[1].1!, shape: parts[2].1!))
    }

    /// Writes `000000.json`, `000001.json`, …: keypoints (missing as 0, 0, 0) and, where the frame
    /// has them, cam, pose_theta and shape_beta.
    public static func write(_ sequence: PoseSequence, to directory: String) throws {
        let files = sequence.frames.map { frame -> (name: String, text: String) in
            var fields = ["\"pose_keypoints_2d\":" + PoseFiles.numbers(PoseFiles.flatValues(sequence.pose(at: frame)))]
            if let smpl = sequence.smpl[frame] {
                fields.append("\"cam\":" + PoseFiles.numbers(smpl.cam))
                fields.append("\"pose_theta\":" + PoseFiles.numbers(smpl.pose))
                fields.append("\"shape_beta\":" + PoseFiles.numbers(smpl.shape))
            }
            return (String(format: "%06ld.json", frame), "{" + fields.joined(separator: ",") + "}\n")
        }
        try PoseFiles.write(files, to: directory)
    }
}
