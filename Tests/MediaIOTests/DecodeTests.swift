// Decoding against the ffmpeg CLI: the demo video frame by frame and by seeking, and still
// images in the pixel formats people actually have (grey, palette, RGBA, 16-bit, YUVJ JPEG).
import Foundation
import Imaging
import MediaIO
import Testing

@Suite struct VideoDecodeTests {
    @Test func demoVideoEqualsTheFFmpegCLIFrameByFrame() throws {
        let reader = try VideoReader(path: Media.demoVideo)
        #expect(reader.frameCount == 100)
        #expect(reader.fps == 60)
        #expect(reader.size == PixelSize(width: 1080, height: 1920))
        #expect(reader.codecName == "h264")
        let cli = try Media.CLIFrames(path: Media.demoVideo, size: reader.size)
        var count = 0, worst = 0
        while let frame = try reader.nextFrame() {
            let expected = try #require(try cli.next(), "the CLI gave fewer frames than \(count + 1)")
            let delta = Media.maxDelta(frame.pixels, expected)
            worst = max(worst, delta)
            #expect(delta <= 1, "frame \(count): max |Δ| \(delta)")
            count += 1
        }
        #expect(count == 100)
        #expect(try cli.next() == nil)
        #expect(reader.position == 100)
        print("demo decode: 100 frames, worst max |Δ| vs ffmpeg CLI = \(worst)")
    }

    @Test func seekingReturnsTheSameFrameAsDecodingInOrder() throws {
        let reader = try VideoReader(path: Media.demoVideo)
        var sequential: [Int: RGBImage] = [:]
        let wanted: Set = [0, 3, 56, 57, 58, 99]
        for i in 0..<reader.frameCount {
            let frame = try #require(try reader.nextFrame())
            if wanted.contains(i) { sequential[i] = frame }
        }
        #expect(try reader.nextFrame() == nil)
        // Backward, forward far, forward near, and the last frame.
        for index in [57, 3, 99, 0, 56, 58, 57] {
            let frame = try reader.frame(at: index)
            #expect(frame == sequential[index], "seek to \(index)")
            #expect(reader.position == index + 1)
        }
        // And frame 57 against the CLI's own frame 57.
        let cli = try Media.CLIFrames(path: Media.demoVideo, size: reader.size, extra: ["-vf", "select=eq(n\\,57)", "-frames:v", "1"])
        let expected = try #require(try cli.next())
        #expect(Media.maxDelta(try reader.frame(at: 57).pixels, expected) <= 1)
    }

    @Test func aFrameOutsideTheVideoIsAnError() throws {
        let reader = try VideoReader(path: Media.demoVideo)
        #expect(throws: MediaError.frameOutOfRange(path: Media.demoVideo, frame: 100, frameCount: 100)) { try reader.frame(at: 100) }
        #expect(throws: MediaError.self) { try reader.frame(at: -1) }
    }
}

@Suite struct ImageDecodeTests {
    /// Makes a 61×37 (odd on purpose) test image with the ffmpeg CLI in `pixelFormat` and compares our decoding
    /// with the CLI's rgb24 decoding of the same file.
    func compareWithCLI(_ name: String, pixelFormat: String, tolerance: Int = 0) throws {
        let dir = TemporaryDirectory()
        let path = dir.file(name)
        let made = try Media.run("ffmpeg", ["-v", "error", "-f", "lavfi", "-i", "testsrc2=size=64x48:rate=1", "-frames:v", "1",
                                            "-vf", "format=rgb24,crop=61:37:1:1", "-pix_fmt", pixelFormat, path])
        try #require(made.status == 0, "ffmpeg: \(made.err)")
        let image = try ImageFile.read(path: path)
        #expect(image.size == PixelSize(width: 61, height: 37))
        let cli = try Media.CLIFrames(path: path, size: image.size)
        let expected = try #require(try cli.next())
        let delta = Media.maxDelta(image.pixels, expected)
        #expect(delta <= tolerance, "\(name) (\(pixelFormat)): max |Δ| \(delta)")
    }

    @Test func rgbPNG() throws { try compareWithCLI("rgb.png", pixelFormat: "rgb24") }
    @Test func greyPNG() throws { try compareWithCLI("grey.png", pixelFormat: "gray") }
    @Test func palettePNG() throws { try compareWithCLI("pal.png", pixelFormat: "pal8") }
    @Test func sixteenBitPNG() throws { try compareWithCLI("deep.png", pixelFormat: "rgb48be") }
    @Test func yuvjJPEG() throws { try compareWithCLI("photo.jpg", pixelFormat: "yuvj420p", tolerance: 1) }
    @Test func greyJPEG() throws { try compareWithCLI("grey.jpg", pixelFormat: "gray", tolerance: 1) }

    @Test func rgbaIsCompositedOverWhite() throws {
        let dir = TemporaryDirectory()
        let path = dir.file("half.png")
        // Every pixel at alpha 128.
        let made = try Media.run("ffmpeg", ["-v", "error", "-f", "lavfi", "-i", "testsrc2=size=32x16:rate=1", "-frames:v", "1",
                                            "-vf", "format=rgba,colorchannelmixer=aa=0.5", path])
        try #require(made.status == 0, "ffmpeg: \(made.err)")
        let alpha = try Media.run("ffmpeg", ["-v", "error", "-i", path, "-f", "rawvideo", "-pix_fmt", "rgba", "-"]).out
        let image = try ImageFile.read(path: path)
        for i in 0..<(32 * 16) {
            let a = Int(alpha[i * 4 + 3])
            for c in 0..<3 {
                let expected = (Int(alpha[i * 4 + c]) * a + 255 * (255 - a) + 127) / 255
                #expect(Int(image.pixels[i * 3 + c]) == expected)
            }
        }
        #expect(Int(alpha[3]) == 128)
    }

    @Test func sourceImageOfTheDemoDecodes() throws {
        let image = try ImageFile.read(path: Media.demoImage)
        #expect(image.size == PixelSize(width: 1080, height: 1920))
        let cli = try Media.CLIFrames(path: Media.demoImage, size: image.size)
        #expect(try cli.next() == image.pixels)
    }

    @Test func pngRoundTripIsExact() throws {
        let dir = TemporaryDirectory()
        let image = Media.pattern(PixelSize(width: 45, height: 31), frame: 7)
        try ImageFile.writePNG(image, to: dir.file("p.png"))
        #expect(try ImageFile.read(path: dir.file("p.png")) == image)
        #expect(Media.contents(dir.path) == ["p.png"])
    }

    @Test func digestMatchesSha256sum() throws {
        let r = try Media.run("sha256sum", [Media.demoVideo])
        let expected = String(String(decoding: r.out, as: UTF8.self).prefix(64))
        #expect(try FileDigest.sha256(path: Media.demoVideo) == expected)
    }
}
