// Media verbs: `preview` (an image or a project frame as ANSI cells on stdout), `video` (link,
// re-link or remove a project's driving video) and the video half of `export` (MP4 and/or PNG
// frames built from FrameSources columns). Progress goes to stderr only when it is a terminal.
import ArgumentParser
import Foundation
import Imaging
import MediaIO
import PoseKit
import ProjectStore
import Rendering
import TerminalPreview
import TerminalUI

struct Preview: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Show an image, or a project's source image or skeleton, as coloured text cells on stdout.")

    enum Colors: String, ExpressibleByArgument, CaseIterable { case auto, truecolor, c256 = "256", c16 = "16", none }

    @Argument(help: "A PNG/JPEG image or a project file (.bdmm).")
    var target: String

    @Option(help: "Project: the sequence frame whose skeleton to show (implies --skeleton).")
    var frame: Int?

    @Flag(help: "Project: the skeleton of --frame (default 0) over its driving video frame, or a neutral background.")
    var skeleton = false

    @Option(help: "Width in cells (default: fit the terminal).")
    var cols: Int?

    @Option(help: "Height in cells (default: fit the terminal).")
    var rows: Int?

    @Option(help: "Colours: auto (from TERM/COLORTERM), truecolor, 256, 16 or none.")
    var colors: Colors = .auto

    func validate() throws {
        if let cols, !(1...1000).contains(cols) { throw ValidationError("--cols \(cols) must be 1…1000") }
        if let rows, !(1...1000).contains(rows) { throw ValidationError("--rows \(rows) must be 1…1000") }
        if let frame, frame < 0 { throw ValidationError("--frame \(frame) must not be negative") }
    }

    func run() throws {
        let environment = ProcessInfo.processInfo.environment
        var capabilities = TerminalCapabilities.detect(environment: environment)
        switch colors {
        case .auto: break
        case .truecolor: capabilities.imageMode = .truecolor
        case .c256: capabilities.imageMode = .indexed256
        case .c16: capabilities.imageMode = .indexed16
        case .none: capabilities.imageMode = .monochrome
        }
        let (image, caption) = try picture()
        let (c, r) = cellSize(for: image.size)
        let grid = PreviewRenderer.cells(for: image, columns: c, rows: r, mode: capabilities.imageMode)
        var text = ANSIText.render(grid)
        let line = "\(caption) · \(c)x\(r) cells · \(capabilities.imageMode.rawValue == "none" ? "no" : capabilities.imageMode.rawValue) colour"
        text += capabilities.chromeColor ? "\u{1B}[2m" + line + ANSIText.reset + "\n" : line + "\n"
        FileHandle.standardOutput.write(Data(text.utf8))
    }

    /// The image to show and a one-line caption for it.
    private func picture() throws -> (RGBImage, String) {
        guard isProject(target) else {
            if skeleton || frame != nil { throw ValidationError("--skeleton and --frame need a project, and \(target) is an image") }
            let image = try ImageFile.read(path: target)
            return (image, "\(target) \(image.size)")
        }
        let file = try ProjectFile.open(at: target)
        defer { try? file.close() }
        guard skeleton || frame != nil else {
            let image = try ImageFile.decode([UInt8](file.project.sourceImage.bytes), name: "\(target): source image")
            return (image, "\(target) source image \(image.size)")
        }
        let index = frame ?? 0
        guard file.sequence.frames.contains(index) else {
            throw ValidationError("--frame \(index): \(target) has frames 0–\(file.sequence.frameCount - 1)")
        }
        let driving = try DrivingVideoLink.column(file)
        let image = try SkeletonColumn(sequence: file.sequence, background: driving).frame(index)
        return (image, "\(target) frame \(index) skeleton over \(driving == nil ? "a neutral background" : "the driving video")")
    }

    /// The requested size; a missing side follows the image's aspect (cells are twice as tall as
    /// wide); with neither, the largest that fits the terminal (80×24 when it is unknown).
    private func cellSize(for size: PixelSize) -> (Int, Int) {
        let aspect = Double(size.height) / Double(size.width) / 2   // rows per column
        switch (cols, rows) {
        case let (c?, r?): return (c, r)
        case let (c?, nil): return (c, max(1, Int((Double(c) * aspect).rounded())))
        case let (nil, r?): return (max(1, Int((Double(r) / aspect).rounded())), r)
        case (nil, nil):
            var window = winsize()
            let known = ioctl(STDOUT_FILENO, UInt(TIOCGWINSZ), &window) == 0 && window.ws_col > 0 && window.ws_row > 2
            let maxC = known ? Int(window.ws_col) : 80, maxR = known ? Int(window.ws_row) - 2 : 22
            let byWidth = Int((Double(maxC) * aspect).rounded())
            return byWidth <= maxR ? (maxC, max(1, byWidth)) : (max(1, Int((Double(maxR) / aspect).rounded())), maxR)
        }
    }

    private func isProject(_ path: String) -> Bool {
        guard let handle = FileHandle(forReadingAtPath: path) else { return false }
        defer { try? handle.close() }
        return (try? handle.read(upToCount: 16)) == Data("SQLite format 3\u{0}".utf8)
    }
}

