// `posestudio debug meshflow`: the mesh-flow stage on the meshflow fixture's tensors — rasterise
// the target mesh, build the flow grid from the source projection and, given a source image,
// warp it — so the fixture can be checked from the command line. Inputs are validated before
// anything runs; the output file appears whole or not at all.
import ArgumentParser
import Foundation
import PoseTransfer
import TensorEngine

struct DebugMeshflow: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "meshflow",
        abstract: "Rasterise the target mesh and compute the flow grid (and the warped source image) as the meshflow fixture stores them.",
        discussion: """
            --mesh holds faces (F, 3), verts_src and verts_tgt (V, 3), cam_src and cam_tgt (s, tx, ty). \
            --image holds image_src (3, S, S). Writes tgt_fim (S, S; face index as float32, -1 = background), \
            tgt_wim (S, S, 3), grid (S, S, 2) and, with --image, warped (3, S, S).
            """)

    @Option(help: "Mesh and cameras (.safetensors), in the meshflow fixture's layout.") var mesh: String
    @Option(help: "Output size S in pixels (square).") var size: Int
    @Option(help: "Source image (.safetensors with image_src (3, S, S)); adds `warped` to the output.") var image: String?
    @Option(help: "Where to write the results (.safetensors).") var out: String
    @Option(help: "Threads for the warp.") var threads = 2

    func validate() throws {
        guard (1...8192).contains(size) else { throw ValidationError("--size must be between 1 and 8192, got \(size)") }
        guard threads >= 1 else { throw ValidationError("--threads must be at least 1") }
    }

    func run() throws {
        let scene = try MeshFlowFile.scene(in: Safetensors.read(contentsOf: URL(fileURLWithPath: mesh)).tensors, source: mesh)
        let source = try image.map { path in
            try MeshFlowFile.image(in: Safetensors.read(contentsOf: URL(fileURLWithPath: path)).tensors, source: path, size: size)
        }
        let results = MeshFlowFile.run(scene, size: size, image: source, engine: Engine(threads: threads))
        try Safetensors.write(results, metadata: ["H": String(size), "W": String(size)], to: URL(fileURLWithPath: out))
        let covered = results["tgt_fim"]!.storage.count(where: { $0 >= 0 })
        Console.error("\(scene.faces.count) faces, \(covered) of \(size * size) target pixels covered → \(out)")
    }
}
