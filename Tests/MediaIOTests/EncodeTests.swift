// Encoding: what ffprobe says about the MP4 (codec, pixel format, frame count, rate, duration),
// and how close the decoded frames are to what went in. PNG sequences appear whole.
import Foundation
import Imaging
import MediaIO
import Testing

@Suite struct EncodeTests {
    func encode(_ path: String, frames: Int, size: PixelSize, fps: Double, encoding: VideoEncoding) throws -> [RGBImage] {
        let writer = try VideoWriter(path: path, size: size, fps: fps, encoding: encoding)
        var inputs: [RGBImage] = []
        for i in 0..<frames {
            let frame = Media.pattern(size, frame: i)
            try writer.append(frame)
            inputs.append(frame)
        }
        #expect(!FileManager.default.fileExists(atPath: path), "the MP4 must not appear before finish()")
        try writer.finish()
        #expect(writer.framesWritten == frames)
        return inputs
    }

    @Test(.enabled(if: CI.runs(needing: VideoEncoding.hasH264))) func h264MP4HasTheRightStreamAndQuality() throws {
        let dir = TemporaryDirectory()
        let path = dir.file("out.mp4")
        let size = PixelSize(width: 256, height: 192)
        let inputs = try encode(path, frames: 30, size: size, fps: 60, encoding: VideoEncoding(crf: 18, preset: "veryfast"))
        let probe = try Media.probe(path)
        #expect(probe["codec_name"] == "h264")
        #expect(probe["pix_fmt"] == "yuv420p")
        #expect(probe["width"] == "256" && probe["height"] == "192")
        #expect(probe["nb_read_frames"] == "30")
        #expect(probe["avg_frame_rate"] == "60/1")
        #expect(probe["duration"] == "0.500000")
        #expect(Media.contents(dir.path) == ["out.mp4"], "no temporary file left beside it")
        // +faststart: the index (moov) comes before the media data (mdat).
        let head = try #require(FileManager.default.contents(atPath: path)).prefix(4096)
        let moov = try #require(head.range(of: Data("moov".utf8)))
        #expect(head.range(of: Data("mdat".utf8)).map { moov.lowerBound < $0.lowerBound } ?? true)

        let reader = try VideoReader(path: path)
        #expect(reader.frameCount == 30 && reader.fps == 60)
        var worst = Double.infinity
        for (i, input) in inputs.enumerated() {
            let decoded = try #require(try reader.nextFrame())
            let psnr = Media.psnr(decoded, input)
            worst = min(worst, psnr)
            #expect(psnr >= 38, "frame \(i): PSNR \(psnr) dB")
        }
        print("h264 crf 18 256x192: worst PSNR \(String(format: "%.2f", worst)) dB")
    }

    @Test func mpeg4FallbackWorks() throws {
        let dir = TemporaryDirectory()
        let path = dir.file("old.mp4")
        let inputs = try encode(path, frames: 12, size: PixelSize(width: 128, height: 96), fps: 25,
                                encoding: VideoEncoding(codec: .mpeg4, crf: 18))
        let probe = try Media.probe(path)
        #expect(probe["codec_name"] == "mpeg4")
        #expect(probe["nb_read_frames"] == "12")
        #expect(probe["avg_frame_rate"] == "25/1")
        let reader = try VideoReader(path: path)
        for input in inputs {
            let decoded = try #require(try reader.nextFrame())
            #expect(Media.psnr(decoded, input) >= 30)
        }
    }

    @Test func nonIntegerRateIsKept() throws {
        let dir = TemporaryDirectory()
        let path = dir.file("ntsc.mp4")
        _ = try encode(path, frames: 10, size: PixelSize(width: 64, height: 64), fps: 30000.0 / 1001, encoding: VideoEncoding())
        #expect(try Media.probe(path)["avg_frame_rate"] == "30000/1001")
    }

    @Test func oddSizeAndBadSettingsAreRefused() throws {
        let dir = TemporaryDirectory()
        #expect(throws: MediaError.self) { try VideoWriter(path: dir.file("a.mp4"), size: PixelSize(width: 63, height: 64), fps: 30) }
        #expect(throws: MediaError.self) { try VideoWriter(path: dir.file("b.mp4"), size: PixelSize(width: 64, height: 64), fps: 30,
                                                           encoding: VideoEncoding(crf: 99)) }
        #expect(throws: MediaError.self) { try VideoWriter(path: dir.file("c.mp4"), size: PixelSize(width: 64, height: 64), fps: 30,
                                                           encoding: VideoEncoding(preset: "warp")) }
        #expect(Media.contents(dir.path).isEmpty)
    }

    @Test func droppedUnfinishedWriterLeavesNothing() throws {
        let dir = TemporaryDirectory()
        do {
            let writer = try VideoWriter(path: dir.file("x.mp4"), size: PixelSize(width: 64, height: 64), fps: 30)
            try writer.append(Media.pattern(writer.size, frame: 0))
            #expect(Media.contents(dir.path).count == 1, "the temporary file exists while writing")
        }
        #expect(Media.contents(dir.path).isEmpty)
    }

    @Test func pngSequenceAppearsWhole() throws {
        let dir = TemporaryDirectory()
        let out = dir.file("frames")
        let size = PixelSize(width: 40, height: 30)
        let writer = try PNGSequenceWriter(directory: out, size: size)
        for i in 5..<8 { try writer.write(Media.pattern(size, frame: i), number: i) }
        #expect(!FileManager.default.fileExists(atPath: out))
        try writer.finish()
        #expect(Media.contents(out) == ["frame_000005.png", "frame_000006.png", "frame_000007.png"])
        #expect(try ImageFile.read(path: out + "/frame_000006.png") == Media.pattern(size, frame: 6))
        #expect(Media.contents(dir.path) == ["frames"])
        // A non-empty directory is refused.
        #expect(throws: MediaError.self) { try PNGSequenceWriter(directory: out, size: size) }
    }
}