struct VideoCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "video",
        abstract: "Link a project to its driving video (by path and checksum), re-link it after a move, or remove the link.")

    @Argument(help: "The project file.")
    var project: String

    @Argument(help: "The video file (MP4 or anything FFmpeg reads).")
    var video: String?

    @Flag(help: "Remove the project's driving video link.")
    var remove = false

    func validate() throws {
        if (video == nil) == !remove { throw ValidationError("give a video file or --remove") }
    }

    func run() throws {
        let file = try ProjectFile.open(at: project)
        defer { try? file.close() }
        guard let video else {
            try file.setDrivingVideo(nil)
            Console.out("\(project): driving video link removed")
            return
        }
        let reference = try DrivingVideoLink.reference(for: video)
        for note in DrivingVideoLink.mismatches(reference, file.sequence) { Console.error("posestudio: warning: \(video): \(note)") }
        try file.setDrivingVideo(reference)
        Console.out("\(project): driving video \(reference.path) (\(reference.frameCount) frames at \(PoseNumber.text(reference.fps)) fps, \(reference.frameSize))")
    }
}

/// `export`'s video options (the pose options live in `Export`).
struct VideoExportOptions: ParsableArguments {
    enum Layout: String, ExpressibleByArgument, CaseIterable {
        case skeleton
        case sideBySide = "side-by-side"
        case render
    }

    @Option(help: "Write an MP4 (H.264 via libx264, MPEG-4 Part 2 if libx264 is missing).")
    var video: String?

    @Option(help: "Write the frames as numbered PNG files into this new directory.")
    var png: String?

    @Option(help: "Frames to export, START:END (end exclusive) or N (default: all).")
    var frames: FrameRangeArgument?

    @Option(help: "skeleton: the skeleton over the driving video frame (or neutral grey); side-by-side: driving frame | skeleton (| render with --draft or --weights), each with the frame number; render: the render in the frame (neural, or the draft with --draft).")
    var layout: Layout = .skeleton

    @Flag(help: "Use the draft render (the source warped by the bodies' mesh flow, no network): --layout render, or a side-by-side column.")
    var draft = false

    @Option(help: "Generator weights (latest_net_G.pth or .safetensors) for the neural render: --layout render, or a side-by-side column. Without it --layout render looks in the project's render.weights setting, then $XDG_DATA_HOME/posestudio/weights/.")
    var weights: String?

    @Option(help: "Neural render: threads for the generator's loops and OpenBLAS.")
    var threads = 2

    @OptionGroup var render: RenderSetup

    @Option(help: "x264 constant rate factor, 0 (lossless) … 51.")
    var crf = 18

    @Option(help: "x264 preset: ultrafast, superfast, veryfast, faster, fast, medium, slow, slower, veryslow.")
    var preset = "veryfast"

    @Option(help: "x264 tune, or none. psnr (default) keeps frames closest to what went in, which suits review exports.")
    var tune = "psnr"

    @Option(help: "Video codec: automatic, h264 or mpeg4.")
    var codec: VideoEncoding.Codec = .automatic

    var wanted: Bool { video != nil || png != nil }

    func validate() throws {
        if draft && weights != nil { throw ValidationError("--draft and --weights exclude each other: the draft needs no weights") }
        if (draft || weights != nil) && layout == .skeleton {
            throw ValidationError("--\(draft ? "draft" : "weights") adds a render: use --layout render or side-by-side")
        }
        guard (1...64).contains(threads) else { throw ValidationError("--threads \(threads) must be 1…64") }
        guard (0...51).contains(crf) else { throw ValidationError("--crf \(crf) must be 0…51") }
        guard VideoEncoding.presets.contains(preset) else {
            throw ValidationError("--preset \(preset) is not an x264 preset (\(VideoEncoding.presets.joined(separator: ", ")))")
        }
        guard tune == "none" || VideoEncoding.tunes.contains(tune) else {
            throw ValidationError("--tune \(tune) is not an x264 tune (none, \(VideoEncoding.tunes.joined(separator: ", ")))")
        }
    }
}

