// Bad input and hostile output locations: each gives a MediaError naming the file and what is
// wrong, nothing half-written is left, nothing crashes.
import Foundation
import Imaging
import MediaIO
import Testing

@Suite struct BadInputTests {
    @Test func zeroByteFiles() throws {
        let dir = TemporaryDirectory()
        for name in ["empty.png", "empty.mp4"] {
            #expect(FileManager.default.createFile(atPath: dir.file(name), contents: Data()))
        }
        #expect(throws: MediaError.emptyFile(path: dir.file("empty.png"))) { try ImageFile.read(path: dir.file("empty.png")) }
        #expect(throws: MediaError.emptyFile(path: dir.file("empty.mp4"))) { try VideoReader(path: dir.file("empty.mp4")) }
    }

    @Test func textFileNamedPNG() throws {
        let dir = TemporaryDirectory()
        let path = dir.file("notes.png")
        try "these are not pixels\n".write(toFile: path, atomically: true, encoding: .utf8)
        let error = try #require(throws: MediaError.self) { try ImageFile.read(path: path) }
        #expect("\(error)" == "\(path): not a PNG or JPEG image (it looks like text)")
        let video = try #require(throws: MediaError.self) { try VideoReader(path: path) }
        #expect("\(video)".hasPrefix(path + ": "))
    }

    @Test func missingFiles() throws {
        #expect(throws: MediaError.notFound(path: "/nonexistent/a.png")) { try ImageFile.read(path: "/nonexistent/a.png") }
        #expect(throws: MediaError.notFound(path: "/nonexistent/a.mp4")) { try VideoReader(path: "/nonexistent/a.mp4") }
    }

    @Test func truncatedPNG() throws {
        let dir = TemporaryDirectory()
        let bytes = try #require(FileManager.default.contents(atPath: Media.demoImage))
        let path = dir.file("cut.png")
        try bytes.prefix(bytes.count / 3).write(to: URL(fileURLWithPath: path))
        let error = try #require(throws: MediaError.self) { try ImageFile.read(path: path) }
        guard case let .damaged(p, field, _) = error else { Issue.record("expected .damaged, got \(error)"); return }
        #expect(p == path && field == "PNG data")
    }

    @Test func truncatedMP4WithIndexAtTheEnd() throws {
        // The demo video keeps its index (moov) at the end: cutting the file loses it.
        let dir = TemporaryDirectory()
        let bytes = try #require(FileManager.default.contents(atPath: Media.demoVideo))
        let path = dir.file("cut.mp4")
        try bytes.prefix(bytes.count * 2 / 3).write(to: URL(fileURLWithPath: path))
        let error = try #require(throws: MediaError.self) { try VideoReader(path: path) }
        #expect("\(error)".hasPrefix("\(path): "))
        #expect("\(error)".contains("truncated"))
    }

    @Test func truncatedFaststartMP4() throws {
        // With the index first, a cut file opens but its last frames' data is missing.
        let dir = TemporaryDirectory()
        let path = dir.file("whole.mp4")
        let writer = try VideoWriter(path: path, size: PixelSize(width: 128, height: 128), fps: 30)
        for i in 0..<40 { try writer.append(Media.noise(writer.size, seed: UInt64(i))) }
        try writer.finish()
        let bytes = try #require(FileManager.default.contents(atPath: path))
        try bytes.prefix(bytes.count / 2).write(to: URL(fileURLWithPath: dir.file("cut.mp4")))
        let error = try #require(throws: MediaError.self) { try VideoReader(path: dir.file("cut.mp4")) }
        guard case let .damaged(p, field, why) = error else { Issue.record("expected .damaged, got \(error)"); return }
        #expect(p == dir.file("cut.mp4"))
        #expect(field.hasPrefix("frame "))
        #expect(why.contains("truncated"))
    }

