// Helpers of the media tests: the demo video, running the ffmpeg / ffprobe CLIs (installed by
// scripts/bootstrap.sh) as the independent reference, PSNR, synthetic frames, and small tmpfs
// mounts for the full-disk and read-only cases.
import Foundation
import Imaging
@_exported import TestSupport

enum Media {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    static let demoVideo = root.appendingPathComponent("Projects/pose2sim-demo/cam01.mp4").path
    static let demoImage = root.appendingPathComponent("Projects/pose2sim-demo/source.png").path

    /// Runs a tool; returns (status, stdout, stderr). stdout is read fully.
    @discardableResult
    static func run(_ tool: String, _ arguments: [String]) throws -> (status: Int32, out: Data, err: String) {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = [tool] + arguments
        let out = Pipe()
        let errPath = NSTemporaryDirectory() + "media-test-\(UUID().uuidString).err"
        _ = FileManager.default.createFile(atPath: errPath, contents: nil)
        defer { try? FileManager.default.removeItem(atPath: errPath) }
        process.standardOutput = out
        process.standardError = FileHandle(forWritingAtPath: errPath)
        try process.run()
        let watchdog = Watchdog(pid: process.processIdentifier, seconds: 300)
        let data = out.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        watchdog.cancel()
        let errData = FileManager.default.contents(atPath: errPath) ?? Data()
        return (process.terminationStatus, data, String(decoding: errData, as: UTF8.self))
    }

    /// ffprobe's `key=value` lines for the first video stream (counting frames).
    static func probe(_ path: String) throws -> [String: String] {
        let r = try run("ffprobe", ["-v", "error", "-select_streams", "v:0", "-count_frames", "-show_entries",
                                    "stream=codec_name,pix_fmt,width,height,nb_read_frames,avg_frame_rate,r_frame_rate,duration:format=format_name",
                                    "-of", "default=nw=1", path])
        var result: [String: String] = [:]
        for line in String(decoding: r.out, as: UTF8.self).split(separator: "\n") {
            let parts = line.split(separator: "=", maxSplits: 1)
            if parts.count == 2 { result[String(parts[0])] = String(parts[1]) }
        }
        return result
    }

    /// Streams the ffmpeg CLI's rgb24 decoding of `path`, one frame at a time.
    final class CLIFrames {
        let process = Process()
        let pipe = Pipe()
        let frameBytes: Int
        init(path: String, size: PixelSize, extra: [String] = []) throws {
            frameBytes = size.width * size.height * 3
            process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
            process.arguments = ["ffmpeg", "-v", "error", "-nostdin", "-i", path] + extra + ["-f", "rawvideo", "-pix_fmt", "rgb24", "-"]
            process.standardOutput = pipe
            process.standardError = FileHandle.nullDevice
            try process.run()
        }
        func next() throws -> [UInt8]? {
            var data = Data()
            while data.count < frameBytes {
                guard let chunk = try pipe.fileHandleForReading.read(upToCount: frameBytes - data.count), !chunk.isEmpty else { break }
                data.append(chunk)
            }
            return data.count == frameBytes ? [UInt8](data) : nil
        }
        deinit {
            if process.isRunning { process.terminate() }
            let watchdog = Watchdog(pid: process.processIdentifier, seconds: 30)
            process.waitUntilExit()
            watchdog.cancel()
        }
    }

    /// Largest per-channel difference.
    static func maxDelta(_ a: [UInt8], _ b: [UInt8]) -> Int {
        precondition(a.count == b.count)
        var m = 0
        for i in a.indices { m = max(m, abs(Int(a[i]) - Int(b[i]))) }
        return m
    }

    /// PSNR in dB over all channels (infinity for identical images).
    static func psnr(_ a: RGBImage, _ b: RGBImage) -> Double {
        precondition(a.size == b.size)
        var sum = 0.0
        for i in a.pixels.indices {
            let d = Double(a.pixels[i]) - Double(b.pixels[i])
            sum += d * d
        }
        let mse = sum / Double(a.pixels.count)
        return mse == 0 ? .infinity : 10 * log10(255 * 255 / mse)
    }

    /// A smooth moving test pattern with one sharp shape (camera frames with a drawing on top).
    static func pattern(_ size: PixelSize, frame: Int) -> RGBImage {
        var image = RGBImage(width: size.width, height: size.height)
        for y in 0..<size.height {
            for x in 0..<size.width {
                let r = UInt8(x * 200 / size.width + frame % 50)
                let g = UInt8(y * 200 / size.height + (frame * 2) % 50)
                image[x, y] = RGB(r, g, UInt8(128 + Int(60 * sin(Double(x + y + frame * 4) / 30))))
            }
        }
        image.fillDisc(cx: Double(size.width / 2 + frame), cy: Double(size.height / 2), radius: Double(size.height) / 8, color: .white)
        return image
    }

    /// Pseudo-random noise (incompressible: fills a small disk fast).
    static func noise(_ size: PixelSize, seed: UInt64) -> RGBImage {
        var state = seed
        var pixels = [UInt8](repeating: 0, count: size.width * size.height * 3)
        for i in pixels.indices {
            state = state &* 6364136223846793005 &+ 1442695040888963407
            pixels[i] = UInt8(truncatingIfNeeded: state >> 56)
        }
        return RGBImage(width: size.width, height: size.height, pixels: pixels)
    }

    /// Files in a directory, hidden ones included.
    static func contents(_ dir: String) -> [String] {
        ((try? FileManager.default.contentsOfDirectory(atPath: dir)) ?? []).sorted()
    }
}

/// A small tmpfs mounted for one test (needs root with CAP_SYS_ADMIN; nil otherwise).
final class Tmpfs {
    let path: String
    private init(path: String) { self.path = path }

    static let available: Bool = {
        let dir = TemporaryDirectory()
        guard let mount = Tmpfs.mount(at: dir.file("probe"), options: "size=64k") else { return false }
        mount.unmount()
        return true
    }()

    static func mount(at path: String, options: String) -> Tmpfs? {
        try? FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        guard getuid() == 0, let r = try? Media.run("mount", ["-t", "tmpfs", "-o", options, "tmpfs", path]), r.status == 0 else { return nil }
        return Tmpfs(path: path)
    }

    func unmount() { _ = try? Media.run("umount", [path]) }
    deinit { unmount() }
}