extension VideoEncoding.Codec: ExpressibleByArgument {}

enum VideoExport {
    static func run(project: String, options: VideoExportOptions) throws {
        let file = try ProjectFile.open(at: project)
        defer { try? file.close() }
        let sequence = file.sequence
        let range = try FrameRangeArgument.range(options.frames, frameCount: sequence.frameCount, project: project)
        let driving = try DrivingVideoLink.column(file)
        // The render column: the draft, or the neural render (weights looked up before any fitting).
        var neural: NeuralColumn?
        var rendered: [FrameColumn] = []
        if options.layout == .render || options.draft || options.weights != nil {
            if options.draft {
                rendered = [DraftColumn(renderer: try options.render.draftRenderer(file))]
            } else {
                let environment = ProcessInfo.processInfo.environment
                let weights = try WeightsLocation.find(explicit: options.weights, setting: try options.render.settings(file).weights,
                                                       environment: environment)
                let column = try NeuralColumn(weights: weights, geometry: try options.render.draftRenderer(file),
                                              threads: options.threads, cache: RenderCache.standard(environment: environment))
                neural = column
                rendered = [column]
            }
        }
        let layout: FrameLayout
        switch options.layout {
        case .skeleton:
            layout = FrameLayout(columns: [SkeletonColumn(sequence: sequence, background: driving)], labelled: false)
        case .sideBySide:
            if driving == nil { Console.error("posestudio: note: \(project) has no driving video; side-by-side leaves that column out") }
            layout = FrameLayout(columns: (driving.map { [$0] } ?? []) + [SkeletonColumn(sequence: sequence, background: nil)] + rendered,
                                 labelled: true)
        case .render:
            layout = FrameLayout(columns: rendered, labelled: false)
        }
        let encoding = VideoEncoding(codec: options.codec, crf: options.crf, preset: options.preset,
                                     tune: options.tune == "none" ? nil : options.tune)
        let writer = try options.video.map { try VideoWriter(path: $0, size: layout.size, fps: sequence.fps, encoding: encoding) }
        let pngs = try options.png.map { try PNGSequenceWriter(directory: $0, size: layout.size) }
        var progress = Progress(total: range.count)
        func emit(_ index: Int) throws {
            let frame = try layout.frame(index)
            try writer?.append(frame)
            try pngs?.write(frame, number: index)
            progress.step()
        }
        var windows: NeuralRenderer.CacheUse?
        if let neural {
            windows = try neural.render(range, each: emit)
        } else {
            for index in range { try emit(index) }
        }
        progress.finish()
        try writer?.finish()
        try pngs?.finish()
        if let writer, let path = options.video {
            let bytes = (try? FileManager.default.attributesOfItem(atPath: path)[.size] as? Int) ?? 0
            Console.out("wrote \(path): \(range.count) frames \(layout.size) at \(PoseNumber.text(sequence.fps)) fps, "
                        + "\(writer.codecName)\(writer.codecName == "h264" ? " crf \(options.crf) \(options.preset)" : ""), "
                        + String(format: "%.1f MB", Double(bytes) / 1e6))
        }
        if let pngs, let dir = options.png {
            Console.out("wrote \(pngs.framesWritten) PNG frames to \(dir)")
        }
        if let windows {
            Console.out("neural render: windows \(windows.reused) from the cache, \(windows.computed) computed "
                        + "(\(RenderCache.standard(environment: ProcessInfo.processInfo.environment).directory))")
        }
    }
}

/// A one-line progress bar on stderr, drawn only when stderr is a terminal.
struct Progress {
    let total: Int
    private(set) var count = 0
    private let enabled = isatty(STDERR_FILENO) == 1
    private let start = ContinuousClock.now

    init(total: Int) { self.total = total }

    mutating func step() {
        count += 1
        guard enabled else { return }
        let width = 30, filled = total == 0 ? width : count * width / total
        let seconds = start.elapsedMS / 1000
        let rate = seconds > 0 ? Double(count) / seconds : 0
        let bar = String(repeating: "█", count: filled) + String(repeating: "·", count: width - filled)
        FileHandle.standardError.write(Data("\r\(bar) \(count)/\(total) frames \(String(format: "%.1f", rate)) fps".utf8))
    }

    func finish() {
        if enabled { FileHandle.standardError.write(Data("\n".utf8)) }
    }
}
