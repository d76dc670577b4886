// WindowFile: the generator's inputs and outputs as named tensors, in the parity fixture's layout
// (`P_ref`, `wK.BP`, `wK.flow_frames`, `wK.flow_pre`, `wK.flow_post` in; `wK.out`,
// `wK.carry.*` and the traced intermediates out), shared by `debug generator`, the benchmark and
// the tests. Every shape is checked before anything runs; errors name the key.
import TensorEngine

public enum WindowFile {
    /// The source image and the windows found in `inputs` (w0, w1, … until one is missing).
    public static func windows(in inputs: [String: Tensor], source: String,
                               heatmapChannels: Int) throws(GeneratorError) -> (image: Tensor, windows: [WindowInput]) {
        func need(_ key: String) throws(GeneratorError) -> Tensor {
            guard let tensor = inputs[key] else { throw .badInput(source: source, name: key, message: "missing") }
            return tensor
        }
        func check(_ key: String, _ tensor: Tensor, _ expected: [Int]) throws(GeneratorError) {
            guard tensor.shape == expected else {
                throw .badInput(source: source, name: key, message: "shape \(tensor.shape), expected \(expected)")
            }
        }
        let image = try need("P_ref")
        guard image.rank == 4, image.shape[0] == 1, image.shape[1] == 3 else {
            throw .badInput(source: source, name: "P_ref", message: "shape \(image.shape), expected [1, 3, H, W]")
        }
        let (h, w) = (image.shape[2], image.shape[3])
        guard h % 8 == 0, w % 8 == 0, h >= 128, w >= 64 else {
            throw .badInput(source: source, name: "P_ref", message: "frame size \(h)×\(w): the generator needs H and W divisible by 8, at least 128×64")
        }
        var windows: [WindowInput] = []
        while inputs["w\(windows.count).BP"] != nil {
            let prefix = "w\(windows.count)."
            let heatmaps = try need(prefix + "BP")
            guard heatmaps.rank == 5, heatmaps.shape[0] == 1, heatmaps.shape[1] > 0 else {
                throw .badInput(source: source, name: prefix + "BP", message: "shape \(heatmaps.shape), expected [1, N, \(heatmapChannels), \(h), \(w)]")
            }
            let frames = heatmaps.shape[1]
            try check(prefix + "BP", heatmaps, [1, frames, heatmapChannels, h, w])
            let flows = try need(prefix + "flow_frames")
            try check(prefix + "flow_frames", flows, [1, frames, h, w, 2])
            let pre = try need(prefix + "flow_pre"), post = try need(prefix + "flow_post")
            try check(prefix + "flow_pre", pre, [1, h, w, 2])
            try check(prefix + "flow_post", post, [1, h, w, 2])
            let perHeatmap = heatmapChannels * h * w, perFlow = h * w * 2
            windows.append(WindowInput(
                heatmaps: (0..<frames).map { Tensor(shape: [1, heatmapChannels, h, w], storage: Array(heatmaps.storage[($0 * perHeatmap)..<(($0 + 1) * perHeatmap)])) },
                flows: (0..<frames).map { Tensor(shape: [1, h, w, 2], storage: Array(flows.storage[($0 * perFlow)..<(($0 + 1) * perFlow)])) },
                preFlow: pre, postFlow: post))
        }
        guard !windows.isEmpty else { throw .badInput(source: source, name: "w0.BP", message: "missing (no window in the inputs)") }
        return (image, windows)
    }

    /// Runs every window in order, carrying the state, and names the results as the fixture does.
    /// With `trace`, the intermediates are included too.
    public static func run(_ generator: BDMMGenerator, _ engine: Engine, image: Tensor, windows: [WindowInput],
                           trace: Bool) -> [String: Tensor] {
        var results: [String: Tensor] = [:]
        var carried: CarriedState?
        for (k, window) in windows.enumerated() {
            let output = generator.run(engine, source: image, window: window, carried: carried, trace: trace)
            let prefix = "w\(k)."
            results[prefix + "out"] = framesTensor(output.frames)
            results[prefix + "carry.last_frame"] = output.carried.lastFrame
            results[prefix + "carry.uv_state"] = output.carried.structure
            results[prefix + "carry.warp64"] = output.carried.forwardQuarter
            results[prefix + "carry.warp128"] = output.carried.forwardHalf
            for (key, values) in output.trace {
                let once = key == "style" || key.hasPrefix("f0.")   // per window, not per frame
                results[prefix + key] = once ? values[0] : framesTensor(values)
            }
            carried = output.carried
        }
        return results
    }

    /// [1, C, H, W] × N → [1, N, C, H, W].
    static func framesTensor(_ frames: [Tensor]) -> Tensor {
        Tensor(shape: [1, frames.count] + frames[0].shape.dropFirst(), storage: frames.flatMap(\.storage))
    }
}
