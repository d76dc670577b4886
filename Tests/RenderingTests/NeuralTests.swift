// The neural render on a small project (the demo's first 8 frames: two windows, the second padded)
// at 128×64 with the fixture's width-reduced weights: the windows, pre and post frames follow the
// spec (§1.5), the heatmaps are the keypoints in crop pixels (§1.3), and the frames equal what the
// generator produces from the same tensors written in the fixture's layout (`debug generator`).
import BodyKit
import Foundation
import Imaging
import PoseKit
import PoseTransfer
import ProjectStore
import TensorEngine
import TestSupport
import Testing
@testable import Rendering

@Suite struct NeuralTests {
    static let weights = DemoProject.root.appendingPathComponent("Tests/Fixtures/bdmm/generator_state_dict.safetensors")

    @Test func windowsPadTheClipAndPickPreAndPost() {
        let w = NeuralRenderer.windows(of: 0..<8)
        #expect(w.count == 2)
        #expect(w[0].frames == [0, 1, 2, 3, 4, 5] && w[0].pre == 0 && w[0].post == 6)
        #expect(w[1].frames == [6, 7, 7, 7, 7, 7] && w[1].pre == 5 && w[1].post == 7)
        let three = NeuralRenderer.windows(of: 10..<28)
        #expect(three.map(\.pre) == [10, 15, 21] && three.map(\.post) == [16, 22, 27])
    }

    @Test func framesEqualTheGeneratorOnTheSameTensors() throws {
        var project = try DemoProject.load()
        let poses = (0..<8).map { project.sequence.pose(at: $0) }
        project.sequence = PoseSequence(fps: 60, frameSize: project.sequence.frameSize, frames: poses)
        let geometry = try DraftRenderer(project: project, name: "demo-8", body: BuiltinBody.model,
                                         options: RenderOptions(width: 64, height: 128))
        let state = try WeightFile.read(contentsOf: Self.weights)
        let generator = try BDMMGenerator(weights: state, source: Self.weights.path)
        let neural = try NeuralRenderer(geometry: geometry, generator: generator, threads: 2)
        let frames = neural.render(0..<8)
        #expect(frames.count == 8 && frames.allSatisfy { $0.width == 64 && $0.height == 128 })

        // The same inputs in the fixture's layout, read back and run as `debug generator` does.
        var tensors: [String: Tensor] = ["P_ref": neural.sourceTensor]
        let windows = NeuralRenderer.windows(of: 0..<8)
        for (k, window) in windows.enumerated() {
            let input = neural.input(window)
            tensors["w\(k).BP"] = Tensor(shape: [1, 6, 25, 128, 64], storage: input.heatmaps.flatMap(\.storage))
            tensors["w\(k).flow_frames"] = Tensor(shape: [1, 6, 128, 64, 2], storage: input.flows.flatMap(\.storage))
            tensors["w\(k).flow_pre"] = input.preFlow
            tensors["w\(k).flow_post"] = input.postFlow
        }
        let dir = TemporaryDirectory()
        let file = URL(fileURLWithPath: dir.file("inputs.safetensors"))
        try Safetensors.write(tensors, to: file)
        let (image, read) = try WindowFile.windows(in: try Safetensors.read(contentsOf: file).tensors, source: file.path,
                                                    heatmapChannels: generator.heatmapChannels)
        let expected = WindowFile.run(generator, Engine(threads: 2), image: image, windows: read, trace: false)
        for t in 0..<8 {
            let out = try #require(expected["w\(t / 6).out"])
            let plane = 3 * 128 * 64
            let frame = Tensor(shape: [1, 3, 128, 64], storage: Array(out.storage[(t % 6) * plane ..< (t % 6 + 1) * plane]))
            #expect(NeuralRenderer.image(frame) == frames[t], "frame \(t)")
        }

        // What went in follows the spec.
        let w0 = neural.input(windows[0]), w1 = neural.input(windows[1])
        #expect(w0.preFlow.storage == w0.flows[0].storage, "first window: pre = its own first frame")
        #expect(w1.preFlow.storage == w0.flows[5].storage, "pre = the frame before the window")
        #expect(w0.postFlow.storage == w1.flows[0].storage, "post = the frame after the window")
        #expect(w1.postFlow.storage == w1.flows[1].storage, "final window: post = the clip's last frame")
        #expect(w1.heatmaps[5].storage == w1.heatmaps[1].storage, "padding repeats the last frame")
        #expect(w0.flows[3].storage.contains { $0 != MeshFlow.background }, "frame 3 has a body")
        let crop = try #require(geometry.crop(frame: 3))
        let points = geometry.normalisation.apply(poses[3]).map { k -> (x: Double, y: Double) in
            k.isMissing ? (0, 0) : { (x: $0.x, y: $0.y) }(crop.toCrop(SIMD2(k.x, k.y)))
        }
        let maps = Heatmaps.render(points: points, height: 128, width: 64)
        #expect(maps.storage == w0.heatmaps[3].storage)
        #expect(maps.storage.contains { $0 > 0.9 }, "some keypoint peaks inside the crop")
    }
}

