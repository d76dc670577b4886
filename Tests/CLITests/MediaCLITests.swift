// The media verbs as a user runs them: exporting the demo (the issue's acceptance: ffprobe facts
// and PSNR against the frames that went in), previews of exact size, driving-video links that
// notice moved or changed files, and bad inputs / outputs that fail cleanly with exit 1.
import Foundation
import Imaging
import MediaIO
import Testing

enum MediaCLI {
    static let demoVideo = CLI.demo.appendingPathComponent("cam01.mp4").path

    /// What ffprobe must say of an export of the whole demo: h264, yuv420p, 1080×1920, 100 frames at 60 fps.
    static func expectDemoExportStream(_ mp4: String) throws {
        let probe = try shell("ffprobe -v error -select_streams v:0 -count_frames -show_entries "
                              + "stream=codec_name,pix_fmt,width,height,nb_read_frames,avg_frame_rate -of default=nw=1 " + quoted(mp4)).out
        for line in ["codec_name=h264", "pix_fmt=yuv420p", "width=1080", "height=1920", "nb_read_frames=100", "avg_frame_rate=60/1"] {
            #expect(probe.contains(line), "ffprobe: \(probe)")
        }
    }

    /// Runs the binary through a shell line (for ulimit) or with extra environment variables.
    static func shell(_ line: String, environment: [String: String] = [:]) throws -> CLI.Result {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/bin/bash")
        process.arguments = ["-c", line]
        process.environment = ProcessInfo.processInfo.environment.merging(environment) { $1 }
        let dir = TemporaryDirectory()
        _ = FileManager.default.createFile(atPath: dir.file("out"), contents: nil)
        _ = FileManager.default.createFile(atPath: dir.file("err"), contents: nil)
        process.standardOutput = FileHandle(forWritingAtPath: dir.file("out"))
        process.standardError = FileHandle(forWritingAtPath: dir.file("err"))
        try process.run()
        let watchdog = Watchdog(pid: process.processIdentifier, seconds: 900)
        process.waitUntilExit()
        watchdog.cancel()
        return CLI.Result(status: process.terminationStatus,
                          out: String(decoding: FileManager.default.contents(atPath: dir.file("out")) ?? Data(), as: UTF8.self),
                          err: String(decoding: FileManager.default.contents(atPath: dir.file("err")) ?? Data(), as: UTF8.self))
    }

    static func quoted(_ s: String) -> String { "'" + s.replacingOccurrences(of: "'", with: "'\\''") + "'" }

    static func newDemo(in dir: TemporaryDirectory, video: String = demoVideo) throws -> String {
        let path = dir.file("demo.bdmm")
        let r = try CLI.run(["new", path, "--image", CLI.demoImage, "--poses", CLI.demoPoses, "--fps", "60", "--video", video])
        guard r.status == 0 else { throw CLI.CLIError(result: r) }
        return path
    }

    /// PSNR in dB and the sum of squared differences.
    static func psnr(_ a: RGBImage, _ b: RGBImage) -> (Double, Double) {
        var sum = 0.0
        for i in a.pixels.indices {
            let d = Double(a.pixels[i]) - Double(b.pixels[i])
            sum += d * d
        }
        let mse = sum / Double(a.pixels.count)
        return (mse == 0 ? .infinity : 10 * log10(255 * 255 / mse), sum)
    }
}

