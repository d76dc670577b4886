// A clean background plate of a static-camera driving video: per pixel, the temporal median of the
// frames in which the person does not cover it. The person's region in a frame is the fitted body's
// silhouette in its render crop, grown generously (the stand-in body has no hair, clothes or
// shoes) and mapped back to frame pixels. Pixels the person covers in every frame are filled from
// the seen pixels around them (push-pull: averages of the known pixels over a pyramid, pulled back
// down into the holes). Plates are cached by their inputs under `$XDG_CACHE_HOME/posestudio/plates`.
import BodyKit
import Foundation
import Imaging
import MediaIO
import ProjectStore

public struct BackgroundPlate: Sendable {
    /// The plate, at the sequence's frame size.
    public let image: RGBImage
    /// Share of the plate's pixels the person covered in every frame used (filled in, not seen).
    public let unseen: Double
    /// Frames the median was taken over.
    public let framesUsed: Int

    /// Most frames kept in memory for the median (sampled evenly over the video).
    public static let maximumFrames = 100

    public init(image: RGBImage, unseen: Double, framesUsed: Int) {
        self.image = image
        self.unseen = unseen
        self.framesUsed = framesUsed
    }

    /// Where the person is in frame `index`, in frame pixels: the silhouette of `renderer` (whose
    /// crops must be in frame pixels, i.e. made with normalisation off) grown by `growth` of the
    /// crop height. Nil when the frame has no body (such a frame is not used).
    public static func occlusion(_ renderer: DraftRenderer, frame index: Int, growth: Double = 0.04) -> [Bool]? {
        guard let (crop, covered) = renderer.silhouette(frame: index) else { return nil }
        let radius = max(2, Int((growth * Double(crop.height)).rounded()))
        let grown = Matte.dilate(covered, width: crop.width, height: crop.height, radius: radius)
        let size = renderer.frameSize
        var mask = [Bool](repeating: false, count: size.width * size.height)
        let x0 = max(0, crop.x), y0 = max(0, crop.y)
        let x1 = min(size.width, crop.x + crop.regionWidth), y1 = min(size.height, crop.y + crop.regionHeight)
        guard x1 > x0, y1 > y0 else { return mask }
        for fy in y0..<y1 {
            for fx in x0..<x1 {
                // The crop pixel nearest to this frame pixel's centre.
                let p = crop.toCrop(SIMD2(Double(fx), Double(fy)))
                let cx = min(crop.width - 1, max(0, Int(p.x.rounded()))), cy = min(crop.height - 1, max(0, Int(p.y.rounded())))
                if grown[cy * crop.width + cx] { mask[fy * size.width + fx] = true }
            }
        }
        return mask
    }