@Suite struct RenderCacheTests {
    @Test func renderedFramesKeepTheNewestInMemoryAndReadOlderOnesBackFromTheCache() throws {
        var project = try DemoProject.load()
        let poses = (0..<12).map { project.sequence.pose(at: $0) }
        project.sequence = PoseSequence(fps: 60, frameSize: project.sequence.frameSize, frames: poses)
        let geometry = try DraftRenderer(project: project, name: "demo-12", body: BuiltinBody.model,
                                         options: RenderOptions(width: 64, height: 128, normalise: false))
        let generator = try BDMMGenerator(weights: try WeightFile.read(contentsOf: NeuralTests.weights), source: "fixture")
        let neural = try NeuralRenderer(geometry: geometry, generator: generator)
        let dir = TemporaryDirectory()
        let cache = RenderCache(directory: dir.file("cache"))
        let rendered = RenderedFrames(cache: cache, kept: 4)
        var handed: [RGBImage] = []
        var window: (key: String, frames: [Int])?
        var keys: [String] = []
        try neural.render(0..<12, cache: cache, weightsID: "fixture", window: { window = ($0, $1); keys.append($0) }) { t, image in
            handed.append(image)
            rendered.add(t, crop: image, window: window)
        }
        #expect(keys.count == 2)
        // Frames 8–11 are in memory, 0–7 come back from the cache: all equal what was handed over.
        for t in 0..<12 { #expect(rendered.crop(t) == handed[t], "frame \(t)") }
        rendered.forget(6..<12)
        #expect(rendered.crop(7) == nil)
        #expect(rendered.crop(5) == handed[5])
        // Reading 0–4 back leaves the last four read in memory; with the cache cleared by hand,
        // those are still shown and frame 0 is simply not rendered any more.
        for t in 0...4 { _ = rendered.crop(t) }
        try FileManager.default.removeItem(atPath: dir.file("cache"))
        #expect(rendered.crop(0) == nil)
        for t in 1...4 { #expect(rendered.crop(t) == handed[t], "frame \(t)") }
    }

    /// 40 demo frames at 128×64: a full render computes all 7 windows; after an edit at frame 20
    /// (window 3 = frames 18–23) windows 0–2 are reused and 3–6 recomputed from window 2's carried
    /// state, and the frames equal a full render of the edited project without the cache.
    @Test func editAtFrame20Of40RecomputesOnlyTheTouchedWindows() throws {
        var project = try DemoProject.load()
        let poses = (0..<40).map { project.sequence.pose(at: $0) }
        project.sequence = PoseSequence(fps: 60, frameSize: project.sequence.frameSize, frames: poses)
        let options = RenderOptions(width: 64, height: 128, normalise: false)
        let geometry = try DraftRenderer(project: project, name: "demo-40", body: BuiltinBody.model, options: options)
        let generator = try BDMMGenerator(weights: try WeightFile.read(contentsOf: NeuralTests.weights), source: "fixture")
        let dir = TemporaryDirectory()
        let cache = RenderCache(directory: dir.file("cache"))
        func render(_ neural: NeuralRenderer, cache: RenderCache?) throws -> ([RGBImage], NeuralRenderer.CacheUse) {
            var frames: [RGBImage] = []
            let use = try neural.render(0..<40, cache: cache, weightsID: "fixture") { _, image in frames.append(image) }
            return (frames, use)
        }
        let neural = try NeuralRenderer(geometry: geometry, generator: generator)
        let (first, firstUse) = try render(neural, cache: cache)
        #expect(firstUse == .init(reused: 0, computed: 7))
        let (again, againUse) = try render(neural, cache: cache)
        #expect(againUse == .init(reused: 7, computed: 0))
        #expect(again == first)

        var pose = project.sequence.pose(at: 20)
        pose[Joint.lWrist.rawValue].y -= 80
        project.sequence.setPose(pose, at: 20)
        #expect(try geometry.update(project, name: "demo-40") == [20])
        let (edited, editedUse) = try render(neural, cache: cache)
        #expect(editedUse == .init(reused: 3, computed: 4))
        #expect(Array(edited[0..<18]) == Array(first[0..<18]))
        #expect(edited[20] != first[20])

        let fresh = try DraftRenderer(project: project, name: "demo-40", body: BuiltinBody.model, options: options)
        let (full, fullUse) = try render(try NeuralRenderer(geometry: fresh, generator: generator), cache: nil)
        #expect(fullUse == .init(reused: 0, computed: 7))
        #expect(full == edited, "cached re-render equals a full re-render")
    }
}