@Suite struct MediaExportCLITests {
    @Test func demoExportIsH264At60FpsAndDecodesBackAbove38dB() throws {
        let dir = TemporaryDirectory()
        let project = try MediaCLI.newDemo(in: dir)
        let mp4 = dir.file("demo.mp4"), frames = dir.file("frames")
        let r = try CLI.run(["export", project, "--video", mp4, "--png", frames, "--crf", "18"])
        #expect(r.status == 0, "\(r.err)")
        #expect(r.err.isEmpty, "no progress bar when stderr is not a terminal")

        try MediaCLI.expectDemoExportStream(mp4)
        // PSNR of the clip (squared error pooled over all frames and channels), and per frame.
        let reader = try VideoReader(path: mp4)
        var worst = Double.infinity, squared = 0.0, samples = 0.0
        for index in 0..<100 {
            let decoded = try #require(try reader.nextFrame())
            let input = try ImageFile.read(path: frames + String(format: "/frame_%06d.png", index))
            let (psnr, sum) = MediaCLI.psnr(decoded, input)
            worst = min(worst, psnr)
            squared += sum
            samples += Double(input.pixels.count)
            #expect(psnr >= 36, "frame \(index): PSNR \(psnr) dB")
        }
        let clip = 10 * log10(255 * 255 / (squared / samples))
        #expect(clip >= 38, "clip PSNR \(clip) dB")
        print("demo export (crf 18, veryfast, tune psnr): clip PSNR \(String(format: "%.2f", clip)) dB, worst frame \(String(format: "%.2f", worst)) dB")
    }

    @Test func sideBySideWithoutAVideoAndAFrameRange() throws {
        let dir = TemporaryDirectory()
        let project = try CLI.newDemo(in: dir.path)
        let r = try CLI.run(["export", project, "--png", dir.file("f"), "--frames", "10:13", "--layout", "side-by-side"])
        #expect(r.status == 0, "\(r.err)")
        #expect(r.err.contains("no driving video"))
        #expect((try FileManager.default.contentsOfDirectory(atPath: dir.file("f"))).sorted()
                == ["frame_000010.png", "frame_000011.png", "frame_000012.png"])
        let frame = try ImageFile.read(path: dir.file("f/frame_000011.png"))
        #expect(frame.size == PixelSize(width: 1080, height: 1920))
        #expect(frame[500, 1800] == .neutral, "the skeleton is drawn on neutral grey")
    }

    @Test func exportNeedsSomeOutputAndValidOptions() throws {
        let dir = TemporaryDirectory()
        let project = try CLI.newDemo(in: dir.path)
        for arguments in [["export", project], ["export", project, "--video", dir.file("a.mp4"), "--crf", "60"],
                          ["export", project, "--video", dir.file("a.mp4"), "--preset", "warp"],
                          ["export", project, "--video", dir.file("a.mp4"), "--frames", "99:200"],
                          ["export", project, "--video", dir.file("a.mp4"), "--layout", "render", "--draft", "--weights", dir.file("w.pth")],
                          ["export", project, "--video", dir.file("a.mp4"), "--weights", dir.file("w.pth")],
                          ["export", project, "--video", dir.file("a.mp4"), "--layout", "render", "--weights", dir.file("w.pth")]] {
            let r = try CLI.run(arguments)
            #expect(r.status == 1, "\(arguments)")
        }
        #expect(!FileManager.default.fileExists(atPath: dir.file("a.mp4")))
    }
}

