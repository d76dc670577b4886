// `posestudio render`: a project's frames as PNG crops — the draft (mesh-flow warp of the source,
// no network) with --draft — and `bench draft`, the draft's speed at the render size. Bodies come
// from the project's SMPL or are fitted in memory with the chosen body (see Rendering).
import ArgumentParser
import BodyKit
import Foundation
import Imaging
import PoseTransfer
import TensorEngine
import MediaIO
import ProjectStore
import Rendering

/// Options shared by everything that renders a project; each falls back to the project's
/// `render.*` setting (`RenderSettings`), then to the default.
struct RenderSetup: ParsableArguments {
    @Option(help: "Render size: S for S×S crops (BDMM's 256), or HxW (height first; multiples of 8, the network needs at least 128x64). Default: the project's render.size, else 256.")
    var size: RenderSizeArgument?
    @Option(help: "What renders are put on: neutral, black, white, RRGGBB, or plate (the person composited over the driving video's background plate). Default: the project's render.background, else neutral.")
    var background: BackdropArgument?
    @Flag(inversion: .prefixedNo, help: "Global pose normalisation towards the source person (default: the project's render.normalise, else on).")
    var normalise: Bool?
    @OptionGroup var body: BodyOption

    /// The project's render settings.
    func settings(_ file: ProjectFile) throws -> RenderSettings {
        try RenderSettings(settings: try file.settings(), project: file.path)
    }

    func backdrop(_ settings: RenderSettings) -> Backdrop { background?.backdrop ?? settings.backdrop ?? .colour(.neutral) }

    func options(_ settings: RenderSettings) -> RenderOptions {
        let (width, height) = settings.size(overriding: size?.pair)
        return RenderOptions(width: width, height: height, background: backdrop(settings).colour, normalise: normalise ?? settings.normalise ?? true)
    }

    /// The draft renderer of an open project (fits the bodies in memory when it stores none), on
    /// the background plate when that is the backdrop.
    func draftRenderer(_ file: ProjectFile) throws -> DraftRenderer {
        let settings = try settings(file)
        let model = try body.load(recorded: nil)
        let renderer = try DraftRenderer(project: file.project, name: file.path, body: model, options: options(settings))
        if backdrop(settings) == .plate { renderer.plate = try Plates.plate(file, body: model) }
        return renderer
    }
}

/// S or HxW, each 64…2048 and a multiple of 8.
struct RenderSizeArgument: ExpressibleByArgument, CustomStringConvertible {
    var width: Int
    var height: Int
    init?(argument: String) {
        guard let size = RenderSettings.size(argument) else { return nil }
        (width, height) = size
    }
    var description: String { width == height ? "\(width)" : "\(height)x\(width)" }
    var pair: (width: Int, height: Int) { (width, height) }
    static var defaultValueDescription: String { "256" }
}

/// neutral, black, white, RRGGBB or plate.
struct BackdropArgument: ExpressibleByArgument {
    var backdrop: Backdrop
    init?(argument: String) {
        guard let backdrop = Backdrop(text: argument) else { return nil }
        self.backdrop = backdrop
    }
    static var defaultValueDescription: String { "neutral" }
}

/// Background plates of projects' driving videos (computed once, then from the plate cache).
enum Plates {
    /// The project's plate over the frames the video and the sequence share; `computed` hears
    /// a fresh one (the CLI prints it; the studio, whose screen is up, does not).
    /// - Throws: when it has no driving video, the video moved or changed, or is another size.
    static func plate(_ file: ProjectFile, body: BodyModel, computed: (BackgroundPlate) -> Void = Plates.report) throws -> RGBImage {
        let frames = 0..<min(file.sequence.frameCount, try file.drivingVideo()?.frameCount ?? file.sequence.frameCount)
        let column = try DrivingVideoLink.matchingColumn(file, frames: frames, purpose: "the plate background")
        let video = try file.drivingVideo()!
        return try BackgroundPlate.of(file.project, frames: frames, name: file.path, body: body, video: video.sha256, frame: column.frame,
                                      cache: PlateCache.standard(environment: ProcessInfo.processInfo.environment), computed: computed)
    }

    static func report(_ plate: BackgroundPlate) {
        Console.error(String(format: "background plate: median of %d frames, %.1f %% of the pixels never seen and filled in",
                             plate.framesUsed, 100 * plate.unseen))
    }
}

