// `posestudio render` and the draft in `export` as a user runs them: PNG crops, the draft MP4 of
// the demo (issue 7's facts: h264, yuv420p, 100 frames at 60 fps, the frame size, PSNR ≥ 38 dB
// against the frames that went in at CRF 18), and clear failures without weights or --draft.
import Foundation
import Imaging
import MediaIO
import TensorEngine
import Testing

@Suite struct RenderCommandTests {
    @Test func draftExportOfTheDemoDecodesBackAbove38dB() throws {
        let dir = TemporaryDirectory()
        let project = try CLI.newDemo(in: dir.path)
        let mp4 = dir.file("draft.mp4"), frames = dir.file("frames")
        let r = try CLI.run(["export", project, "--video", mp4, "--png", frames, "--layout", "render", "--draft", "--crf", "18"])
        #expect(r.status == 0, "\(r.err)")
        #expect(r.err.isEmpty, "no progress bar when stderr is not a terminal: \(r.err)")
        try MediaCLI.expectDemoExportStream(mp4)
        let reader = try VideoReader(path: mp4)
        var squared = 0.0, samples = 0.0, person = 0
        for index in 0..<100 {
            let decoded = try #require(try reader.nextFrame())
            let input = try ImageFile.read(path: frames + String(format: "/frame_%06d.png", index))
            let (psnr, sum) = MediaCLI.psnr(decoded, input)
            squared += sum
            samples += Double(input.pixels.count)
            #expect(psnr >= 36, "frame \(index): PSNR \(psnr) dB")
            // The frame holds a rendered person on the neutral background, not only background.
            if index % 25 == 0 {
                person += stride(from: 0, to: input.pixels.count, by: 3).filter { input.pixels[$0] != RGB.neutral.r || input.pixels[$0 + 2] != RGB.neutral.b }.count
            }
        }
        #expect(person > 4 * 5000, "rendered person pixels in 4 sampled frames: \(person)")
        let clip = 10 * log10(255 * 255 / (squared / samples))
        #expect(clip >= 38, "clip PSNR \(clip) dB")
        print("draft export (crf 18): clip PSNR \(String(format: "%.2f", clip)) dB")
    }