/// `export --weights`: the neural render placed in the frame, equal to `render`'s crops.
@Suite struct NeuralExportCLITests {
    @Test func neuralExportFramesAreTheRenderCropsPlacedInTheFrame() throws {
        let dir = TemporaryDirectory()
        let project = try CLI.newDemo(in: dir.path)
        let weights = CLI.root.appendingPathComponent("Tests/Fixtures/bdmm/generator_state_dict.safetensors").path
        let cacheHome = ["XDG_CACHE_HOME": dir.file("cache")]
        let common = ["--weights", weights, "--size", "128x64", "--frames", "0:8", "--background", "ff00ff"]
        func run(_ arguments: [String]) throws -> CLI.Result {
            try MediaCLI.shell(([CLI.binary.path] + arguments + common).map(MediaCLI.quoted).joined(separator: " "), environment: cacheHome)
        }
        let mp4 = dir.file("neural.mp4"), frames = dir.file("frames")
        let export = try run(["export", project, "--video", mp4, "--png", frames, "--layout", "render", "--crf", "18"])
        #expect(export.status == 0, "\(export.err)")
        #expect(export.out.contains("wrote \(mp4): 8 frames 1080x1920"), "\(export.out)")
        #expect(export.out.contains("neural render: windows 0 from the cache, 2 computed"), "\(export.out)")
        let probe = try MediaCLI.shell("ffprobe -v error -select_streams v:0 -count_frames -show_entries "
                                       + "stream=codec_name,width,height,nb_read_frames -of default=nw=1 " + MediaCLI.quoted(mp4)).out
        for line in ["codec_name=h264", "width=1080", "height=1920", "nb_read_frames=8"] { #expect(probe.contains(line), "ffprobe: \(probe)") }

        // `render` of the same clip (its windows now come from the cache the export filled).
        let render = try run(["render", project, "--out", dir.file("crops")])
        #expect(render.status == 0 && render.out.contains("windows: 2 from the cache, 0 computed"), "\(render.out) \(render.err)")
        let reader = try VideoReader(path: mp4)
        for index in 0..<8 {
            let placed = try ImageFile.read(path: frames + String(format: "/frame_%06d.png", index))
            let decoded = try #require(try reader.nextFrame())
            #expect(MediaCLI.psnr(decoded, placed).0 >= 36, "frame \(index): the MP4 holds the exported frame")
            guard index == 0 || index == 7 else { continue }   // one frame of each window, pixel by pixel
            let crop = try ImageFile.read(path: dir.file(String(format: "crops/frame_%06d.png", index)))
            #expect(crop.size == PixelSize(width: 64, height: 128))
            let region = try #require(Self.region(of: crop, in: placed, background: RGB(255, 0, 255)), "frame \(index): no 1:2 region holds render's crop")
            // The frame is exactly render's crop scaled to the region and clipped to the frame.
            let scaled = crop.resized(width: region.width, height: region.height)
            var differing = 0
            for y in 0..<placed.height {
                for x in 0..<placed.width {
                    let (u, v) = (x - region.x, y - region.y)
                    let inside = u >= 0 && v >= 0 && u < region.width && v < region.height
                    if placed[x, y] != (inside ? scaled[u, v] : RGB(255, 0, 255)) { differing += 1 }
                }
            }
            #expect(differing == 0, "frame \(index): \(differing) pixels differ from render's crop placed at \(region)")
        }
    }

    /// Where `crop` (upscaled W × 2W) sits in `frame`, clipped by its edges: the visible part is
    /// the bounding box of the non-background pixels; a side clipped by the frame edge is found by
    /// trying region widths against bilinear samples of the crop at 64 points (within 2 levels).
    static func region(of crop: RGBImage, in frame: RGBImage, background: RGB) -> (x: Int, y: Int, width: Int, height: Int)? {
        var x0 = frame.width, y0 = frame.height, x1 = -1, y1 = -1
        for y in 0..<frame.height {
            for x in 0..<frame.width where frame[x, y] != background {
                x0 = min(x0, x); x1 = max(x1, x); y0 = min(y0, y); y1 = max(y1, y)
            }
        }
        guard x1 >= 0 else { return nil }
        let widths = x0 > 0 && x1 < frame.width - 1 ? [x1 - x0 + 1]
            : Array(max(x1 - x0 + 1, (y1 - y0 + 2) / 2)...(4 * frame.height))
        func sample(_ c: Int, _ fx: Double, _ fy: Double) -> Double {
            func axis(_ f: Double, _ n: Int) -> (Int, Int, Double) {
                let j = Int(f.rounded(.down))
                return (min(max(j, 0), n - 1), min(max(j + 1, 0), n - 1), f - Double(j))
            }
            let (xa, xb, tx) = axis(fx, crop.width), (ya, yb, ty) = axis(fy, crop.height)
            func p(_ x: Int, _ y: Int) -> Double { Double(crop.pixels[(y * crop.width + x) * 3 + c]) }
            return (1 - ty) * ((1 - tx) * p(xa, ya) + tx * p(xb, ya)) + ty * ((1 - tx) * p(xa, yb) + tx * p(xb, yb))
        }
        for w in widths {
            let h = 2 * w
            let x = x0 > 0 ? x0 : x1 + 1 - w, y = y0 > 0 ? y0 : y1 + 1 - h
            let fits = (0..<64).allSatisfy { k in
                let fx = x0 + (x1 - x0) * (k % 8) / 7, fy = y0 + (y1 - y0) * (k / 8) / 7
                let sx = (Double(fx - x) + 0.5) * Double(crop.width) / Double(w) - 0.5
                let sy = (Double(fy - y) + 0.5) * Double(crop.height) / Double(h) - 0.5
                let seen = frame[fx, fy]
                return abs(sample(0, sx, sy) - Double(seen.r)) <= 2 && abs(sample(1, sx, sy) - Double(seen.g)) <= 2
                    && abs(sample(2, sx, sy) - Double(seen.b)) <= 2
            }
            if fits { return (x, y, w, h) }
        }
        return nil
    }
}

@Suite struct MediaOutputFailureCLITests {
    @Test func missingDirectory() throws {
        let dir = TemporaryDirectory()
        let project = try CLI.newDemo(in: dir.path)
        let out = dir.file("missing/out.mp4")
        let r = try CLI.run(["export", project, "--video", out, "--frames", "0:3"])
        #expect(r.status == 1)
        #expect(r.err == "posestudio: \(out): cannot write: the directory \(dir.file("missing")) does not exist\n")
    }

