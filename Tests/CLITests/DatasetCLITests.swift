// `posestudio dataset`: its per-frame inputs assemble into exactly what `render --save-inputs`
// writes for the same windows, its targets are the video frames cut out by the render crops (checked
// against an independent resampling), and it refuses a project without a driving video.
import Foundation
import Imaging
import MediaIO
import TensorEngine
import Testing

@Suite struct DatasetCLITests {
    static func demoWithVideo(in dir: TemporaryDirectory) throws -> String {
        let project = try CLI.newDemo(in: dir.path)
        let r = try CLI.run(["video", project, CLI.demo.appendingPathComponent("cam01.mp4").path])
        guard r.status == 0 else { throw CLI.CLIError(result: r) }
        return project
    }

    static func tensors(_ path: String) throws -> [String: Tensor] {
        try Safetensors.read(contentsOf: URL(fileURLWithPath: path)).tensors
    }

    @Test func datasetInputsEqualTheSavedRenderInputsAndTargetsAreTheCroppedFrames() throws {
        let dir = TemporaryDirectory()
        let project = try Self.demoWithVideo(in: dir)
        let d = try CLI.run(["dataset", project, "--out", dir.file("data") + "/", "--size", "128x64", "--frames", "0:8", "--no-plate"])
        #expect(d.status == 0, "\(d.err)")
        let weights = CLI.root.appendingPathComponent("Tests/Fixtures/bdmm/generator_state_dict.safetensors").path
        let r = try CLI.run(["render", project, "--out", dir.file("n"), "--weights", weights, "--size", "128x64", "--frames", "0:8",
                             "--no-normalise", "--no-cache", "--save-inputs", dir.file("in.safetensors")])
        #expect(r.status == 0, "\(r.err)")
        let saved = try Self.tensors(dir.file("in.safetensors"))
        #expect(try Self.tensors(dir.file("data/source.safetensors"))["P_ref"] == saved["P_ref"])

        let json = try #require(try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: dir.file("data/dataset.json")))) as? [String: Any])
        #expect(json["format"] as? String == "posestudio-dataset" && json["version"] as? Int == 1)
        #expect(json["width"] as? Int == 64 && json["height"] as? Int == 128 && json["frames"] as? [Int] == [0, 8])
        let windows = try #require(json["windows"] as? [[String: Any]])
        #expect(windows.count == 2)
        let frames = try (0..<8).map { try Self.tensors(dir.file(String(format: "data/frames/%06d.safetensors", $0))) }
        for (k, window) in windows.enumerated() {
            let members = try #require(window["frames"] as? [Int]), pre = try #require(window["pre"] as? Int), post = try #require(window["post"] as? Int)
            #expect(members == (k == 0 ? [0, 1, 2, 3, 4, 5] : [6, 7, 7, 7, 7, 7]) && pre == (k == 0 ? 0 : 5) && post == 7 - (k == 0 ? 1 : 0))
            let bp = try #require(saved["w\(k).BP"]), flows = try #require(saved["w\(k).flow_frames"])
            let (bpPlane, flowPlane) = (25 * 128 * 64, 128 * 64 * 2)
            for (i, t) in members.enumerated() {
                #expect(frames[t]["BP"]?.storage == Array(bp.storage[i * bpPlane ..< (i + 1) * bpPlane]), "w\(k) frame \(i): BP")
                #expect(frames[t]["flow"]?.storage == Array(flows.storage[i * flowPlane ..< (i + 1) * flowPlane]), "w\(k) frame \(i): flow")
            }
            #expect(frames[pre]["flow"]?.storage == saved["w\(k).flow_pre"]?.storage)
            #expect(frames[post]["flow"]?.storage == saved["w\(k).flow_post"]?.storage)
        }

        // Targets: the region of the video frame, resampled by the slow reference resampler.
        let crops = try #require(json["crops"] as? [String: [Int]])
        let video = try VideoReader(path: CLI.demo.appendingPathComponent("cam01.mp4").path)
        for t in [0, 5, 7] {
            let frame = try video.frame(at: t)
            let c = try #require(crops[String(t)])
            var region = RGBImage(width: c[2], height: c[3], fill: .neutral)
            for y in 0..<c[3] {
                for x in 0..<c[2] where (0..<frame.width).contains(c[0] + x) && (0..<frame.height).contains(c[1] + y) {
                    region[x, y] = frame[c[0] + x, c[1] + y]
                }
            }
            let expected = region.resizedReference(width: 64, height: 128)
            let target = try #require(frames[t]["target"])
            #expect(target.shape == [3, 128, 64])
            var worst: Float = 0
            for p in 0..<128 * 64 {
                let rgb = expected[p % 64, p / 64]
                for (ch, v) in [rgb.r, rgb.g, rgb.b].enumerated() { worst = max(worst, abs(target.storage[ch * 128 * 64 + p] - Float(v))) }
            }
            #expect(worst <= 1, "frame \(t): target differs from the independent crop by \(worst) levels")
            let mask = try #require(frames[t]["mask"])
            let covered = mask.storage.filter { $0 == 1 }.count
            #expect(mask.storage.allSatisfy { $0 == 0 || $0 == 1 } && covered > 128 * 64 / 10, "frame \(t): silhouette of \(covered) pixels")
        }
    }

