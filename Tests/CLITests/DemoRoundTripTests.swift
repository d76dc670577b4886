import Foundation
import Testing

/// `new … --fps 60` on the real demo data, then `export --format openpose` gives the input back.
@Suite struct DemoRoundTripTests {
    @Test func newOnTheDemoGivesHundredFramesAtSixtyFps() throws {
        let dir = TemporaryDirectory()
        let project = try CLI.newDemo(in: dir.path)
        let info = try CLI.run(["info", project, "--json"])
        #expect(info.status == 0)
        let object = try #require(try JSONSerialization.jsonObject(with: Data(info.out.utf8)) as? [String: Any])
        #expect(object["frames"] as? Int == 100)
        #expect(object["fps"] as? Double == 60)
        #expect(object["width"] as? Int == 1080 && object["height"] as? Int == 1920)
        #expect(object["missing_fraction"] as? Double == 0)
        #expect((object["provenance"] as? [String: Int])?["raw"] == 2500)
        #expect(object["smpl_frames"] as? Int == 0)
        let journal = try #require(object["journal"] as? [String: Int])
        #expect(journal == ["length": 0, "position": 0])
    }

    @Test func openPoseExportReproducesTheInputKeypoints() throws {
        let dir = TemporaryDirectory()
        let project = try CLI.newDemo(in: dir.path)
        let out = dir.file("exported")
        let export = try CLI.run(["export", project, "--poses", out, "--format", "openpose"])
        #expect(export.status == 0, "\(export.err)")
        let inputs = try FileManager.default.contentsOfDirectory(atPath: CLI.demoPoses).filter { $0.hasSuffix("_keypoints.json") }.sorted()
        #expect(inputs.count == 100)
        #expect(try FileManager.default.contentsOfDirectory(atPath: out).sorted() == inputs, "same file names")
        var maxDelta = 0.0
        for name in inputs {
            let a = try Self.keypoints(URL(fileURLWithPath: CLI.demoPoses).appendingPathComponent(name).path)
            let b = try Self.keypoints((out as NSString).appendingPathComponent(name))
            try #require(a.count == 75 && b.count == 75, "\(name)")
            for j in 0..<25 {
                let (ax, ay, ac) = (a[3 * j], a[3 * j + 1], a[3 * j + 2])
                let (bx, by, bc) = (b[3 * j], b[3 * j + 1], b[3 * j + 2])
                #expect(ac == bc, "\(name) joint \(j): same confidence")
                #expect((ax == 0 && ay == 0 && ac == 0) == (bx == 0 && by == 0 && bc == 0), "same missing points")
                maxDelta = max(maxDelta, abs(ax - bx), abs(ay - by))
            }
        }
        #expect(maxDelta <= 1e-3, "max |Δ| = \(maxDelta) px")
    }

    @Test func bdmmAndJSONExportsWork() throws {
        let dir = TemporaryDirectory()
        let project = try CLI.newDemo(in: dir.path)
        #expect(try CLI.run(["export", project, "--poses", dir.file("kptsmpls"), "--format", "bdmm"]).status == 0)
        #expect(try FileManager.default.contentsOfDirectory(atPath: dir.file("kptsmpls")).count == 100)
        // A second project from the BDMM export has the same keypoints.
        let again = dir.file("again.bdmm")
        let created = try CLI.run(["new", again, "--image", CLI.demoImage, "--poses", dir.file("kptsmpls"), "--fps", "60"])
        #expect(created.status == 0, "\(created.err)")
        #expect(try CLI.run(["export", project, "--poses", dir.file("a.json"), "--format", "json"]).status == 0)
        #expect(try CLI.run(["export", again, "--poses", dir.file("b.json"), "--format", "json"]).status == 0)
        let a = try String(contentsOfFile: dir.file("a.json"), encoding: .utf8)
        let b = try String(contentsOfFile: dir.file("b.json"), encoding: .utf8)
        let frames = { (text: String) in text.components(separatedBy: "\"frames\":")[1] }
        #expect(frames(a) == frames(b))
    }

    static func keypoints(_ path: String) throws -> [Double] {
        let object = try JSONSerialization.jsonObject(with: try Data(contentsOf: URL(fileURLWithPath: path))) as? [String: Any]
        let people = object?["people"] as? [[String: Any]] ?? []
        return (people.first?["pose_keypoints_2d"] as? [NSNumber])?.map(\.doubleValue) ?? []
    }
}