    /// The plate over `frames` of a video: `frame(t)` gives frame t at `size`, `occluded(t)` the
    /// pixels the person covers in it (nil: do not use the frame). At most `maximumFrames` frames,
    /// sampled evenly.
    /// - Throws: what `frame` throws, or `RenderError` when no frame can be used.
    public static func median(frames: Range<Int>, size: PixelSize, frame: (Int) throws -> RGBImage,
                              occluded: (Int) -> [Bool]?) throws -> BackgroundPlate {
        // At most `maximumFrames`, and no more than about 400 MB of pictures.
        let count = max(1, min(frames.count, maximumFrames, 400_000_000 / max(1, 3 * size.width * size.height)))
        let picked = (0..<count).map { frames.lowerBound + $0 * frames.count / count }
        var images: [[UInt8]] = []
        var masks: [[Bool]] = []
        for t in picked {
            guard let mask = occluded(t) else { continue }
            let image = try frame(t)
            precondition(image.size == size && mask.count == size.width * size.height, "BackgroundPlate: frame \(t) is \(image.size), expected \(size)")
            images.append(image.pixels)
            masks.append(mask)
        }
        guard !images.isEmpty else { throw RenderError("no frame of the video has a body to take the background plate around") }
        let plane = size.width * size.height
        var values = [Float](repeating: 0, count: 3 * plane)
        var known = [Float](repeating: 0, count: plane)
        let (frameImages, frameMasks) = (images, masks)
        values.withUnsafeMutableBufferPointer { valuesOut in
            known.withUnsafeMutableBufferPointer { knownOut in
                // Each row is written by one worker only.
                let out = UncheckedBox((valuesOut, knownOut))
                DispatchQueue.concurrentPerform(iterations: size.height) { y in
                    let (valuesBase, knownBase) = out.value
                    var histogram = [Int](repeating: 0, count: 256)
                    var seen: [Int] = []
                    seen.reserveCapacity(frameMasks.count)
                    for x in 0..<size.width {
                        let p = y * size.width + x
                        seen.removeAll(keepingCapacity: true)
                        for f in frameMasks.indices where !frameMasks[f][p] { seen.append(f) }
                        guard !seen.isEmpty else { continue }
                        knownBase[p] = 1
                        for c in 0..<3 {
                            for i in 0..<256 { histogram[i] = 0 }
                            for f in seen { histogram[Int(frameImages[f][3 * p + c])] += 1 }
                            // The lower median: the smallest value with at least half the samples at or below it.
                            let half = (seen.count + 1) / 2
                            var sum = 0, level = 0
                            while true {
                                sum += histogram[level]
                                if sum >= half { break }
                                level += 1
                            }
                            valuesBase[3 * p + c] = Float(level)
                        }
                    }
                }
            }
        }
        let unseen = known.reduce(0) { $0 + ($1 == 0 ? 1 : 0) }
        if unseen > 0 { pushPull(&values, known: known, width: size.width, height: size.height) }
        let pixels = values.map { UInt8(min(255, max(0, $0.rounded()))) }
        return BackgroundPlate(image: RGBImage(width: size.width, height: size.height, pixels: pixels),
                               unseen: Double(unseen) / Double(plane), framesUsed: images.count)
    }

    /// Fills the pixels with `known` 0 from the known ones around them: each coarser level holds the
    /// weighted mean of 2 × 2 blocks (weight = share known, capped at 1); going back down, a pixel
    /// keeps its own value in proportion to its weight and takes the rest from the coarser level,
    /// interpolated bilinearly.
    static func pushPull(_ values: inout [Float], known: [Float], width: Int, height: Int) {
        guard width > 1 || height > 1 else { return }
        let (w2, h2) = ((width + 1) / 2, (height + 1) / 2)
        var coarse = [Float](repeating: 0, count: 3 * w2 * h2)
        var weight = [Float](repeating: 0, count: w2 * h2)
        for y in 0..<height {
            for x in 0..<width {
                let p = y * width + x, q = (y / 2) * w2 + x / 2
                let k = known[p]
                guard k > 0 else { continue }
                weight[q] += k
                for c in 0..<3 { coarse[3 * q + c] += k * values[3 * p + c] }
            }
        }
        for q in 0..<w2 * h2 where weight[q] > 0 {
            for c in 0..<3 { coarse[3 * q + c] /= weight[q] }
            weight[q] = min(1, weight[q])
        }
        if weight.contains(where: { $0 < 1 }) { pushPull(&coarse, known: weight, width: w2, height: h2) }
        // Pulled back bilinearly (coarse pixel centres at 2i + ½), so filled holes shade smoothly.
        for y in 0..<height {
            let fy = min(Float(h2 - 1), max(0, (Float(y) + 0.5) / 2 - 0.5))
            let (y0, ty) = (Int(fy), fy - Float(Int(fy)))
            let y1 = min(h2 - 1, y0 + 1)
            for x in 0..<width {
                let p = y * width + x
                let k = known[p]
                guard k < 1 else { continue }
                let fx = min(Float(w2 - 1), max(0, (Float(x) + 0.5) / 2 - 0.5))
                let (x0, tx) = (Int(fx), fx - Float(Int(fx)))
                let x1 = min(w2 - 1, x0 + 1)
                for c in 0..<3 {
                    let top = (1 - tx) * coarse[3 * (y0 * w2 + x0) + c] + tx * coarse[3 * (y0 * w2 + x1) + c]
                    let bottom = (1 - tx) * coarse[3 * (y1 * w2 + x0) + c] + tx * coarse[3 * (y1 * w2 + x1) + c]
                    values[3 * p + c] = k * values[3 * p + c] + (1 - k) * ((1 - ty) * top + ty * bottom)
                }
            }
        }
    }
}