struct Render: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Render the source person performing the project's poses, as numbered PNG frames (S×S crops).")

    @Argument(help: "The project file.") var project: String
    @Option(help: "A new directory for the PNG frames.") var out: String
    @Flag(help: "The draft render: the source warped by the bodies' mesh flow, no network (needs no weights).") var draft = false
    @Option(help: "Generator weights (latest_net_G.pth or .safetensors) for the neural render.") var weights: String?
    @Option(help: "Frames to render, START:END (end exclusive) or N (default: all). A range is rendered as its own clip.") var frames: FrameRangeArgument?
    @Option(help: "Threads for the generator's loops and OpenBLAS.") var threads = 2
    @Option(name: .customLong("save-inputs"), help: "Neural render: also write the generator's inputs (P_ref, wK.BP, wK.flow_frames, wK.flow_pre, wK.flow_post) to this .safetensors, for `debug generator`.")
    var saveInputs: String?
    @Flag(name: .customLong("no-cache"), help: "Neural render: neither reuse nor store windows in $XDG_CACHE_HOME/posestudio/render.")
    var noCache = false
    @OptionGroup var setup: RenderSetup

    func run() throws {
        let file = try ProjectFile.open(at: project)
        defer { try? file.close() }
        let sequence = file.sequence
        let range = try FrameRangeArgument.range(frames, frameCount: sequence.frameCount, project: project)
        // The weights are looked up first: without them nothing is fitted or written.
        var generator: BDMMGenerator?
        var weightsID = ""
        if !draft {
            let path = try WeightsLocation.find(explicit: weights, setting: try setup.settings(file).weights,
                                                environment: ProcessInfo.processInfo.environment)
            generator = try WeightsLocation.generator(at: path)
            weightsID = WeightsLocation.identity(of: path)
        }
        let start = ContinuousClock.now
        let renderer = try setup.draftRenderer(file)
        Console.out("bodies: \(renderer.bodiesOrigin == .stored ? "the project's SMPL" : "fitted in memory") with the \(renderer.body.kind) body "
                    + "(\(Stats.format(start.elapsedMS / 1000)) s)")
        let (width, height) = (renderer.options.width, renderer.options.height)
        let size = "\(width)x\(height)"   // width x height, as frame sizes are printed
        let writer = try PNGSequenceWriter(directory: out, size: PixelSize(width: width, height: height))
        var progress = Progress(total: range.count)
        if let generator {
            let neural = try NeuralRenderer(geometry: renderer, generator: generator, threads: threads)
            if let saveInputs { try Self.save(neural, clip: range, to: saveInputs) }
            let cache = noCache ? nil : RenderCache.standard(environment: ProcessInfo.processInfo.environment)
            let use = try neural.render(range, cache: cache, weightsID: weightsID) { index, image in
                try writer.write(renderer.onBackdrop(image, frame: index), number: index)
                progress.step()
            }
            if let cache { Console.out("windows: \(use.reused) from the cache, \(use.computed) computed (\(cache.directory))") }
        } else {
            for index in range {
                try writer.write(renderer.onBackdrop(renderer.render(frame: index), frame: index, draft: true), number: index)
                progress.step()
            }
        }
        progress.finish()
        try writer.finish()
        Console.out("wrote \(writer.framesWritten) \(draft ? "draft" : "neural") frames (\(size)) to \(out)")
    }
}

extension Render {
    /// The clip's generator inputs in the parity fixture's layout (what `debug generator` reads).
    static func save(_ neural: NeuralRenderer, clip: Range<Int>, to path: String) throws {
        var tensors: [String: Tensor] = ["P_ref": neural.sourceTensor]
        let windows = NeuralRenderer.windows(of: clip)
        for (k, window) in windows.enumerated() {
            let input = neural.input(window)
            let (h, w) = (input.flows[0].shape[1], input.flows[0].shape[2])
            tensors["w\(k).BP"] = Tensor(shape: [1, input.heatmaps.count, input.heatmaps[0].shape[1], h, w], storage: input.heatmaps.flatMap(\.storage))
            tensors["w\(k).flow_frames"] = Tensor(shape: [1, input.flows.count, h, w, 2], storage: input.flows.flatMap(\.storage))
            tensors["w\(k).flow_pre"] = input.preFlow
            tensors["w\(k).flow_post"] = input.postFlow
        }
        do {
            try Safetensors.write(tensors, metadata: ["windows": windows.map { String($0.frames.count) }.joined(separator: ","),
                                                      "first_frame": String(clip.lowerBound)], to: URL(fileURLWithPath: path))
        } catch {
            throw RenderError("\(path): cannot write the generator inputs: \(error)")
        }
        Console.out("wrote the generator inputs of \(windows.count) windows to \(path)")
    }
}

