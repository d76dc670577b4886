// `posestudio debug meshflow` from the command line: the meshflow fixture's target maps, grid
// and warped image recomputed from its inputs (README §4 tolerances; the face-index map may
// differ on at most 0.5% of the covered pixels), and bad inputs refused with the file and key
// named, exit 1 and nothing written.
import Foundation
import Testing
import TensorEngine

@Suite struct MeshflowCLITests {
    static let fixture = CLI.root.appendingPathComponent("Tests/Fixtures/meshflow")
    static func path(_ file: String) -> String { fixture.appendingPathComponent(file).path }

    @Test(arguments: [128, 256]) func reproducesTheFixture(size: Int) throws {
        let dir = TemporaryDirectory()
        let withImage = size == 128   // the fixture stores the source image at 128 only
        var arguments = ["debug", "meshflow", "--mesh", Self.path("mesh.safetensors"), "--size", String(size), "--out", dir.file("out.safetensors")]
        if withImage { arguments += ["--image", Self.path("flow128.safetensors")] }
        let result = try CLI.run(arguments)
        #expect(result.status == 0, "\(result.err)")
        let got = try Safetensors.read(contentsOf: URL(fileURLWithPath: dir.file("out.safetensors"))).tensors
        let expected = try Safetensors.read(contentsOf: URL(fileURLWithPath: Self.path("flow\(size).safetensors"))).tensors
        let keys = ["tgt_fim", "tgt_wim", "grid"] + (withImage ? ["warped"] : [])
        #expect(Set(got.keys) == Set(keys))
        for key in keys {
            guard let g = got[key], let e = expected[key] else { Issue.record("\(key) missing"); continue }
            #expect(g.shape == e.shape, "\(key)")
        }
        guard let fim = got["tgt_fim"], let wantFim = expected["tgt_fim"], fim.shape == wantFim.shape else { return }
        let covered = wantFim.storage.count(where: { $0 >= 0 })
        let agree = (0..<fim.count).filter { fim.storage[$0] == wantFim.storage[$0] }
        #expect(Double(fim.count - agree.count) <= 0.005 * Double(covered), "face index differs on \(fim.count - agree.count) pixels")
        let (wim, wantWim) = (got["tgt_wim"]!.storage, expected["tgt_wim"]!.storage)
        var weightDiff: Float = 0
        for p in agree {
            for k in 0..<3 { weightDiff = max(weightDiff, abs(wim[p * 3 + k] - wantWim[p * 3 + k])) }
        }
        #expect(weightDiff <= 1e-2)
        #expect((zip(got["grid"]!.storage, expected["grid"]!.storage).map { abs($0 - $1) }.max() ?? 1) <= 5e-4)
        if withImage {
            #expect((zip(got["warped"]!.storage, expected["warped"]!.storage).map { abs($0 - $1) }.max() ?? 1) <= 1e-2)
        }
        #expect(result.err.contains("\(covered) of \(size * size) target pixels"), "\(result.err)")
    }

    @Test(arguments: ["truncated mesh", "face out of range", "missing camera", "image of the wrong size"])
    func badInputIsRefused(_ damage: String) throws {
        let dir = TemporaryDirectory()
        var mesh = Self.path("mesh.safetensors"), image = Self.path("flow128.safetensors")
        var named = ("mesh.safetensors", "")
        switch damage {
        case "truncated mesh":
            let bytes = try Data(contentsOf: URL(fileURLWithPath: mesh))
            mesh = dir.file("mesh.safetensors")
            try bytes.prefix(bytes.count - 1000).write(to: URL(fileURLWithPath: mesh))
            named.1 = "lie outside the data section"
        case "face out of range", "missing camera":
            var tensors = try Safetensors.read(contentsOf: URL(fileURLWithPath: mesh)).tensors
            if damage == "missing camera" {
                tensors["cam_tgt"] = nil
                named.1 = "\"cam_tgt\""
            } else {
                var faces = tensors["faces"]!
                faces.storage[3 * 17 + 1] = 884
                tensors["faces"] = faces
                named.1 = "\"faces\""
            }
            mesh = dir.file("mesh.safetensors")
            try Safetensors.write(tensors, to: URL(fileURLWithPath: mesh))
        default:
            image = Self.path("flow256.safetensors")   // holds no image_src
            named = ("flow256.safetensors", "\"image_src\"")
        }
        let result = try CLI.run(["debug", "meshflow", "--mesh", mesh, "--size", "128", "--image", image, "--out", dir.file("out.safetensors")])
        #expect(result.status == 1)
        #expect(result.err.contains(named.0) && result.err.contains(named.1), "\(result.err)")
        #expect(!result.err.contains("Fatal error"))
        #expect(!FileManager.default.fileExists(atPath: dir.file("out.safetensors")))
    }
}
