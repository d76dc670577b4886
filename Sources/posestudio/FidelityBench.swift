// `posestudio bench fidelity`: how good a render is. The draft and the neural render of a project's
// frames against the driving video's frames cut out by the same crops (pose normalisation off, so
// the subject drives itself): PSNR and SSIM inside the body's silhouette and over the whole crop
// (with the person composited over the background plate), and the sharpness ratio.
import ArgumentParser
import Foundation
import Imaging
import MediaIO
import ProjectStore
import Rendering

struct FidelityBench: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "fidelity",
        abstract: "Score the draft and neural renders of frames against the real video frames (PSNR, SSIM, sharpness).")

    @Argument(help: "The project (it needs its driving video).") var project: String
    @Option(help: "Generator weights; default: as `render` finds them (project setting render.weights, then the data directory).")
    var weights: String?
    @Option(help: "Frames, START:END (end exclusive), rendered as one clip (default: the last 20; the demo holds out 80:100).") var frames: FrameRangeArgument?
    @Option(help: "Crop size: S or HxW. Default: the project's render.size, else 256.") var size: RenderSizeArgument?
    @Option(help: "Threads for the generator.") var threads = 2
    @Flag(help: "Print JSON with every frame's scores.") var json = false
    @Flag(name: .customLong("no-plate"), help: "Score whole crops as rendered, without compositing over the background plate.") var noPlate = false
    @Option(help: "Also write each frame as a PNG strip (real frame | draft | neural, as scored) into this new directory.")
    var strips: String?
    @OptionGroup var body: BodyOption

    func run() throws {
        let file = try ProjectFile.open(at: project)
        defer { try? file.close() }
        let sequence = file.sequence
        let clip = try FrameRangeArgument.range(frames, frameCount: sequence.frameCount, project: project)
            .clamped(to: frames == nil ? max(0, sequence.frameCount - 20)..<sequence.frameCount : 0..<Int.max)
        let video = try DrivingVideoLink.matchingColumn(file, frames: clip, purpose: "scoring renders")
        let settings = try RenderSettings(settings: try file.settings(), project: project)
        let environment = ProcessInfo.processInfo.environment
        let weightsPath = try WeightsLocation.find(explicit: weights, setting: settings.weights, environment: environment)
        let (width, height) = settings.size(overriding: size?.pair)
        let model = try body.load(recorded: nil)
        let renderer = try DraftRenderer(project: file.project, name: project, body: model,
                                         options: RenderOptions(width: width, height: height, normalise: false))
        if !noPlate { renderer.plate = try Plates.plate(file, body: model) }
        let neural = try NeuralRenderer(geometry: renderer, generator: try WeightsLocation.generator(at: weightsPath), threads: threads)
        let writer = try strips.map { try PNGSequenceWriter(directory: $0, size: PixelSize(width: 3 * width, height: height), prefix: "strip_") }
        let scores = try Fidelity.measure(renderer, neural: neural, clip: clip, video: video.frame,
                                          cache: RenderCache.standard(environment: environment), weightsID: WeightsLocation.identity(of: weightsPath)) {
            frame, target, draft, generated in
            guard let writer, let generated else { return }
            var strip = RGBImage(width: 3 * width, height: height)
            for (i, picture) in [target, draft, generated].enumerated() { strip.paste(picture, x: i * width, y: 0) }
            try writer.write(strip, number: frame)
        }
        try writer?.finish()
        guard !scores.isEmpty else { throw RenderError("\(project): no frame of \(clip.lowerBound):\(clip.upperBound) has a body to score") }
        let draft = FidelityScores.summary(scores.map(\.draft)), generated = FidelityScores.summary(scores.compactMap(\.neural))
        if json {
            func fields(_ s: FidelityScores) -> [String: Double] {
                ["psnr_silhouette": Fidelity.psnr(mse: s.silhouetteMSE), "ssim_silhouette": s.silhouetteSSIM,
                 "psnr_crop": Fidelity.psnr(mse: s.cropMSE), "ssim_crop": s.cropSSIM,
                 "sharpness_ratio": s.targetSharpness > 0 ? s.sharpness / s.targetSharpness : 0]
            }
            typealias Summary = (silhouettePSNR: Double, silhouetteSSIM: Double, cropPSNR: Double, cropSSIM: Double, sharpnessRatio: Double)
            func summary(_ s: Summary) -> [String: Double] {
                ["psnr_silhouette": s.silhouettePSNR, "ssim_silhouette": s.silhouetteSSIM, "psnr_crop": s.cropPSNR, "ssim_crop": s.cropSSIM,
                 "sharpness_ratio": s.sharpnessRatio]
            }
            let document: [String: Any] = [
                "project": project, "weights": weightsPath, "frames": [clip.lowerBound, clip.upperBound], "size": [height, width],
                "plate": !noPlate, "draft": summary(draft), "neural": summary(generated),
                "per_frame": scores.map { ["frame": $0.frame, "draft": fields($0.draft), "neural": $0.neural.map(fields) ?? [:]] as [String: Any] },
            ]
            let data = try JSONSerialization.data(withJSONObject: document, options: [.sortedKeys, .prettyPrinted])
            Console.out(String(decoding: data, as: UTF8.self))
            return
        }
        Console.out("fidelity of \(project), frames \(clip.lowerBound)–\(clip.upperBound - 1) (\(scores.count) with a body), "
                    + "\(height)x\(width) crops, weights \(weightsPath)\(noPlate ? "" : ", whole crops over the background plate")")
        func row(_ name: String, _ a: Double, _ b: Double, _ format: String) -> String {
            name.padding(toLength: 26, withPad: " ", startingAt: 0) + String(format: "%10\(format) %10\(format)", a, b)
        }
        Console.out("".padding(toLength: 26, withPad: " ", startingAt: 0) + "     draft     neural")
        Console.out(row("PSNR silhouette (dB)", draft.silhouettePSNR, generated.silhouettePSNR, ".2f"))
        Console.out(row("SSIM silhouette", draft.silhouetteSSIM, generated.silhouetteSSIM, ".3f"))
        Console.out(row("PSNR whole crop (dB)", draft.cropPSNR, generated.cropPSNR, ".2f"))
        Console.out(row("SSIM whole crop", draft.cropSSIM, generated.cropSSIM, ".3f"))
        Console.out(row("sharpness ratio", draft.sharpnessRatio, generated.sharpnessRatio, ".3f"))
    }
}