    @Test func datasetNeedsADrivingVideoAndANewDirectory() throws {
        let dir = TemporaryDirectory()
        let project = try CLI.newDemo(in: dir.path)
        let r = try CLI.run(["dataset", project, "--out", dir.file("data"), "--size", "128x64", "--frames", "0:6", "--no-plate"])
        #expect(r.status == 1 && r.err.contains("driving video") && r.err.contains("demo.bdmm"), "\(r.err)")
        #expect(!FileManager.default.fileExists(atPath: dir.file("data")))
        let other = TemporaryDirectory()
        let linked = try Self.demoWithVideo(in: other)
        try FileManager.default.createDirectory(atPath: dir.file("taken"), withIntermediateDirectories: true)
        let again = try CLI.run(["dataset", linked, "--out", dir.file("taken"), "--size", "128x64", "--frames", "0:6", "--no-plate"])
        #expect(again.status == 1 && again.err.contains("already exists"), "\(again.err)")
    }
}

@Suite struct ConfigCLITests {
    @Test func settingsAreListedSetCheckedAndRemoved() throws {
        let dir = TemporaryDirectory()
        let project = try CLI.newDemo(in: dir.path)
        #expect(try CLI.run(["config", project, "render.size", "256x128"]).status == 0)
        #expect(try CLI.run(["config", project, "render.background", "plate"]).status == 0)
        let got = try CLI.run(["config", project, "render.size"])
        #expect(got.status == 0 && got.out == "256x128\n")
        let list = try CLI.run(["config", project])
        #expect(list.out.contains("render.background = plate") && list.out.contains("render.size = 256x128"), "\(list.out)")
        for (key, value) in [("render.size", "100"), ("render.background", "teal"), ("render.normalise", "maybe")] {
            let bad = try CLI.run(["config", project, key, value])
            #expect(bad.status == 1 && bad.err.contains(key), "\(key) = \(value): \(bad.err)")
        }
        let unknown = try CLI.run(["config", project, "render.colour", "red"])
        #expect(unknown.status == 1 && unknown.err.contains("unknown setting"))
        #expect(try CLI.run(["config", project, "render.size", "--unset"]).status == 0)
        let gone = try CLI.run(["config", project, "render.size"])
        #expect(gone.status == 1 && gone.err.contains("not set"))
        // A relative weights path is read relative to the project file: render finds it there.
        try FileManager.default.createDirectory(atPath: dir.file("w"), withIntermediateDirectories: true)
        try FileManager.default.copyItem(atPath: CLI.root.appendingPathComponent("Tests/Fixtures/bdmm/generator_state_dict.safetensors").path,
                                         toPath: dir.file("w/g.safetensors"))
        #expect(try CLI.run(["config", project, "render.weights", "w/g.safetensors"]).status == 0)
        #expect(try CLI.run(["config", project, "render.background", "neutral"]).status == 0)
        // Run from elsewhere: the relative path is read beside the project, not in the working directory.
        let r = try CLI.run(["render", project, "--out", dir.file("n"), "--size", "128x64", "--frames", "0:2", "--no-cache"], directory: "/")
        #expect(r.status == 0, "\(r.err)")
        #expect(FileManager.default.fileExists(atPath: dir.file("n/frame_000001.png")))
    }
}
