// `posestudio dataset`: what training a generator on the project's own subject needs (the layout is
// `TrainingDataset`'s), and `posestudio plate`: the driving video's background plate as a PNG.
// Both see the project as the renderer does with pose normalisation off: the subject drives itself,
// so every crop lies on the video frame where the person really is.
import ArgumentParser
import Foundation
import Imaging
import MediaIO
import ProjectStore
import Rendering

struct Dataset: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Write a training set from the project and its driving video: per frame the generator's inputs, the target crop and the body's silhouette.")

    @Argument(help: "The project file (it needs a linked driving video).") var project: String
    @Option(help: "A new directory for the dataset.") var out: String
    @Option(help: "Crop size: S or HxW (height first). Default: the project's render.size, else 256.") var size: RenderSizeArgument?
    @Option(help: "Frames, START:END (end exclusive) or N (default: all).") var frames: FrameRangeArgument?
    @Flag(name: .customLong("no-plate"), help: "Leave out the background plate crops.") var noPlate = false
    @OptionGroup var body: BodyOption

    func run() throws {
        let file = try ProjectFile.open(at: project)
        defer { try? file.close() }
        let sequence = file.sequence
        let range = try FrameRangeArgument.range(frames, frameCount: sequence.frameCount, project: project)
        let video = try DrivingVideoLink.matchingColumn(file, frames: range, purpose: "a dataset")
        let settings = try RenderSettings(settings: try file.settings(), project: project)
        let (width, height) = settings.size(overriding: size?.pair)
        let model = try body.load(recorded: nil)
        let start = ContinuousClock.now
        let renderer = try DraftRenderer(project: file.project, name: project, body: model,
                                         options: RenderOptions(width: width, height: height, normalise: false))
        let plate = noPlate ? nil : try Plates.plate(file, body: model)
        var progress = Progress(total: range.count)
        try TrainingDataset.write(renderer, frames: range, fps: sequence.fps, project: (project as NSString).lastPathComponent,
                                  video: video.frame, plate: plate, to: out) { _ in progress.step() }
        progress.finish()
        Console.out("wrote \(range.count) frames (\(width)x\(height), \(NeuralRenderer.windows(of: range).count) inference windows"
                    + "\(plate == nil ? "" : ", with the plate")) to \(out) in \(Stats.format(start.elapsedMS / 1000)) s")
    }
}

struct PlateCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "plate",
        abstract: "Write the driving video's background plate (per-pixel median of the frames around the person) as a PNG.")

    @Argument(help: "The project file (it needs a linked driving video).") var project: String
    @Option(help: "The PNG to write.") var out: String
    @OptionGroup var body: BodyOption

    func run() throws {
        let file = try ProjectFile.open(at: project)
        defer { try? file.close() }
        let plate = try Plates.plate(file, body: try body.load(recorded: nil))
        try ImageFile.writePNG(plate, to: out)
        Console.out("wrote the background plate (\(plate.size)) to \(out)")
    }
}