    @Test func renderDraftWritesCropsOfTheChosenSize() throws {
        let dir = TemporaryDirectory()
        let project = try CLI.newDemo(in: dir.path)
        let r = try CLI.run(["render", project, "--out", dir.file("out"), "--draft", "--frames", "10:13", "--size", "128", "--background", "000000"])
        #expect(r.status == 0, "\(r.err)")
        #expect(r.out.contains("wrote 3 draft frames (128x128)"), "\(r.out)")
        #expect(try FileManager.default.contentsOfDirectory(atPath: dir.file("out")).sorted()
                == ["frame_000010.png", "frame_000011.png", "frame_000012.png"])
        let frame = try ImageFile.read(path: dir.file("out/frame_000011.png"))
        #expect(frame.size == PixelSize(width: 128, height: 128))
        #expect(frame[0, 0] == .black, "background where the body is not")
        let covered = stride(from: 0, to: frame.pixels.count, by: 3).filter { frame.pixels[$0] != 0 || frame.pixels[$0 + 1] != 0 }.count
        #expect(covered > 800, "\(covered) pixels of the person")
    }

    @Test func neuralRenderWithoutWeightsSaysWhereToGetThemAndThatDraftWorks() throws {
        let dir = TemporaryDirectory()
        let project = try CLI.newDemo(in: dir.path)
        let data = dir.file("data")
        let r = try MediaCLI.shell("\(MediaCLI.quoted(CLI.binary.path)) render \(MediaCLI.quoted(project)) --out \(MediaCLI.quoted(dir.file("o")))",
                                   environment: ["XDG_DATA_HOME": data])
        #expect(r.status == 1)
        #expect(r.err.contains("\(data)/posestudio/weights"), "\(r.err)")
        #expect(r.err.contains("latest_net_G.pth") && r.err.contains("--draft"), "\(r.err)")
        #expect(!FileManager.default.fileExists(atPath: dir.file("o")))
        let missing = try CLI.run(["render", project, "--out", dir.file("o"), "--weights", dir.file("nope.pth")])
        #expect(missing.status == 1 && missing.err.contains("nope.pth") && missing.err.contains("--weights"), "\(missing.err)")
    }

    @Test func neuralRenderWithTheFixtureWeights() throws {
        let dir = TemporaryDirectory()
        let project = try CLI.newDemo(in: dir.path)
        let weights = CLI.root.appendingPathComponent("Tests/Fixtures/bdmm/generator_state_dict.safetensors").path
        let command = [CLI.binary.path, "render", project, "--out", dir.file("n"), "--weights", weights, "--size", "128x64", "--frames", "4:12"]
            .map(MediaCLI.quoted).joined(separator: " ")
        let cacheHome = ["XDG_CACHE_HOME": dir.file("cache")]
        let r = try MediaCLI.shell(command, environment: cacheHome)
        #expect(r.status == 0, "\(r.err)")
        #expect(r.out.contains("wrote 8 neural frames (64x128)"), "\(r.out)")
        #expect(r.out.contains("windows: 0 from the cache, 2 computed (\(dir.file("cache"))/posestudio/render)"), "\(r.out)")
        // Again into another directory: both windows come from the cache, same frames.
        let again = try MediaCLI.shell(command.replacingOccurrences(of: MediaCLI.quoted(dir.file("n")), with: MediaCLI.quoted(dir.file("m"))),
                                       environment: cacheHome)
        #expect(again.out.contains("windows: 2 from the cache, 0 computed"), "\(again.out) \(again.err)")
        #expect(try ImageFile.read(path: dir.file("m/frame_000009.png")) == (try ImageFile.read(path: dir.file("n/frame_000009.png"))))
        let names = try FileManager.default.contentsOfDirectory(atPath: dir.file("n")).sorted()
        #expect(names == (4..<12).map { String(format: "frame_%06d.png", $0) })
        let first = try ImageFile.read(path: dir.file("n/frame_000004.png")), last = try ImageFile.read(path: dir.file("n/frame_000011.png"))
        #expect(first.size == PixelSize(width: 64, height: 128))
        #expect(first != last, "frames differ as the poses do")
        #expect(Set(first.pixels).count > 20, "a picture, not a flat fill")
    }

    /// The frames `render` writes are the generator's output on the inputs it saves, run through
    /// `debug generator` (the pipeline feeds the generator what the spec says, windows carried).
    @Test func neuralFramesEqualDebugGeneratorOnTheSavedInputs() throws {
        let dir = TemporaryDirectory()
        let project = try CLI.newDemo(in: dir.path)
        let weights = CLI.root.appendingPathComponent("Tests/Fixtures/bdmm/generator_state_dict.safetensors").path
        let r = try CLI.run(["render", project, "--out", dir.file("n"), "--weights", weights, "--size", "128x64", "--frames", "0:8",
                             "--no-cache", "--save-inputs", dir.file("in.safetensors")])
        #expect(r.status == 0, "\(r.err)")
        let g = try CLI.run(["debug", "generator", "--weights", weights, "--inputs", dir.file("in.safetensors"), "--out", dir.file("out.safetensors")])
        #expect(g.status == 0, "\(g.err)")
        let out = try Safetensors.read(contentsOf: URL(fileURLWithPath: dir.file("out.safetensors"))).tensors
        for t in 0..<8 {
            let frames = try #require(out["w\(t / 6).out"], "w\(t / 6).out")
            #expect(frames.shape == [1, 6, 3, 128, 64])
            let plane = 128 * 64, base = (t % 6) * 3 * plane
            var pixels = [UInt8](repeating: 0, count: 3 * plane)
            for p in 0..<plane {
                for c in 0..<3 { pixels[3 * p + c] = UInt8(max(0, min(255, ((frames.storage[base + c * plane + p] + 1) / 2 * 255).rounded()))) }
            }
            let png = try ImageFile.read(path: dir.file(String(format: "n/frame_%06d.png", t)))
            #expect(png == RGBImage(width: 64, height: 128, pixels: pixels), "frame \(t)")
        }
    }

    @Test func badRenderOptionsFailCleanly() throws {
        let dir = TemporaryDirectory()
        let project = try CLI.newDemo(in: dir.path)
        for (arguments, words) in [
            (["export", project, "--png", dir.file("p"), "--layout", "render"], "--draft"),
            (["render", project, "--out", dir.file("o"), "--draft", "--size", "100"], "'100'"),
            (["render", project, "--out", dir.file("o"), "--draft", "--size", "128x60"], "'128x60'"),
            (["render", project, "--out", dir.file("o"), "--draft", "--frames", "90:120"], "--frames 90:120"),
            (["render", project, "--out", dir.file("o"), "--draft", "--background", "teal"], "background"),
            (["render", dir.file("none.bdmm"), "--out", dir.file("o"), "--draft"], "none.bdmm"),
        ] {
            let r = try CLI.run(arguments)
            #expect(r.status == 1, "\(arguments)")
            #expect(r.err.contains(words), "\(arguments): \(r.err)")
        }
    }
}
