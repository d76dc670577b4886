import Foundation
import PoseKit
import Testing
@testable import ProjectStore

@Suite struct PoseFormatTests {
    static func body25(_ seed: Double) -> [Double] {
        var values: [Double] = []
        for j in 0..<25 {
            let d = Double(j)
            values += [seed + d * 10.125, seed * 2 + d, 0.5 + d / 100]
        }
        return values
    }

    static func openPose(_ people: [[Double]]) -> String {
        let list = people.map { "{\"person_id\":[-1],\"pose_keypoints_2d\":[" + $0.map { String($0) }.joined(separator: ",") + "]}" }
        return "{\"version\":1.3,\"people\":[" + list.joined(separator: ",") + "]}"
    }

    static func write(_ files: [String: String], in dir: TemporaryDirectory) throws {
        for (name, text) in files { try Data(text.utf8).write(to: URL(fileURLWithPath: dir.file(name))) }
    }

    @Test func openPoseDirectoryIsOrderedByFrameIndexWithGapsMissing() throws {
        let dir = TemporaryDirectory()
        try Self.write([
            "clip_000000000012_keypoints.json": Self.openPose([Self.body25(3)]),
            "clip_000000000010_keypoints.json": Self.openPose([Self.body25(1)]),
            "clip_000000000013_keypoints.json": "{\"version\":1.3,\"people\":[]}",
            "notes.txt": "ignored",
        ], in: dir)
        let imported = try OpenPoseFormat.readDirectory(dir.path)
        #expect(imported.frames.count == 4)
        #expect(imported.firstIndex == 10 && imported.prefix == "clip")
        #expect(imported.frames[0][0].x == 1 && imported.frames[2][0].x == 3)
        let gapMissing = imported.frames[1].allSatisfy { $0.isMissing }
        let emptyMissing = imported.frames[3].allSatisfy { $0.isMissing }
        #expect(gapMissing, "frame 11 has no file")
        #expect(emptyMissing, "people: [] is missing")
        #expect(imported.warnings.count == 1 && imported.warnings[0].contains("no file"))
    }

    @Test func allZeroPointsAreMissingAndCocoIsMapped() throws {
        let dir = TemporaryDirectory()
        var values = Self.body25(5)
        values.replaceSubrange(12..<15, with: [0, 0, 0])   // RWrist
        let coco = (0..<18).flatMap { j in [Double(j) + 1, Double(j) + 2, 0.75] }
        try Self.write(["a_000000000000_keypoints.json": Self.openPose([values]),
                        "a_000000000001_keypoints.json": Self.openPose([coco])], in: dir)
        let imported = try OpenPoseFormat.readDirectory(dir.path)
        #expect(imported.frames[0][Joint.rWrist.rawValue].isMissing)
        #expect(!imported.frames[0][Joint.rElbow.rawValue].isMissing)
        #expect(imported.frames[1][Joint.rHip.rawValue] == Keypoint(x: 9, y: 10, confidence: 0.75))
        #expect(imported.frames[1][Joint.lHeel.rawValue].isMissing)
    }

    @Test func theMostConfidentPersonUnlessOneIsChosen() throws {
        let dir = TemporaryDirectory()
        var weak = Self.body25(100)
        for j in 0..<25 { weak[3 * j + 2] = 0.1 }
        try Self.write(["p_000000000000_keypoints.json": Self.openPose([weak, Self.body25(7)])], in: dir)
        let best = try OpenPoseFormat.readDirectory(dir.path)
        #expect(best.frames[0][0].x == 7)
        #expect(best.warnings.contains { $0.contains("1 other detected person") })
        let chosen = try OpenPoseFormat.readDirectory(dir.path, person: 0)
        #expect(chosen.frames[0][0].x == 100)
    }

    struct BadInput: CustomTestStringConvertible, Sendable {
        let name: String
        let files: [String: String]
        let field: String?
        let why: String
        var testDescription: String { name }
    }

    static let badInputs: [BadInput] = [
        BadInput(name: "wrong length", files: ["x_000000000000_keypoints.json": openPose([Array(body25(1).dropLast())])],
                 field: "people[0].pose_keypoints_2d", why: "74 numbers"),
        BadInput(name: "NaN", files: ["x_000000000000_keypoints.json": "{\"people\":[{\"pose_keypoints_2d\":[NaN,1,1]}]}"],
                 field: nil, why: "not valid JSON"),
        BadInput(name: "string in place of a number",
                 files: ["x_000000000000_keypoints.json": "{\"people\":[{\"pose_keypoints_2d\":[1,2,\"0.5\"]}]}"],
                 field: "people[0].pose_keypoints_2d[2]", why: "expected a number, found a string"),
        BadInput(name: "no people key", files: ["x_000000000000_keypoints.json": "{\"version\":1.3}"], field: "people", why: "missing"),
        BadInput(name: "truncated JSON", files: ["x_000000000000_keypoints.json": "{\"people\":[{\"pose_keypo"], field: nil, why: "not valid JSON"),
        BadInput(name: "confidence above one",
                 files: ["x_000000000000_keypoints.json": openPose([body25(1).enumerated().map { $0.offset == 2 ? 3 : $0.element }])],
                 field: "people[0].pose_keypoints_2d[2]", why: "outside 0…1"),
        BadInput(name: "no index in the name", files: ["frame_keypoints.json": openPose([body25(1)])], field: nil, why: "12-digit"),
        BadInput(name: "two files for one frame",
                 files: ["a_000000000000_keypoints.json": openPose([body25(1)]), "b_000000000000_keypoints.json": openPose([body25(1)])],
                 field: nil, why: "also given by"),
        BadInput(name: "no files at all", files: ["readme.txt": "nothing here"], field: nil, why: "has no OpenPose"),
    ]

