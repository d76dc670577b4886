// GeneratorLayout: every tensor of the generator's state_dict with its shape (spec §7), for the
// official widths or a width divided by `divisor` (the parity fixtures use 16), and random
// well-scaled weights in that layout (the fixtures' recipe) for benchmarks and tests.
import Foundation
import PoseKit
import TensorEngine

public enum GeneratorLayout {
    public enum Kind: Sendable { case norm, conv, convBias, offsetConv, offsetBias, modulation, modulationBias, modulated, toRGB, bias, blur }

    /// Key → (shape, kind) of the official generator with widths divided by `divisor`.
    public static func tensors(divisor: Int = 1) -> [(key: String, shape: [Int], kind: Kind)] {
        let (c64, c128, c256, c512) = (64 / divisor, 128 / divisor, 256 / divisor, 512 / divisor)
        var list: [(String, [Int], Kind)] = []
        func norm(_ p: String, _ c: Int) { list += [(p + ".weight", [c], .norm), (p + ".bias", [c], .norm)] }
        func conv(_ p: String, _ o: Int, _ i: Int, _ k: Int) { list += [(p + ".weight", [o, i, k, k], .conv), (p + ".bias", [o], .convBias)] }
        func encoder(_ p: String, _ i: Int, _ o: Int) {
            norm(p + ".model.0", i); conv(p + ".model.2", o, i, 4); norm(p + ".model.3", o); conv(p + ".model.5", o, o, 3)
        }
        func residual(_ p: String, _ i: Int, _ o: Int) {
            norm(p + ".model.0", i); conv(p + ".model.2", i, i, 3); norm(p + ".model.3", i); conv(p + ".model.5", o, i, 3)
            conv(p + ".shortcut.0", o, i, 1)
        }
        func modulated(_ p: String, _ o: Int, _ i: Int, _ k: Int, rgb: Bool = false) {
            list += [(p + ".weight", [1, o, i, k, k], rgb ? .toRGB : .modulated),
                     (p + ".modulation.weight", [i, c512], .modulation), (p + ".modulation.bias", [i], .modulationBias)]
        }
        func styled(_ p: String, _ i: Int, _ o: Int, up: Bool) {
            list.append((p + ".bias", [1, o, 1, 1], .bias))
            modulated(p + ".conv", o, i, 3)
            if up { list.append((p + ".conv.blur.kernel", [4, 4], .blur)) }
            list.append((p + ".activate.bias", [o], .bias))
        }
        func dmm(_ p: String, _ c: Int) {
            list += [(p + ".bias", [1, c, 1, 1], .bias), (p + ".upsample.kernel", [4, 4], .blur)]
            modulated(p + ".conv", c, c, 3)
            list.append((p + ".activate.bias", [c], .bias))
            conv(p + ".flow_conv.0", c, 2 * c, 3)
            list += [(p + ".offset_conv.weight", [18, c, 3, 3], .offsetConv), (p + ".offset_conv.bias", [18], .offsetBias),
                     (p + ".mask_conv.weight", [9, c, 3, 3], .offsetConv), (p + ".mask_conv.bias", [9], .offsetBias)]
        }
        encoder("x_ref.block0", 3, c64)
        for (i, (a, b)) in [(c64, c128), (c128, c256), (c256, c512), (c512, c512), (c512, c512)].enumerated() { encoder("x_ref.encoder\(i)", a, b) }
        for name in ["x_encoder", "warp_encoder"] {
            encoder(name + ".block0", name == "x_encoder" ? 28 : 3, c64)
            encoder(name + ".encoder0", c64, c128); encoder(name + ".encoder1", c128, c256)
        }
        residual("x_rcnn1", c512, c256); residual("x_rcnn2", c256, c256)
        for side in ["for", "back"] { residual(side + "_rcnn64", c256, c128); residual(side + "_rcnn128", c128, c64) }
        styled("conv1up", c256, c128, up: true); styled("directconv1", c128, c128, up: false)
        dmm("forconv1", c128); dmm("backconv1", c128)
        styled("conv2up", c128, c64, up: true); styled("directconv2", c64, c64, up: false)
        dmm("forconv2", c64); dmm("backconv2", c64)
        styled("conv3up", c64, c64, up: true); styled("directconv3", c64, c64, up: false)
        list.append(("decoder256.bias", [1, 3, 1, 1], .bias))
        modulated("decoder256.conv", 3, c64, 1, rgb: true)
        return list
    }

