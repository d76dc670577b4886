// Mesh flow against the meshflow fixture (official get_flow + neural_renderer kernels, case A) at
// every size it holds (128, 256): projected source corners, face-index map (differing pixels
// counted, ≤ 0.5% allowed by the issue), weights and depth where the faces agree, the grid
// everywhere and the warped image (README §4 tolerances). The figures are printed.
import Foundation
import Testing
@testable import PoseTransfer
import TensorEngine

@Suite struct MeshFlowParityTests {
    static func load(_ file: String) throws -> [String: Tensor] {
        try Safetensors.read(contentsOf: Fixture.url("meshflow", file)).tensors
    }

    static func scene() throws -> MeshFlowFile.Scene {
        try MeshFlowFile.scene(in: load("mesh.safetensors"), source: "mesh.safetensors")
    }

    static func maxDiff(_ a: [Float], _ b: [Float]) -> Float {
        zip(a, b).map { abs($0 - $1) }.max() ?? 0
    }

    @Test func projectedSourceCornersMatch() throws {
        let scene = try Self.scene()
        let expected = try Self.load("mesh.safetensors")["f2pts_src"]!
        let got = Projection.faceCorners(Projection.project(scene.source), faces: scene.faces)
        #expect(expected.shape == [scene.faces.count, 3, 2])
        let diff = Self.maxDiff(got, expected.storage)
        print("meshflow f2pts_src: max |Δ| = \(diff)")
        #expect(diff <= 1e-6)
    }

    @Test(arguments: [128, 256]) func targetMapsAndGridMatch(size: Int) throws {
        let scene = try Self.scene()
        let expected = try Self.load("flow\(size).safetensors")
        let (raster, grid) = MeshFlow.flow(faces: scene.faces, source: scene.source, target: scene.target,
                                           height: size, width: size)
        let wantIndex = expected["tgt_fim"]!, wantWeights = expected["tgt_wim"]!, wantGrid = expected["grid"]!
        #expect(wantIndex.shape == [size, size] && wantWeights.shape == [size, size, 3] && wantGrid.shape == [size, size, 2])
        #expect(grid.shape == [1, size, size, 2])

        let pixels = size * size
        let covered = wantIndex.storage.count(where: { $0 >= 0 })
        var differing = 0, weightDiff: Float = 0, depthDiff: Float = 0
        let wantDepth = expected["tgt_zbuf"]
        for p in 0..<pixels {
            guard Float(raster.faceIndex[p]) == wantIndex.storage[p] else { differing += 1; continue }
            for k in 0..<3 { weightDiff = max(weightDiff, abs(raster.weights[p * 3 + k] - wantWeights.storage[p * 3 + k])) }
            if let wantDepth { depthDiff = max(depthDiff, abs(raster.depth[p] - wantDepth.storage[p])) }
        }
        let gridDiff = Self.maxDiff(grid.storage, wantGrid.storage)
        let gridExact = zip(grid.storage, wantGrid.storage).allSatisfy { $0.bitPattern == $1.bitPattern }
        print("meshflow S=\(size): \(covered) target pixels, face index differs on \(differing) pixels; "
              + "max |Δ| wim \(weightDiff), zbuf \(wantDepth == nil ? "—" : "\(depthDiff)"), grid \(gridDiff) (bit-exact: \(gridExact))")
        #expect(Double(differing) <= 0.005 * Double(covered))
        #expect(weightDiff <= 1e-2)
        #expect(depthDiff <= 5e-4)
        #expect(gridDiff <= 5e-4)
    }

    @Test func sourceFaceIndexMapMatches() throws {
        let scene = try Self.scene()
        let expected = try Self.load("flow128.safetensors")["src_fim"]!
        let raster = Rasterizer.rasterize(projected: Projection.project(scene.source), faces: scene.faces, height: 128, width: 128)
        let differing = zip(raster.faceIndex, expected.storage).count(where: { Float($0) != $1 })
        print("meshflow S=128 source map: face index differs on \(differing) of \(expected.storage.count(where: { $0 >= 0 })) pixels")
        #expect(differing <= 5)
    }

    @Test func warpedSourceMatches() throws {
        let expected = try Self.load("flow128.safetensors")
        let image = expected["image_src"]!.reshaped([1, 3, 128, 128])
        let grid = expected["grid"]!.reshaped([1, 128, 128, 2])
        let warped = MeshFlow.warp(Engine(threads: 2), image: image, grid: grid)
        let want = expected["warped"]!
        #expect(warped.shape == [1, 3, 128, 128])
        let diff = Self.maxDiff(warped.storage, want.storage)
        // Background is exactly 0.
        let index = expected["tgt_fim"]!.storage
        let background = (0..<3).allSatisfy { ch in (0..<(128 * 128)).allSatisfy { index[$0] >= 0 || warped.storage[ch * 128 * 128 + $0] == 0 } }
        // The float64 reference sampler agrees with both.
        let reference = MeshFlowReference.warp(image.storage, channels: 3, height: 128, width: 128, grid: expected["grid"]!.storage)
        print("meshflow S=128 warped: max |Δ| vs fixture \(diff), reference vs fixture \(Self.maxDiff(reference, want.storage))")
        #expect(diff <= 2e-5)
        #expect(background)
        #expect(Self.maxDiff(warped.storage, reference) <= 2e-5)
    }

    @Test func referenceRasteriserMatchesTheFixture() throws {
        // The slow reference itself, checked against the official data, so agreeing with it means something.
        let scene = try Self.scene()
        let expected = try Self.load("flow128.safetensors")
        let cam = scene.target.camera
        let maps = MeshFlowReference.rasterize(MeshFlowReference.project(scene.target.vertices, (cam.scale, cam.tx, cam.ty)),
                                               faces: scene.faces, size: 128)
        let differing = zip(maps.faceIndex, expected["tgt_fim"]!.storage).count(where: { Float($0) != $1 })
        print("meshflow reference rasteriser S=128: face index differs on \(differing) pixels, max |Δ| wim \(Self.maxDiff(maps.weights, expected["tgt_wim"]!.storage)), zbuf \(Self.maxDiff(maps.depth, expected["tgt_zbuf"]!.storage))")
        #expect(differing == 0)
        #expect(Self.maxDiff(maps.weights, expected["tgt_wim"]!.storage) <= 1e-2)
    }
}
