// `export --format json`: the whole project (without the image bytes) as one JSON document laid out
// for diffs: one keypoint per line, keys in a fixed order, numbers in shortest round-trip form.
import Foundation
import PoseKit

public enum ProjectJSON {
    public static let formatVersion = 1

    public static func document(_ project: Project, settings: [String: String]) -> String {
        let sequence = project.sequence
        var out = "{\n"
        out += "  \"posestudio_project\": \(formatVersion),\n"
        out += "  \"fps\": \(PoseFiles.number(sequence.fps)),\n"
        out += "  \"width\": \(sequence.frameSize.width),\n"
        out += "  \"height\": \(sequence.frameSize.height),\n"
        out += "  \"frame_count\": \(sequence.frameCount),\n"
        out += "  \"settings\": {" + settings.keys.sorted().map { "\(quote($0)): \(quote(settings[$0]!))" }.joined(separator: ", ") + "},\n"
        let image = project.sourceImage
        out += "  \"source\": {\n"
        out += "    \"image\": {\"format\": \(quote(image.format.rawValue)), \"width\": \(image.size.width), \"height\": \(image.size.height), \"bytes\": \(image.bytes.count)},\n"
        out += "    \"frame\": \(project.sourceFrame.map(String.init) ?? "null"),\n"
        out += "    \"smpl\": \(smpl(project.sourcePose.smpl)),\n"
        out += "    \"keypoints\": [\n" + keypointLines(project.sourcePose.keypoints, indent: "      ") + "\n    ]\n"
        out += "  },\n"
        out += "  \"frames\": ["
        out += sequence.frames.map { frame in
            "\n    {\"frame\": \(frame), \"smpl\": \(smpl(sequence.smpl[frame])), \"keypoints\": [\n"
                + keypointLines(sequence.pose(at: frame), indent: "      ") + "\n    ]}"
        }.joined(separator: ",")
        out += sequence.frameCount == 0 ? "]\n" : "\n  ]\n"
        out += "}\n"
        return out
    }

    private static func keypointLines(_ pose: [Keypoint], indent: String) -> String {
        zip(Joint.allCases, pose).map { joint, p in
            var fields = ["\"joint\": \(quote(joint.name))", "\"x\": \(PoseFiles.number(p.x))", "\"y\": \(PoseFiles.number(p.y))",
                          "\"c\": \(PoseFiles.number(p.confidence))", "\"provenance\": \(quote(p.provenance.name))"]
            if p.isMissing { fields.append("\"missing\": true") }
            if p.isPinned { fields.append("\"pinned\": true") }
            return indent + "{" + fields.joined(separator: ", ") + "}"
        }.joined(separator: ",\n")
    }

    private static func smpl(_ parameters: SMPLParameters?) -> String {
        guard let parameters else { return "null" }
        return "{\"cam\": \(PoseFiles.numbers(parameters.cam)), \"pose\": \(PoseFiles.numbers(parameters.pose)), \"shape\": \(PoseFiles.numbers(parameters.shape))}"
    }

    static func quote(_ text: String) -> String {
        var out = "\""
        for scalar in text.unicodeScalars {
            switch scalar {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\t": out += "\\t"
            case "\r": out += "\\r"
            case _ where scalar.value < 0x20: out += String(format: "\\u%04x", scalar.value)
            default: out.unicodeScalars.append(scalar)
            }
        }
        return out + "\""
    }
}
