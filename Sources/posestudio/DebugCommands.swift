// `posestudio debug …`: run one stage of the pipeline on tensors in files, so the parity fixtures
// can be checked from the command line.
import ArgumentParser
import Foundation
import PoseTransfer
import TensorEngine

struct Debug: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Run a pipeline stage on tensors in files (for checking against reference fixtures).",
        subcommands: [DebugGenerator.self, DebugMeshflow.self, DebugScreen.self])
}

struct DebugGenerator: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "generator",
        abstract: "Run the BDMM generator over every window in the inputs (P_ref, wK.BP, wK.flow_frames, wK.flow_pre, wK.flow_post), carrying the state from window K to K+1.")

    @Option(help: "Generator weights: the PyTorch checkpoint (.pth) or safetensors.") var weights: String
    @Option(help: "Inputs (.safetensors) in the parity fixture's layout.") var inputs: String
    @Option(help: "Where to write wK.out and the carried states wK.carry.* (.safetensors).") var out: String
    @Flag(help: "Also write the intermediates the fixture records (style, warped frames, propagation and structural states, frame-0 offsets and mask).") var intermediates = false
    @Option(help: "Threads for our loops and OpenBLAS.") var threads = 2

    func run() throws {
        let state = try WeightFile.read(contentsOf: URL(fileURLWithPath: weights))
        let generator = try BDMMGenerator(weights: state, source: weights)
        let tensors = try Safetensors.read(contentsOf: URL(fileURLWithPath: inputs)).tensors
        let (image, windows) = try WindowFile.windows(in: tensors, source: inputs, heatmapChannels: generator.heatmapChannels)
        let results = WindowFile.run(generator, Engine(threads: threads), image: image, windows: windows, trace: intermediates)
        try Safetensors.write(results, metadata: ["windows": windows.map { String($0.flows.count) }.joined(separator: ","),
                                                  "H": String(image.shape[2]), "W": String(image.shape[3])],
                              to: URL(fileURLWithPath: out))
        Console.error("\(windows.count) window\(windows.count == 1 ? "" : "s"), \(windows.reduce(0) { $0 + $1.flows.count }) frames → \(out)")
    }
}