    @Test func outputInAMissingDirectory() throws {
        let dir = TemporaryDirectory()
        let path = dir.file("nope/out.mp4")
        let error = try #require(throws: MediaError.self) {
            try VideoWriter(path: path, size: PixelSize(width: 64, height: 64), fps: 30)
        }
        #expect("\(error)" == "\(path): cannot write: the directory \(dir.file("nope")) does not exist")
        #expect(throws: MediaError.self) { try ImageFile.writePNG(RGBImage(width: 2, height: 2), to: path) }
        #expect(throws: MediaError.self) { try PNGSequenceWriter(directory: dir.file("nope/frames"), size: PixelSize(width: 2, height: 2)) }
        #expect(Media.contents(dir.path).isEmpty)
    }

    @Test func outputInAReadOnlyDirectory() throws {
        let dir = TemporaryDirectory()
        let target = dir.file("ro")
        // root ignores permission bits: use a read-only tmpfs when root, chmod otherwise.
        var mount: Tmpfs?
        if getuid() == 0 {
            mount = Tmpfs.mount(at: target, options: "ro,size=64k")
        } else {
            try FileManager.default.createDirectory(atPath: target, withIntermediateDirectories: true)
            chmod(target, 0o555)
        }
        try #require(getuid() != 0 || mount != nil, "root without CAP_SYS_ADMIN cannot make a read-only directory")
        defer { chmod(target, 0o755); mount?.unmount() }
        let error = try #require(throws: MediaError.self) {
            try VideoWriter(path: target + "/out.mp4", size: PixelSize(width: 64, height: 64), fps: 30)
        }
        guard case let .cannotWrite(path, why) = error else { Issue.record("expected .cannotWrite, got \(error)"); return }
        #expect(path == target + "/out.mp4")
        #expect(why.contains("read-only") || why.contains("permission denied"))
        #expect(throws: MediaError.self) { try ImageFile.writePNG(RGBImage(width: 2, height: 2), to: target + "/a.png") }
        #expect(Media.contents(target).isEmpty)
    }

    @Test(.enabled(if: CI.runs(needing: Tmpfs.available))) func fullDiskWhileEncoding() throws {
        let dir = TemporaryDirectory()
        let disk = try #require(Tmpfs.mount(at: dir.file("small"), options: "size=256k"))
        defer { disk.unmount() }
        let path = disk.path + "/big.mp4"
        let writer = try VideoWriter(path: path, size: PixelSize(width: 256, height: 256), fps: 30,
                                     encoding: VideoEncoding(crf: 0, preset: "ultrafast"))
        var failure: MediaError?
        do {
            for i in 0..<60 { try writer.append(Media.noise(writer.size, seed: UInt64(i))) }
            try writer.finish()
        } catch let error as MediaError {
            failure = error
        }
        let error = try #require(failure, "256 KiB cannot hold 60 frames of lossless noise")
        #expect("\(error)" == "\(path): cannot write: no space left on the device")
        #expect(Media.contents(disk.path).isEmpty, "no partial output: \(Media.contents(disk.path))")
    }

    @Test(.enabled(if: CI.runs(needing: Tmpfs.available))) func fullDiskWhileWritingPNGs() throws {
        let dir = TemporaryDirectory()
        let disk = try #require(Tmpfs.mount(at: dir.file("small"), options: "size=128k"))
        defer { disk.unmount() }
        let size = PixelSize(width: 128, height: 128)
        let writer = try PNGSequenceWriter(directory: disk.path + "/frames", size: size)
        let error = try #require(throws: MediaError.self) {
            for i in 0..<20 { try writer.write(Media.noise(size, seed: UInt64(i)), number: i) }
        }
        #expect("\(error)".contains("no space left on the device"))
        #expect("\(error)".hasPrefix(disk.path + "/frames/frame_0000"))
        _ = consume writer
        #expect(Media.contents(disk.path).isEmpty, "no partial output: \(Media.contents(disk.path))")
    }
}
