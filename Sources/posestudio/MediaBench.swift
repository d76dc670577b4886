// `posestudio bench media`: encode speed (256×256 veryfast; 1080×1920 of synthetic bands, which
// x264 finds harder than camera frames, and of the demo video's camera frames, what exports
// carry; each with the CPU time per frame and the part of it spent converting RGB to yuv420p), a
// 60×30-cell preview, and decoding the demo video. Medians of repeated runs; the machine may be shared, so compare
// runs made under the same load.
import ArgumentParser
import Foundation
import Imaging
import MediaIO
import TerminalPreview

struct MediaBench: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "media",
        abstract: "Time encoding, previews and decoding (targets: ≥ 150 fps at 256×256 veryfast, ≥ 40 fps at 1080×1920, 60×30 preview ≤ 15 ms, demo decode ≥ 200 fps).")

    @Option(help: "The video to decode (default: the demo video under Projects/).")
    var video = "Projects/pose2sim-demo/cam01.mp4"
    @Option(help: "The image to preview (default: the demo source image).")
    var image = "Projects/pose2sim-demo/source.png"
    @Option(help: "Repetitions of each measurement.") var runs = 5

    func validate() throws {
        guard runs > 0 else { throw ValidationError("--runs must be positive") }
    }

    func run() throws {
        let dir = NSTemporaryDirectory() + "posestudio-bench-media-\(getpid())"
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: dir) }
        Console.out("encoder: \(VideoEncoding.hasH264 ? "libx264" : "MPEG-4 Part 2 (no libx264)")")

        let picture = try ImageFile.read(path: image)
        let square = picture.resized(width: 256, height: 256)
        for (name, source) in [("\(picture.size) image", picture), ("256x256 image", square)] {
            var times: [Double] = [], text: [Double] = []
            for _ in 0..<max(runs * 6, 20) {
                let start = ContinuousClock.now
                let grid = PreviewRenderer.cells(for: source, columns: 60, rows: 30, mode: .truecolor)
                let drawn = ContinuousClock.now
                _ = ANSIText.render(grid)
                times.append(start.elapsedMS)
                text.append(drawn.elapsedMS)
            }
            Console.out(Stats.line("preview 60x30 truecolor of a \(name)", times, target: 15))
            Console.out("  of which ANSI text: median \(Stats.format(Stats.percentile(text, 0.5))) ms (the rest is chafa, scaling included)")
        }

        let small = PixelSize(width: 256, height: 256), tall = PixelSize(width: 1080, height: 1920)
        try encode("encode \(small) veryfast crf 18, synthetic", (0..<10).map { Self.frame(small, $0) }, frames: 300, target: 150, dir: dir)
        try encode("encode \(tall) veryfast crf 18, synthetic bands (harder than camera frames)", (0..<10).map { Self.frame(tall, $0) },
                   frames: 60, target: nil, dir: dir)
        // What exports carry: camera frames (the driving video under the skeleton or beside the render).
        let reader = try VideoReader(path: video)
        var camera: [RGBImage] = []
        while camera.count < 60, let frame = try reader.nextFrame() { camera.append(frame) }
        if let first = camera.first, first.width == tall.width, first.height == tall.height {
            try encode("encode \(tall) veryfast crf 18, the demo video's camera frames", camera, frames: camera.count, target: 40, dir: dir)
        }

        var rates: [Double] = []
        var frames = 0
        for _ in 0..<runs {
            let start = ContinuousClock.now
            let reader = try VideoReader(path: video)
            frames = 0
            while try reader.nextFrame() != nil { frames += 1 }
            rates.append(Double(frames) / (start.elapsedMS / 1000))
        }
        Console.out(Self.rateLine("decode \(video) (\(frames) frames, open + index + decode + RGB)", rates, target: 200))
    }

    /// Encodes `frames` frames cycling through `inputs`, `runs` times; prints the rate and CPU per frame.
    func encode(_ name: String, _ inputs: [RGBImage], frames: Int, target: Double?, dir: String) throws {
        let size = PixelSize(width: inputs[0].width, height: inputs[0].height)
        var rates: [Double] = [], cpu: [Double] = [], conversion: [Double] = []
        for run in 0..<runs {
            let start = ContinuousClock.now, cpuStart = Self.processCPUSeconds()
            let writer = try VideoWriter(path: dir + "/bench-\(run).mp4", size: size, fps: 60, encoding: VideoEncoding(preset: "veryfast"))
            for i in 0..<frames { try writer.append(inputs[i % inputs.count]) }
            try writer.finish()
            rates.append(Double(frames) / (start.elapsedMS / 1000))
            cpu.append((Self.processCPUSeconds() - cpuStart) * 1000 / Double(frames))
            conversion.append(writer.conversionSeconds * 1000 / Double(frames))
        }
        Console.out(Self.rateLine("\(name) (\(frames) frames)", rates, target: target))
        Console.out("  per frame: CPU (all threads, user + system) median \(Stats.format(Stats.percentile(cpu, 0.5))) ms, "
                    + "of which RGB→yuv420p \(Stats.format(Stats.percentile(conversion, 0.5))) ms")
    }

    /// User + system CPU time of the whole process (every thread), in seconds.
    static func processCPUSeconds() -> Double {
        var usage = rusage()
        getrusage(RUSAGE_SELF.rawValue, &usage)
        func seconds(_ t: timeval) -> Double { Double(t.tv_sec) + Double(t.tv_usec) / 1e6 }
        return seconds(usage.ru_utime) + seconds(usage.ru_stime)
    }

    static func rateLine(_ name: String, _ rates: [Double], target: Double?) -> String {
        let median = Stats.percentile(rates, 0.5)
        return "\(name): median \(String(format: "%.1f", median)) fps, range \(String(format: "%.1f", rates.min()!))–\(String(format: "%.1f", rates.max()!)) "
            + "over \(rates.count) runs" + (target.map { " (target ≥ \(Int($0)): \(median >= $0 ? "met" : "MISSED"))" } ?? "")
    }

    /// A moving gradient with a disc: compresses like a camera frame with a drawing on top.
    static func frame(_ size: PixelSize, _ t: Int) -> RGBImage {
        var image = RGBImage(width: size.width, height: size.height)
        image.pixels.withUnsafeMutableBufferPointer { p in
            for y in 0..<size.height {
                for x in 0..<size.width {
                    let i = (y * size.width + x) * 3
                    p[i] = UInt8((x * 200 / size.width + t * 3) & 255)
                    p[i + 1] = UInt8((y * 200 / size.height + t) & 255)
                    p[i + 2] = UInt8(((x + y) / 4 + t * 5) & 255)
                }
            }
        }
        image.fillDisc(cx: Double(size.width) * (0.3 + 0.04 * Double(t)), cy: Double(size.height) / 2, radius: Double(size.width) / 10, color: .white)
        return image
    }
}