    @Test(arguments: badInputs)
    func badOpenPoseInputNamesTheFileAndField(_ input: BadInput) throws {
        let dir = TemporaryDirectory()
        try Self.write(input.files, in: dir)
        #expect { try OpenPoseFormat.readDirectory(dir.path) } throws: { error in
            guard case let ProjectError.badPoses(path, field, why) = error else { return false }
            return path.hasPrefix(dir.path) && field == input.field && why.contains(input.why)
        }
    }

    @Test func openPoseExportReadsBackTheSame() throws {
        let dir = TemporaryDirectory()
        let sequence = Sample.sequence(frames: 6)
        try OpenPoseFormat.write(sequence, to: dir.file("out"), prefix: "cam", firstIndex: 3)
        let names = try FileManager.default.contentsOfDirectory(atPath: dir.file("out")).sorted()
        #expect(names.first == "cam_000000000003_keypoints.json" && names.count == 6)
        let back = try OpenPoseFormat.readDirectory(dir.file("out"))
        #expect(back.firstIndex == 3 && back.prefix == "cam")
        for f in 0..<6 { #expect(back.frames[f] == sequence.pose(at: f)) }
    }

    @Test func bdmmRoundTripKeepsSMPL() throws {
        let dir = TemporaryDirectory()
        let sequence = Sample.sequence(frames: 12, smpl: true)
        try BDMMFormat.write(sequence, to: dir.path)
        let back = try BDMMFormat.readDirectory(dir.path)
        #expect(back.frames.count == 12)
        for f in 0..<12 {
            #expect(back.frames[f] == sequence.pose(at: f))
            #expect(back.smpl[f] == sequence.smpl[f])
        }
    }

    @Test func bdmmAcceptsRowsAndNamesBadFields() throws {
        let dir = TemporaryDirectory()
        let rows = (0..<25).map { j in "[\(j),\(j + 1),0.5]" }.joined(separator: ",")
        let zeros = { (n: Int) in "[" + Array(repeating: "0", count: n).joined(separator: ",") + "]" }
        try Self.write(["frame_2.json": "{\"pose_keypoints_2d\":[\(rows)],\"cam\":[1,0,0],\"pose_theta\":\(zeros(72)),\"shape_beta\":\(zeros(10)),\"bbox_xyxy\":[0,0,256,256]}",
                        "frame_10.json": "{\"pose_keypoints_2d\":[\(rows)],\"cam\":[2,0,0],\"pose_theta\":\(zeros(72)),\"shape_beta\":\(zeros(10))}"],
                       in: dir)
        let imported = try BDMMFormat.readDirectory(dir.path)
        #expect(imported.smpl.map { $0?.cam[0] } == [1, 2], "ordered by number, not by name")
        #expect(imported.frames[0][3] == Keypoint(x: 3, y: 4, confidence: 0.5))

        try Self.write(["frame_10.json": "{\"pose_keypoints_2d\":[\(rows)],\"cam\":[2,0,0],\"pose_theta\":\(zeros(71)),\"shape_beta\":\(zeros(10))}"], in: dir)
        #expect { try BDMMFormat.readDirectory(dir.path) } throws: { error in
            guard case let ProjectError.badPoses(path, field, _) = error else { return false }
            return path.hasSuffix("frame_10.json") && field == "pose_theta"
        }
    }

    @Test func projectJSONIsValidAndCarriesEveryPoint() throws {
        var project = Sample.project(frames: 4, smpl: true)
        project.sequence[2, .lKnee].isPinned = true
        let text = ProjectJSON.document(project, settings: ["import.prefix": "cam \"01\""])
        let object = try #require(try JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any])
        #expect(object["fps"] as? Double == 24 && object["frame_count"] as? Int == 4)
        let frames = try #require(object["frames"] as? [[String: Any]])
        let knee = try #require((frames[2]["keypoints"] as? [[String: Any]])?[Joint.lKnee.rawValue])
        #expect(knee["joint"] as? String == "LKnee" && knee["pinned"] as? Bool == true)
        #expect(knee["x"] as? Double == project.sequence[2, .lKnee].x)
        #expect((frames[0]["smpl"] as? NSNull) != nil && (frames[1]["smpl"] as? [String: Any]) != nil)
        #expect((object["settings"] as? [String: String])?["import.prefix"] == "cam \"01\"")
        // One keypoint per line, so a one-point edit is a one-line diff.
        #expect(text.split(separator: "\n").count(where: { $0.contains("\"joint\"") }) == 25 * 5)
    }

    @Test func imageHeadersGiveFormatAndSize() throws {
        #expect(ImageHeader.read(Sample.pngHeader)?.size == FrameSize(width: 256, height: 512))
        // JPEG: SOI, an APP0 segment, then SOF0 with height 480 and width 640.
        let jpeg = Data([0xFF, 0xD8, 0xFF, 0xE0, 0x00, 0x04, 0x00, 0x00,
                         0xFF, 0xC0, 0x00, 0x11, 0x08, 0x01, 0xE0, 0x02, 0x80, 0x03])
        let info = try #require(ImageHeader.read(jpeg))
        #expect(info.format == .jpeg && info.size == FrameSize(width: 640, height: 480))
        #expect(ImageHeader.read(Data("GIF89a".utf8)) == nil)
        #expect(ImageHeader.read(Data([0xFF, 0xD8, 0xFF])) == nil)
        #expect(ImageHeader.read(Data(Sample.pngHeader.prefix(20))) == nil)
    }
}
