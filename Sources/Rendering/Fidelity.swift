// How close a render is to the real frame (`bench fidelity`), over a set of pixels (the whole crop,
// or the body's silhouette). The trainer's held-out metrics (Tools/train) are the same formulas:
// PSNR with peak 255 from the mean squared error over the pixels' three channels; SSIM per RGB
// channel with an 11 × 11 Gaussian window (σ 1.5), K1 0.01, K2 0.03, L 255, its map averaged over
// the channels and then over the pixels; sharpness as the mean gradient magnitude of luma
// (central differences) over the pixels. A slow direct SSIM is kept beside the separable one.
import Foundation
import Imaging

public enum Fidelity {
    /// Mean squared error over the pixels where `mask` is true (all when nil), all three channels.
    public static func mse(_ a: RGBImage, _ b: RGBImage, mask: [Bool]? = nil) -> Double {
        precondition(a.size == b.size, "Fidelity: \(a.size) against \(b.size)")
        var sum = 0.0, count = 0
        for p in 0..<a.width * a.height where mask?[p] ?? true {
            for c in 0..<3 {
                let d = Double(a.pixels[3 * p + c]) - Double(b.pixels[3 * p + c])
                sum += d * d
            }
            count += 3
        }
        return count == 0 ? 0 : sum / Double(count)
    }

    /// PSNR in dB of a mean squared error (peak 255); infinite for identical pixels.
    public static func psnr(mse: Double) -> Double { mse <= 0 ? .infinity : 10 * log10(255 * 255 / mse) }

    static let window: [Double] = {
        let raw = (-5...5).map { exp(-Double($0 * $0) / (2 * 1.5 * 1.5)) }
        let total = raw.reduce(0, +)
        return raw.map { $0 / total }
    }()

    /// The SSIM map (`[H·W]`, channel-averaged); the window is cut at the image's edges and
    /// renormalised there.
    public static func ssimMap(_ a: RGBImage, _ b: RGBImage) -> [Double] {
        precondition(a.size == b.size, "Fidelity: \(a.size) against \(b.size)")
        let (w, h) = (a.width, a.height)
        let c1: Double = (0.01 * 255) * (0.01 * 255), c2: Double = (0.03 * 255) * (0.03 * 255)
        var map = [Double](repeating: 0, count: w * h)
        for c in 0..<3 {
            let x = (0..<w * h).map { Double(a.pixels[3 * $0 + c]) }
            let y = (0..<w * h).map { Double(b.pixels[3 * $0 + c]) }
            let mx = blur(x, w, h), my = blur(y, w, h)
            let xx = blur(x.map { $0 * $0 }, w, h), yy = blur(y.map { $0 * $0 }, w, h)
            let xy = blur(zip(x, y).map { $0 * $1 }, w, h)
            for p in 0..<w * h {
                let vx = xx[p] - mx[p] * mx[p], vy = yy[p] - my[p] * my[p], cov = xy[p] - mx[p] * my[p]
                map[p] += ((2 * mx[p] * my[p] + c1) * (2 * cov + c2)) / ((mx[p] * mx[p] + my[p] * my[p] + c1) * (vx + vy + c2)) / 3
            }
        }
        return map
    }

    /// The Gaussian-weighted local mean, separable, the window cut and renormalised at the edges.
    static func blur(_ values: [Double], _ w: Int, _ h: Int) -> [Double] {
        func pass(_ input: [Double], along length: Int, lines: Int, index: (Int, Int) -> Int) -> [Double] {
            var out = [Double](repeating: 0, count: input.count)
            for line in 0..<lines {
                for i in 0..<length {
                    var sum = 0.0, weight = 0.0
                    for k in -5...5 where (0..<length).contains(i + k) {
                        sum += window[k + 5] * input[index(line, i + k)]
                        weight += window[k + 5]
                    }
                    out[index(line, i)] = sum / weight
                }
            }
            return out
        }
        return pass(pass(values, along: w, lines: h) { y, x in y * w + x }, along: h, lines: w) { x, y in y * w + x }
    }

    /// The same local mean computed directly over the 2-D window (the slow reference).
    static func blurReference(_ values: [Double], _ w: Int, _ h: Int) -> [Double] {
        var out = [Double](repeating: 0, count: values.count)
        for y in 0..<h {
            for x in 0..<w {
                var sum = 0.0, weight = 0.0
                for dy in -5...5 where (0..<h).contains(y + dy) {
                    for dx in -5...5 where (0..<w).contains(x + dx) {
                        let g = window[dy + 5] * window[dx + 5]
                        sum += g * values[(y + dy) * w + x + dx]
                        weight += g
                    }
                }
                out[y * w + x] = sum / weight
            }
        }
        return out
    }

    /// Mean SSIM over the pixels where `mask` is true (all when nil).
    public static func ssim(_ a: RGBImage, _ b: RGBImage, mask: [Bool]? = nil) -> Double {
        mean(ssimMap(a, b), mask: mask)
    }

