// The neural render (spec §1.4–1.5): the BDMM generator over consecutive windows of 6 frames,
// carrying its state from one window to the next. A clip of L frames is padded at the end by
// repeating its last frame up to a multiple of 6; a window starting at t reads the frame before
// it as "pre" (frame t itself for the first window) and the frame after it as "post" (the clip's
// last frame for the final window). A frame range is rendered as its own clip. Inputs come from
// the draft renderer's geometry: the source crop in [-1, 1], heatmaps of the (normalised)
// keypoints in crop pixels, and the mesh flow from each frame's body to the source's.
import Foundation
import Imaging
import PoseTransfer
import TensorEngine

public struct NeuralRenderer: Sendable {
    /// Frames per window (the fashion test configuration).
    public static let windowLength = 6

    public let geometry: DraftRenderer
    public let generator: BDMMGenerator
    public let threads: Int

    /// - Throws: `RenderError` when the crop is smaller than the generator accepts.
    public init(geometry: DraftRenderer, generator: BDMMGenerator, threads: Int = 2) throws {
        let (w, h) = (geometry.options.width, geometry.options.height)
        guard h % 8 == 0, w % 8 == 0, h >= 128, w >= 64 else {
            throw RenderError("render size \(w)x\(h): the generator needs width and height divisible by 8, at least 64 wide and 128 high")
        }
        self.geometry = geometry
        self.generator = generator
        self.threads = threads
    }

    /// The frames each window of a clip renders (padded with the clip's last frame), with the
    /// pre and post frame of each.
    public static func windows(of clip: Range<Int>) -> [(frames: [Int], pre: Int, post: Int)] {
        precondition(!clip.isEmpty, "NeuralRenderer: empty clip")
        let count = (clip.count + windowLength - 1) / windowLength
        return (0..<count).map { k in
            let start = clip.lowerBound + k * windowLength
            let frames = (0..<windowLength).map { min(start + $0, clip.upperBound - 1) }
            let pre = k == 0 ? start : start - 1
            let post = k == count - 1 ? clip.upperBound - 1 : start + windowLength
            return (frames, pre, post)
        }
    }

    /// The source crop as the generator reads it: `[1, 3, H, W]`, levels mapped to [-1, 1].
    public var sourceTensor: Tensor { Self.sourceTensor(of: geometry.sourceImage) }

    /// A crop as the generator reads it: `[1, 3, H, W]`, levels mapped to [-1, 1].
    public static func sourceTensor(of image: RGBImage) -> Tensor {
        let plane = image.width * image.height
        var storage = [Float](repeating: 0, count: 3 * plane)
        for p in 0..<plane {
            for c in 0..<3 { storage[c * plane + p] = (Float(image.pixels[3 * p + c]) / 255 - 0.5) / 0.5 }
        }
        return Tensor(shape: [1, 3, image.height, image.width], storage: storage)
    }

    /// The generator's inputs for one window.
    public func input(_ window: (frames: [Int], pre: Int, post: Int)) -> WindowInput {
        let (w, h) = (geometry.options.width, geometry.options.height)
        // Each distinct frame is rasterised once (pre/post and padding repeat frames).
        var computed: [Int: (grid: Tensor, points: [(x: Double, y: Double)])] = [:]
        func frame(_ t: Int) -> (grid: Tensor, points: [(x: Double, y: Double)]) {
            if let known = computed[t] { return known }
            let inputs = geometry.inputs(frame: t)
            computed[t] = (inputs.grid, inputs.points)
            return (inputs.grid, inputs.points)
        }
        let heatmaps = window.frames.map { Heatmaps.render(points: frame($0).points, height: h, width: w) }
        return WindowInput(heatmaps: heatmaps, flows: window.frames.map { frame($0).grid }, preFlow: frame(window.pre).grid,
                           postFlow: frame(window.post).grid)
    }

    /// What a cached render did.
    public struct CacheUse: Equatable, Sendable {
        /// Windows taken from the cache and windows run through the generator.
        public var reused: Int
        public var computed: Int
    }

    /// Renders `clip`, window after window, handing each clip frame to `frame` (sequence index,
    /// image) as its window finishes; stops at a window boundary when `cancelled` returns true.
    /// With a `cache`, a window whose key (see `RenderCache`) is stored is read back with the state
    /// it carries, and every window computed is stored. Keys are computed window by window, from the
    /// same inputs the generator reads, so the first window starts at once however long the clip.
    /// `weightsID` names the weights in the key (a file digest or path with size and date).
    /// `window` hears each cached window's key and frames (padding included) before its frames are
    /// handed over, for reading them back later (`RenderCache.frames`).
    @discardableResult
    public func render(_ clip: Range<Int>, cache: RenderCache? = nil, weightsID: String = "",
                       cancelled: () -> Bool = { false }, window windowKey: (String, [Int]) -> Void = { _, _ in },
                       frame: (Int, RGBImage) throws -> Void) throws -> CacheUse {
        let engine = Engine(threads: threads)
        let image = sourceTensor
        var previousKey = Self.baseKey(image: image, weightsID: weightsID)
        var carried: CarriedState?
        var next = clip.lowerBound
        var use = CacheUse(reused: 0, computed: 0)
        for window in Self.windows(of: clip) {
            if cancelled() { break }
            let input = input(window)
            var generated: [Tensor]
            let key = Self.key(input, previous: previousKey)
            previousKey = key
            if let cache, let hit = cache.load(key) {
                (generated, carried) = (hit.frames, hit.carried)
                use.reused += 1
            } else {
                let output = generator.run(engine, source: image, window: input, carried: carried)
                (generated, carried) = (output.frames, output.carried)
                use.computed += 1
                if let cache { try cache.store(key, frames: generated, carried: output.carried) }
            }
            if cache != nil { windowKey(key, window.frames) }
            // Padded duplicates of the last frame are produced again; each frame is handed over once.
            for (i, tensor) in generated.enumerated() where window.frames[i] == next && next < clip.upperBound {
                try frame(next, Self.image(tensor))
                next += 1
            }
        }
        return use
    }

    /// What every window key of a clip starts from: the key format, the weights and the source.
    static func baseKey(image: Tensor, weightsID: String) -> String {
        var base = StableHash()
        base.add("bdmm-window-v1")
        base.add(weightsID)
        base.add(image)
        return base.hex
    }

    /// A window's cache key: its inputs, chained through the previous window's key (its carried
    /// state depends on every earlier window).
    static func key(_ input: WindowInput, previous: String) -> String {
        var hash = StableHash()
        hash.add(previous)
        for t in input.heatmaps { hash.add(t) }
        for t in input.flows { hash.add(t) }
        hash.add(input.preFlow)
        hash.add(input.postFlow)
        return hash.hex
    }

    /// Renders `clip` and returns its frames in order.
    public func render(_ clip: Range<Int>) -> [RGBImage] {
        var frames: [RGBImage] = []
        // Without a cache nothing in `render` can throw.
        _ = try? render(clip) { _, image in frames.append(image) }
        return frames
    }

    /// A generated frame `[1, 3, H, W]` in (-1, 1) as 8-bit RGB: level = (v + 1)/2 · 255, rounded.
    public static func image(_ frame: Tensor) -> RGBImage {
        let (h, w) = (frame.shape[2], frame.shape[3])
        let plane = h * w
        var pixels = [UInt8](repeating: 0, count: 3 * plane)
        for p in 0..<plane {
            for c in 0..<3 { pixels[3 * p + c] = SourceSampler.level((frame.storage[c * plane + p] + 1) / 2 * 255) }
        }
        return RGBImage(width: w, height: h, pixels: pixels)
    }
}