    @Test func fileSizeLimitActsAsAFullDisk() throws {
        // `ulimit -f` (RLIMIT_FSIZE) makes writes past 1 MiB fail with EFBIG, like a full disk.
        let dir = TemporaryDirectory()
        let project = try CLI.newDemo(in: dir.path)
        let out = dir.file("out")
        try FileManager.default.createDirectory(atPath: out, withIntermediateDirectories: true)
        let line = "ulimit -f 1024; exec \(MediaCLI.quoted(CLI.binary.path)) export \(MediaCLI.quoted(project)) "
                   + "--video \(MediaCLI.quoted(out + "/big.mp4")) --crf 0 --preset ultrafast"
        let r = try MediaCLI.shell(line)
        #expect(r.status == 1, "\(r.err)")
        #expect(r.err.hasPrefix("posestudio: \(out)/big.mp4: cannot write: file too large"), "\(r.err)")
        #expect(try FileManager.default.contentsOfDirectory(atPath: out).isEmpty, "no partial output")
    }
}

@Suite struct PreviewCLITests {
    func visibleLines(_ text: String) -> [String] {
        text.split(separator: "\n").map { String($0).replacing(/\x{1B}\[[0-9;]*m/, with: "") }
    }

    @Test func imagePreviewHasTheRequestedSize() throws {
        let r = try MediaCLI.shell("\(MediaCLI.quoted(CLI.binary.path)) preview \(MediaCLI.quoted(CLI.demoImage)) --cols 30 --rows 12",
                                   environment: ["TERM": "xterm-256color", "COLORTERM": "truecolor", "NO_COLOR": ""])
        #expect(r.status == 0, "\(r.err)")
        let lines = visibleLines(r.out)
        #expect(lines.count == 13)
        #expect(lines.prefix(12).allSatisfy { $0.count == 30 })
        #expect(lines[12].contains("30x12 cells · truecolor colour"))
        #expect(r.out.contains("\u{1B}[0;38;2;"), "truecolor cells")
        #expect(r.out.split(separator: "\n").last!.utf8.starts(with: "\u{1B}[2m".utf8), "dim caption")
    }

    @Test func noColorPlainChromeButColouredImage() throws {
        let r = try MediaCLI.shell("\(MediaCLI.quoted(CLI.binary.path)) preview \(MediaCLI.quoted(CLI.demoImage)) --cols 20",
                                   environment: ["TERM": "xterm-256color", "COLORTERM": "truecolor", "NO_COLOR": "1"])
        #expect(r.status == 0)
        let rows = r.out.split(separator: "\n")
        #expect(rows.count == 1 + 18, "20 columns of a 9:16 image are 18 rows")
        #expect(!rows.last!.contains("\u{1B}"), "NO_COLOR: the caption has no escape sequences")
        #expect(rows.first!.contains("\u{1B}[0;38;2;"), "the image keeps its colours")
    }

    @Test func projectSkeletonPreviewAndErrors() throws {
        let dir = TemporaryDirectory()
        let project = try MediaCLI.newDemo(in: dir)
        let r = try CLI.run(["preview", project, "--frame", "57", "--cols", "24", "--rows", "20", "--colors", "256"])
        #expect(r.status == 0, "\(r.err)")
        #expect(visibleLines(r.out).count == 21)
        #expect(r.out.contains("frame 57 skeleton over the driving video"))
        #expect(r.out.contains("\u{1B}[0;38;5;"))
        let far = try CLI.run(["preview", project, "--frame", "100"])
        #expect(far.status == 1 && far.err.contains("frames 0–99"))
        let imageWithFrame = try CLI.run(["preview", CLI.demoImage, "--skeleton"])
        #expect(imageWithFrame.status == 1)
    }

    @Test func badImages() throws {
        let dir = TemporaryDirectory()
        try "hello".write(toFile: dir.file("text.png"), atomically: true, encoding: .utf8)
        _ = FileManager.default.createFile(atPath: dir.file("zero.png"), contents: Data())
        let text = try CLI.run(["preview", dir.file("text.png"), "--cols", "10"])
        #expect(text.status == 1)
        #expect(text.err == "posestudio: \(dir.file("text.png")): not a PNG or JPEG image (it looks like text)\n")
        let zero = try CLI.run(["preview", dir.file("zero.png"), "--cols", "10"])
        #expect(zero.status == 1)
        #expect(zero.err == "posestudio: \(dir.file("zero.png")): the file is empty (0 bytes)\n")
    }
}

@Suite struct DrivingVideoCLITests {
    @Test func movedOrChangedVideoIsReportedAndCanBeRelinked() throws {
        let dir = TemporaryDirectory()
        let copy = dir.file("cam.mp4")
        try FileManager.default.copyItem(atPath: MediaCLI.demoVideo, toPath: copy)
        let project = try MediaCLI.newDemo(in: dir, video: copy)
        #expect(try CLI.run(["preview", project, "--skeleton", "--cols", "8"]).status == 0)

        // Changed in place: same name, one byte different.
        var bytes = try #require(FileManager.default.contents(atPath: copy))
        bytes[bytes.count - 1] ^= 0xFF
        try bytes.write(to: URL(fileURLWithPath: copy))
        let changed = try CLI.run(["preview", project, "--skeleton", "--cols", "8"])
        #expect(changed.status == 1)
        #expect(changed.err.contains("\(project): its driving video \(copy) changed since it was linked"), "\(changed.err)")

        // Moved away.
        try FileManager.default.moveItem(atPath: copy, toPath: dir.file("moved.mp4"))
        let moved = try CLI.run(["export", project, "--video", dir.file("x.mp4")])
        #expect(moved.status == 1)
        #expect(moved.err.contains("its driving video \(copy) is missing (moved or deleted?)"))
        #expect(!FileManager.default.fileExists(atPath: dir.file("x.mp4")))

        // Re-linked to the original.
        #expect(try CLI.run(["video", project, MediaCLI.demoVideo]).status == 0)
        #expect(try CLI.run(["preview", project, "--skeleton", "--cols", "8"]).status == 0)
        #expect(try CLI.run(["video", project, "--remove"]).status == 0)
        let neutral = try CLI.run(["preview", project, "--skeleton", "--cols", "8"])
        #expect(neutral.out.contains("over a neutral background"))
    }

    @Test func truncatedVideoIsRefusedAndNoProjectIsCreated() throws {
        let dir = TemporaryDirectory()
        let bytes = try #require(FileManager.default.contents(atPath: MediaCLI.demoVideo))
        try bytes.prefix(bytes.count / 2).write(to: URL(fileURLWithPath: dir.file("cut.mp4")))
        let r = try CLI.run(["new", dir.file("p.bdmm"), "--image", CLI.demoImage, "--poses", CLI.demoPoses,
                             "--video", dir.file("cut.mp4")])
        #expect(r.status == 1)
        #expect(r.err.hasPrefix("posestudio: \(dir.file("cut.mp4")): "), "\(r.err)")
        #expect(!FileManager.default.fileExists(atPath: dir.file("p.bdmm")))
    }
}