    /// Mean gradient magnitude of luma (0.299 R + 0.587 G + 0.114 B) by central differences over
    /// the interior pixels where `mask` is true (all when nil).
    public static func sharpness(_ image: RGBImage, mask: [Bool]? = nil) -> Double {
        let (w, h) = (image.width, image.height)
        guard w >= 3, h >= 3 else { return 0 }
        let luma: [Double] = (0..<w * h).map { p -> Double in
            let (r, g, b) = (Double(image.pixels[3 * p]), Double(image.pixels[3 * p + 1]), Double(image.pixels[3 * p + 2]))
            return 0.299 * r + 0.587 * g + 0.114 * b
        }
        var sum = 0.0, count = 0
        for y in 1..<h - 1 {
            for x in 1..<w - 1 where mask?[y * w + x] ?? true {
                let gx: Double = (luma[y * w + x + 1] - luma[y * w + x - 1]) / 2
                let gy: Double = (luma[(y + 1) * w + x] - luma[(y - 1) * w + x]) / 2
                sum += (gx * gx + gy * gy).squareRoot()
                count += 1
            }
        }
        return count == 0 ? 0 : sum / Double(count)
    }

    static func mean(_ values: [Double], mask: [Bool]?) -> Double {
        var sum = 0.0, count = 0
        for (p, v) in values.enumerated() where mask?[p] ?? true {
            sum += v
            count += 1
        }
        return count == 0 ? 0 : sum / Double(count)
    }
}

/// A render of one frame scored against the real frame's crop.
public struct FidelityScores: Sendable {
    /// Squared error and SSIM inside the body's silhouette (the raw render).
    public var silhouetteMSE: Double
    public var silhouetteSSIM: Double
    /// Over the whole crop, the render composited over the plate (or as it is without one).
    public var cropMSE: Double
    public var cropSSIM: Double
    /// Mean luma gradient inside the silhouette, the render's and the target's.
    public var sharpness: Double
    public var targetSharpness: Double

    /// Scores of `render` (and its `composite`) against `target` with the silhouette `mask`.
    public init(render: RGBImage, composite: RGBImage, target: RGBImage, mask: [Bool]) {
        silhouetteMSE = Fidelity.mse(render, target, mask: mask)
        silhouetteSSIM = Fidelity.ssim(render, target, mask: mask)
        cropMSE = Fidelity.mse(composite, target)
        cropSSIM = Fidelity.ssim(composite, target)
        sharpness = Fidelity.sharpness(render, mask: mask)
        targetSharpness = Fidelity.sharpness(target, mask: mask)
    }

    /// Over several frames: PSNR of the mean squared error, mean SSIM, and the sharpness ratio of
    /// the mean sharpnesses (render ÷ target).
    public static func summary(_ frames: [FidelityScores]) -> (silhouettePSNR: Double, silhouetteSSIM: Double, cropPSNR: Double, cropSSIM: Double, sharpnessRatio: Double) {
        func mean(_ key: KeyPath<FidelityScores, Double>) -> Double { frames.isEmpty ? 0 : frames.reduce(0) { $0 + $1[keyPath: key] } / Double(frames.count) }
        let target = mean(\.targetSharpness)
        return (Fidelity.psnr(mse: mean(\.silhouetteMSE)), mean(\.silhouetteSSIM), Fidelity.psnr(mse: mean(\.cropMSE)), mean(\.cropSSIM),
                target > 0 ? mean(\.sharpness) / target : 0)
    }
}

extension Fidelity {
    /// The draft and (with `neural`) the neural render of `clip` scored frame by frame against the
    /// driving video's frames cut out by the same crops. `renderer` must not normalise (the crops
    /// must lie where the person is in the video); with a plate on it, the whole-crop scores are of
    /// the composites. The neural clip is rendered as one, through `cache`. Frames without a body
    /// are skipped. `pictures` sees each frame's target and the two composites.
    public static func measure(_ renderer: DraftRenderer, neural: NeuralRenderer?, clip: Range<Int>, video: (Int) throws -> RGBImage,
                               cache: RenderCache?, weightsID: String,
                               pictures: (_ frame: Int, _ target: RGBImage, _ draft: RGBImage, _ neural: RGBImage?) throws -> Void = { _, _, _, _ in })
        throws -> [(frame: Int, draft: FidelityScores, neural: FidelityScores?)] {
        precondition(!renderer.options.normalise, "Fidelity.measure: the renderer normalises poses; its crops are not where the person is")
        var neuralFrames: [Int: RGBImage] = [:]
        if let neural { try neural.render(clip, cache: cache, weightsID: weightsID) { neuralFrames[$0] = $1 } }
        var scores: [(frame: Int, draft: FidelityScores, neural: FidelityScores?)] = []
        for t in clip {
            guard let (crop, covered) = renderer.silhouette(frame: t) else { continue }
            let target = crop.extract(from: try video(t), background: renderer.options.background)
            let draft = renderer.render(frame: t), draftComposite = renderer.onBackdrop(draft, frame: t, draft: true)
            let draftScores = FidelityScores(render: draft, composite: draftComposite, target: target, mask: covered)
            let neuralComposite = neuralFrames[t].map { renderer.onBackdrop($0, frame: t) }
            let neuralScores = neuralFrames[t].map { FidelityScores(render: $0, composite: neuralComposite!, target: target, mask: covered) }
            try pictures(t, target, draftComposite, neuralComposite)
            scores.append((t, draftScores, neuralScores))
        }
        return scores
    }
}
