// What training a generator on a project's own subject needs (`posestudio dataset`), taken from the
// project as the renderer sees it: per frame the generator's inputs (heatmaps and mesh flow, exactly
// what the neural render feeds it), the target (the driving video's frame cut out by the same render
// crop) and the body's silhouette in that crop, plus the source crop once and the clip's inference
// windows. Frames rather than windows are stored so a trainer can start a window at any frame; any
// window of the list assembles from them into what `render --save-inputs` writes. Layout:
//
//   DIR/dataset.json                 format, version, project, width, height, fps, frames [A, B),
//                                    windows [{frames, pre, post}], plate, crops {t: [x, y, w, h]}, no_body
//   DIR/source.safetensors           P_ref F32 [1, 3, H, W] in [-1, 1]
//   DIR/frames/NNNNNN.safetensors    BP F32 [25, H, W], flow F32 [H, W, 2], target U8 [3, H, W],
//                                    mask U8 [H, W] (1 = body), plate U8 [3, H, W] (with a plate)
import Foundation
import Imaging
import PoseTransfer
import TensorEngine

public enum TrainingDataset {
    public static let format = "posestudio-dataset"
    public static let version = 1

    /// One frame's record.
    public struct Frame {
        public var heatmaps: Tensor   // [25, H, W]
        public var flow: Tensor       // [H, W, 2]
        public var target: ByteTensor // [3, H, W]
        public var mask: ByteTensor   // [H, W]
        public var plate: ByteTensor? // [3, H, W]
        public var crop: RenderCrop?
    }

    /// Frame `index`'s record: the generator's inputs from `renderer`, the target cut out of the
    /// driving frame `video` by the frame's crop (background colour where the crop leaves it).
    public static func frame(_ index: Int, renderer: DraftRenderer, video: RGBImage, plate: RGBImage?) -> Frame {
        let (w, h) = (renderer.options.width, renderer.options.height)
        let input = renderer.inputs(frame: index)
        let heatmaps = Heatmaps.render(points: input.points, height: h, width: w)
        let flow = input.grid
        var target = RGBImage(width: w, height: h, fill: renderer.options.background)
        var covered = [UInt8](repeating: 0, count: w * h)
        var plateCrop: RGBImage?
        if let crop = input.crop, let raster = input.raster {
            target = crop.extract(from: video, background: renderer.options.background)
            covered = raster.faceIndex.map { $0 >= 0 ? 1 : 0 }
            plateCrop = plate.map { crop.extract(from: $0, background: renderer.options.background) }
        } else if plate != nil {
            plateCrop = RGBImage(width: w, height: h, fill: renderer.options.background)
        }
        return Frame(heatmaps: Tensor(shape: [25, h, w], storage: heatmaps.storage),
                     flow: Tensor(shape: [h, w, 2], storage: flow.storage),
                     target: planar(target), mask: ByteTensor(shape: [h, w], values: covered),
                     plate: plateCrop.map(planar), crop: input.crop)
    }

    /// An image as `[3, H, W]` bytes (channel planes, as the generator's tensors).
    public static func planar(_ image: RGBImage) -> ByteTensor {
        let plane = image.width * image.height
        var values = [UInt8](repeating: 0, count: 3 * plane)
        for p in 0..<plane { for c in 0..<3 { values[c * plane + p] = image.pixels[3 * p + c] } }
        return ByteTensor(shape: [3, image.height, image.width], values: values)
    }

    /// Writes the dataset of `frames` into the new directory `directory`. `video(t)` gives the
    /// driving video's frame t at the sequence's frame size; `progress` hears each frame written.
    /// - Throws: `RenderError` naming the directory when it exists or cannot be written.
    public static func write(_ renderer: DraftRenderer, frames: Range<Int>, fps: Double, project: String,
                             video: (Int) throws -> RGBImage, plate: RGBImage?, to directory: String,
                             progress: (Int) -> Void = { _ in }) throws {
        let fileManager = FileManager.default
        let directory = URL(fileURLWithPath: directory).standardizedFileURL.path   // "data/" → ".../data"
        guard !fileManager.fileExists(atPath: directory) else {
            throw RenderError("\(directory): already exists; give a new directory for the dataset")
        }
        // Written under a temporary name and renamed at the end: a dataset is whole or absent.
        let partial = ((directory as NSString).deletingLastPathComponent as NSString)
            .appendingPathComponent("." + (directory as NSString).lastPathComponent + ".partial-\(getpid())")
        try? fileManager.removeItem(atPath: partial)
        do {
            try fileManager.createDirectory(atPath: (partial as NSString).appendingPathComponent("frames"), withIntermediateDirectories: true)
            try Safetensors.write(["P_ref": NeuralRenderer.sourceTensor(of: renderer.sourceImage)], to: URL(fileURLWithPath: (partial as NSString).appendingPathComponent("source.safetensors")))
            var crops: [String: [Int]] = [:]
            var noBody: [Int] = []
            for t in frames {
                let record = frame(t, renderer: renderer, video: try video(t), plate: plate)
                if let crop = record.crop { crops[String(t)] = [crop.x, crop.y, crop.regionWidth, crop.regionHeight] } else { noBody.append(t) }
                var bytes = ["target": record.target, "mask": record.mask]
                if let plate = record.plate { bytes["plate"] = plate }
                let name = String(format: "frames/%06d.safetensors", t)
                try Safetensors.write(["BP": record.heatmaps, "flow": record.flow], bytes: bytes,
                                      to: URL(fileURLWithPath: (partial as NSString).appendingPathComponent(name)))
                progress(t)
            }
            let windows = NeuralRenderer.windows(of: frames).map { ["frames": $0.frames, "pre": $0.pre, "post": $0.post] as [String: Any] }
            let document: [String: Any] = [
                "format": format, "version": version, "project": project,
                "width": renderer.options.width, "height": renderer.options.height, "fps": fps,
                "frames": [frames.lowerBound, frames.upperBound], "windows": windows, "plate": plate != nil,
                "crops": crops, "no_body": noBody,
            ]
            let json = try JSONSerialization.data(withJSONObject: document, options: [.sortedKeys, .prettyPrinted])
            try json.write(to: URL(fileURLWithPath: (partial as NSString).appendingPathComponent("dataset.json")))
            try fileManager.moveItem(atPath: partial, toPath: directory)
        } catch {
            try? fileManager.removeItem(atPath: partial)
            if let error = error as? RenderError { throw error }
            throw RenderError("\(directory): cannot write the dataset (\(error))")
        }
    }
}