/// Shares buffers with workers that each write their own part.
private struct UncheckedBox<Value>: @unchecked Sendable {
    let value: Value
    init(_ value: Value) { self.value = value }
}

/// Plates computed before, as PNGs named by a key of everything that went into them.
public struct PlateCache: Sendable {
    public let directory: String

    public init(directory: String) { self.directory = directory }

    /// `$XDG_CACHE_HOME/posestudio/plates` (default `~/.cache/posestudio/plates`).
    public static func standard(environment: [String: String]) -> PlateCache {
        PlateCache(directory: (RenderCache.cacheHome(environment: environment) as NSString).appendingPathComponent("posestudio/plates"))
    }

    /// The key of a plate: the video's identity (its checksum), the frame size and range, what
    /// places the silhouettes (keypoints, stored SMPL and fits, the body) and the method's version.
    public static func key(video: String, size: PixelSize, frames: Range<Int>, body: String, shapes: [Float]) -> String {
        var hash = StableHash()
        hash.add("background-plate-v2")
        hash.add(video)
        hash.add("\(size.width)x\(size.height) \(frames.lowerBound):\(frames.upperBound)")
        hash.add(body)
        hash.add(shapes)
        return hash.hex
    }

    public func path(_ key: String) -> String { (directory as NSString).appendingPathComponent(key + ".png") }

    /// The cached plate, or nil when it is missing or unreadable (then it is computed again).
    public func load(_ key: String, size: PixelSize) -> RGBImage? {
        guard let image = try? ImageFile.read(path: path(key)), image.size == size else { return nil }
        return image
    }

    /// Stores a plate (atomically); a cache that cannot be written is not an error for the render.
    public func store(_ image: RGBImage, key: String) {
        try? FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        try? ImageFile.writePNG(image, to: path(key), compression: 1)
    }
}

extension BackgroundPlate {
    /// The plate of a project's driving video: from `cache` when it holds one for the same video
    /// (`video`, its checksum), frame size and keypoints, otherwise computed over the silhouettes
    /// of bodies fitted without normalisation (crops in frame pixels) and stored there. `frame(t)`
    /// gives the video's frame t at the sequence's frame size; `computed` hears a fresh plate.
    /// - Throws: `RenderError` when no body can be fitted, or what `frame` throws.
    public static func of(_ project: Project, frames: Range<Int>, name: String, body: BodyModel, video: String,
                          frame: (Int) throws -> RGBImage, cache: PlateCache?, computed: (BackgroundPlate) -> Void = { _ in }) throws -> RGBImage {
        let sequence = project.sequence
        let size = PixelSize(width: sequence.frameSize.width, height: sequence.frameSize.height)
        // What places the silhouettes: the keypoints, any stored SMPL and fits, the body.
        var shapes: [Float] = []
        shapes.reserveCapacity(frames.count * 75)
        for t in frames {
            for k in sequence.pose(at: t) { shapes += [Float(k.x), Float(k.y), Float(k.isMissing ? -1 : k.confidence)] }
            if let smpl = sequence.smpl[t] { shapes += smpl.vector.map(Float.init) }
            if let fit = sequence.fits[t] { shapes += [Float(fit.cropX), Float(fit.cropY), Float(fit.cropSize)] }
        }
        let key = PlateCache.key(video: video, size: size, frames: frames, body: "\(body.kind)", shapes: shapes)
        if let cached = cache?.load(key, size: size) { return cached }
        let renderer = try DraftRenderer(project: project, name: name, body: body, options: RenderOptions(size: 256, normalise: false))
        let plate = try median(frames: frames, size: size, frame: frame) { occlusion(renderer, frame: $0) }
        cache?.store(plate.image, key: key)
        computed(plate)
        return plate.image
    }
}