struct DraftBench: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "draft",
        abstract: "Time the draft render of a project's frames (target at 256: ≥ 100 frames/s, built-in body).")

    @Argument(help: "A project (default: a new project of the pose2sim demo, in a temporary directory).") var project: String?
    @Option(help: "Render size S.") var size = 256
    @Option(help: "Timed passes over all frames (each with a fresh renderer cache; the median is reported).") var runs = 5

    func validate() throws {
        guard (8...2048).contains(size), runs > 0 else { throw ValidationError("--size must be 8…2048 and --runs positive") }
    }

    func run() throws {
        let dir = NSTemporaryDirectory() + "posestudio-bench-\(getpid())"
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let path = try project ?? DemoFiles.createDemo(in: dir)
        let file = try ProjectFile.open(at: path)
        defer { try? file.close() }
        var clock = ContinuousClock.now
        let setupRenderer = try DraftRenderer(project: file.project, name: path, body: BuiltinBody.model, options: RenderOptions(size: size))
        let setupSeconds = clock.elapsedMS / 1000
        let frames = file.sequence.frameCount
        var perFrame: [Double] = []
        for _ in 0..<runs {
            // A new renderer per pass (its bodies come from the fit cache) so no frame is cached.
            let renderer = try DraftRenderer(project: file.project, name: path, body: BuiltinBody.model, options: RenderOptions(size: size))
            clock = .now
            for t in 0..<frames { _ = renderer.render(frame: t) }
            perFrame.append(clock.elapsedMS / Double(frames))
        }
        let median = Stats.percentile(perFrame, 0.5)
        Console.out("draft: \(path), \(frames) frames at \(size)x\(size), \(BuiltinBody.model.vertexCount) vertices, "
                    + "\(BuiltinBody.model.faceCount) faces; bodies \(setupRenderer.bodiesOrigin.rawValue) in \(Stats.format(setupSeconds)) s")
        Console.out(Stats.line("draft frame", perFrame, target: size == 256 ? 10 : nil)
                    + String(format: " = %.0f frames/s", 1000 / median))
        // When the source is a sequence frame: that frame, unnormalised, against the source crop.
        if let k = file.project.sourceFrame {
            let plain = try DraftRenderer(project: file.project, name: path, body: BuiltinBody.model,
                                          options: RenderOptions(size: size, normalise: false))
            let draft = plain.renderDetailed(frame: k)
            var squared = 0.0, count = 0
            for p in 0..<(size * size) where draft.faceIndex[p] >= 0 {
                for c in 0..<3 {
                    let d = Double(draft.image.pixels[3 * p + c]) - Double(plain.sourceImage.pixels[3 * p + c])
                    squared += d * d
                }
                count += 3
            }
            if count > 0 {
                Console.out(String(format: "frame %d (the source's own pose) against the source crop inside the silhouette (%d pixels): PSNR %.1f dB",
                                   k, count / 3, 10 * log10(255 * 255 / max(squared / Double(count), 1e-12))))
            }
        }
        Console.out("load average \(PeakMemory.loadAverage())")
    }
}

enum DemoFiles {
    /// `posestudio new` of Projects/pose2sim-demo (found from the working directory) into `dir`.
    static func createDemo(in dir: String) throws -> String {
        let demo = "Projects/pose2sim-demo"
        guard FileManager.default.fileExists(atPath: demo + "/source.png") else {
            throw ValidationError("\(demo) not found: run from the repository root or give a project")
        }
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        let path = (dir as NSString).appendingPathComponent("demo.bdmm")
        let command = try New.parse([path, "--image", demo + "/source.png", "--poses", demo + "/cam01_keypoints", "--fps", "60"])
        try command.run()
        return path
    }
}