    /// Random weights in the fixtures' recipe: norms N(1, 0.1²)/N(0, 0.1²), convs U(±√(3/fan_in)),
    /// offset/mask convs N(0, 1/fan_in) with N(0, 0.5²) biases, modulation N(0, 1) with N(1, 0.1²)
    /// biases, modulated weights N(0, 1) (ToRGB N(0, 0.25²)), other biases N(0, 0.1²), FIR kernels exact.
    public static func randomWeights(divisor: Int = 1, seed: UInt64) -> [String: Tensor] {
        var rng = SplitMix64(seed: seed)
        func normal(_ mean: Double, _ sd: Double) -> Float {
            let u1 = max(Double(rng.next() >> 11) * 0x1p-53, 1e-300), u2 = Double(rng.next() >> 11) * 0x1p-53
            return Float(mean + sd * (-2 * log(u1)).squareRoot() * cos(2 * .pi * u2))
        }
        let taps: [Float] = [1, 3, 3, 1]
        let fir = taps.flatMap { a in taps.map { a * $0 / 16 } }
        var weights: [String: Tensor] = [:]
        for (key, shape, kind) in tensors(divisor: divisor) {
            let count = shape.reduce(1, *), fanIn = shape.count >= 2 ? shape.dropFirst().reduce(1, *) : 1
            let values: [Float]
            switch kind {
            case .norm: values = (0..<count).map { _ in normal(key.hasSuffix(".weight") ? 1 : 0, 0.1) }
            case .conv:
                let bound = Float((3 / Double(fanIn)).squareRoot())
                values = (0..<count).map { _ in Float.random(in: -bound...bound, using: &rng) }
            case .convBias, .bias: values = (0..<count).map { _ in normal(0, 0.1) }
            case .offsetConv: values = (0..<count).map { _ in normal(0, (1 / Double(fanIn)).squareRoot()) }
            case .offsetBias: values = (0..<count).map { _ in normal(0, 0.5) }
            case .modulation, .modulated: values = (0..<count).map { _ in normal(0, 1) }
            case .modulationBias: values = (0..<count).map { _ in normal(1, 0.1) }
            case .toRGB: values = (0..<count).map { _ in normal(0, 0.25) }
            case .blur: values = fir
            }
            weights[key] = Tensor(shape: shape, storage: values)
        }
        return weights
    }

    /// Synthetic generator inputs in the fixture layout: `frames` frames of H×W cut into windows
    /// of `window`, heatmaps of drifting keypoints (σ = 6) and smooth flows inside an ellipse with
    /// −2 outside, pre/post flows by the first- and last-window rules.
    public static func syntheticInputs(height: Int, width: Int, frames: Int, window: Int = 6, seed: UInt64) -> [String: Tensor] {
        var rng = SplitMix64(seed: seed)
        let image = Tensor(shape: [1, 3, height, width], storage: (0..<(3 * height * width)).map { _ in Float.random(in: -1...1, using: &rng) })
        let anchors = (0..<25).map { _ in (Double.random(in: 0.2...0.8, using: &rng), Double.random(in: 0.2...0.8, using: &rng)) }
        func heatmaps(_ frame: Int) -> [Float] {
            var values = [Float](repeating: 0, count: 25 * height * width)
            for (j, anchor) in anchors.enumerated() {
                let cy = (anchor.0 + 0.01 * Double(frame)) * Double(height), cx = anchor.1 * Double(width)
                for r in 0..<height { for c in 0..<width {
                    let d = (Double(r) - cy) * (Double(r) - cy) + (Double(c) - cx) * (Double(c) - cx)
                    values[(j * height + r) * width + c] = Float(exp(-d / 72))
                } }
            }
            return values
        }
        func flow(_ frame: Int) -> [Float] {
            var values = [Float](repeating: -2, count: height * width * 2)
            for r in 0..<height { for c in 0..<width {
                let x = (2 * Double(c) + 1) / Double(width) - 1, y = (2 * Double(r) + 1) / Double(height) - 1
                guard x * x / 0.5 + y * y / 0.8 < 1 else { continue }
                let phase = 0.3 * Double(frame)
                values[(r * width + c) * 2] = Float(x + 0.05 * sin(3 * y + phase))
                values[(r * width + c) * 2 + 1] = Float(y + 0.05 * cos(2 * x + phase))
            } }
            return values
        }
        var inputs = ["P_ref": image]
        let allFlows = (0..<frames).map(flow)
        for (k, start) in stride(from: 0, to: frames, by: window).enumerated() {
            let range = start..<min(frames, start + window)
            inputs["w\(k).BP"] = Tensor(shape: [1, range.count, 25, height, width], storage: range.flatMap(heatmaps))
            inputs["w\(k).flow_frames"] = Tensor(shape: [1, range.count, height, width, 2], storage: range.flatMap { allFlows[$0] })
            inputs["w\(k).flow_pre"] = Tensor(shape: [1, height, width, 2], storage: allFlows[max(0, start - 1)])
            inputs["w\(k).flow_post"] = Tensor(shape: [1, height, width, 2], storage: allFlows[min(frames - 1, range.upperBound)])
        }
        return inputs
    }
}
