// The fast rasteriser (bounding boxes, hoisted edge terms) against the slow per-pixel-per-face
// reference on seeded random triangle soups — overlapping faces, both windings, corners on pixel
// centres (edge ties), faces beyond near/far and off-screen — bit for bit; and properties that
// need no fixture: a mesh flowed onto itself gives the identity grid, also for H ≠ W.
import Foundation
import Testing
import PoseKit
@testable import PoseTransfer
import TensorEngine

@Suite struct MeshFlowRasterizerTests {
    /// Random triangles; with `snapped`, corners sit on pixel centres or pixel edges of an S grid,
    /// so many pixel centres lie exactly on triangle edges and shared edges.
    static func soup(faces count: Int, size: Int, snapped: Bool, seed: UInt64) -> (vertices: [SIMD3<Float>], faces: [SIMD3<Int32>]) {
        var rng = SplitMix64(seed: seed)
        var vertices: [SIMD3<Float>] = []
        var faces: [SIMD3<Int32>] = []
        func coordinate() -> Float {
            if snapped { return Float(Int.random(in: -size - 4...size + 4, using: &rng)) / Float(size) }
            return Float.random(in: -1.3...1.3, using: &rng)
        }
        for _ in 0..<count {
            let base = Int32(vertices.count)
            let centre = SIMD2(coordinate(), coordinate())
            // Mostly small triangles around a centre (like a body mesh), some large ones.
            let spread: Float = Bool.random(using: &rng) ? 0.15 : 0.8
            for _ in 0..<3 {
                var p = centre + SIMD2(Float.random(in: -spread...spread, using: &rng), Float.random(in: -spread...spread, using: &rng))
                if snapped { p = (p * Float(size)).rounded(.toNearestOrAwayFromZero) / Float(size) }
                // Depth relative to the eye: mostly in range, a few before near or beyond far.
                let z = Float.random(in: -3.0...2.0, using: &rng) + (Int.random(in: 0..<20, using: &rng) == 0 ? 120 : 0)
                vertices.append(SIMD3(p.x, p.y, z))
            }
            faces.append(SIMD3(base, base + 1, base + 2))
            // Share an edge with the previous face now and then (the flipped winding keeps it front-facing).
            if Int.random(in: 0..<3, using: &rng) == 0 {
                let p = centre + SIMD2(Float.random(in: -spread...spread, using: &rng), Float.random(in: -spread...spread, using: &rng))
                let q = snapped ? (p * Float(size)).rounded(.toNearestOrAwayFromZero) / Float(size) : p
                vertices.append(SIMD3(q.x, q.y, Float.random(in: -3.0...2.0, using: &rng)))
                faces.append(SIMD3(base + 1, base, Int32(vertices.count - 1)))
            }
        }
        return (vertices, faces)
    }

    @Test(arguments: [(size: 16, snapped: false, seed: UInt64(1)), (size: 31, snapped: false, seed: 2), (size: 32, snapped: true, seed: 3),
                      (size: 45, snapped: true, seed: 4), (size: 64, snapped: false, seed: 5)])
    func fastPathEqualsTheReference(size: Int, snapped: Bool, seed: UInt64) {
        let (vertices, faces) = Self.soup(faces: 120, size: size, snapped: snapped, seed: seed)
        let camera = WeakPerspectiveCamera(scale: 1, tx: 0, ty: 0)
        let projected = Projection.project(PosedMesh(vertices: vertices, camera: camera))
        #expect(projected == MeshFlowReference.project(vertices, (1, 0, 0)))
        let fast = Rasterizer.rasterize(projected: projected, faces: faces, height: size, width: size)
        let slow = MeshFlowReference.rasterize(projected, faces: faces, size: size)
        let covered = fast.faceIndex.count(where: { $0 >= 0 })
        let faceDifferences = zip(fast.faceIndex, slow.faceIndex).count(where: { $0 != $1 })
        let bitsEqual = zip(fast.weights, slow.weights).allSatisfy { $0.bitPattern == $1.bitPattern }
            && zip(fast.depth, slow.depth).allSatisfy { $0.bitPattern == $1.bitPattern }
        #expect(covered > size * size / 4, "the soup should cover a good part of the image")
        #expect(Set(fast.faceIndex).count > 20, "many faces should win somewhere")
        #expect(faceDifferences == 0)
        #expect(bitsEqual)

        // And the grid built from those maps, with a random source projection.
        var rng = SplitMix64(seed: seed &+ 100)
        let source = vertices.map { _ in SIMD3(Float.random(in: -1...1, using: &rng), Float.random(in: -1...1, using: &rng), 0) }
        let grid = MeshFlow.grid(fast, sourceCorners: Projection.faceCorners(source, faces: faces))
        let reference = MeshFlowReference.grid(slow, faces: faces, sourceProjected: source)
        #expect(zip(grid.storage, reference).allSatisfy { $0.bitPattern == $1.bitPattern })
    }

    @Test func backFacesAndDepthBoundsAreRespected() {
        // One screen-filling square as two triangles; counter-clockwise on screen (y down) is front.
        let square: [SIMD3<Float>] = [SIMD3(-2, -2, 0), SIMD3(2, -2, 0), SIMD3(2, 2, 0), SIMD3(-2, 2, 0)]
        let front: [SIMD3<Int32>] = [SIMD3(0, 3, 2), SIMD3(0, 2, 1)]
        let back: [SIMD3<Int32>] = [SIMD3(0, 2, 3), SIMD3(0, 1, 2)]
        let camera = WeakPerspectiveCamera(scale: 1, tx: 0, ty: 0)
        let projected = Projection.project(PosedMesh(vertices: square, camera: camera))
        let seen = Rasterizer.rasterize(projected: projected, faces: front, height: 8, width: 8)
        #expect(seen.faceIndex.allSatisfy { $0 >= 0 })
        #expect(seen.depth.allSatisfy { abs($0 - Projection.eyeDistance) < 1e-6 })
        let culled = Rasterizer.rasterize(projected: projected, faces: back, height: 8, width: 8)
        #expect(culled.faceIndex.allSatisfy { $0 == -1 } && culled.depth.allSatisfy { $0 == Rasterizer.far })
        // Beyond far (depth ≥ 100) and before near (depth ≤ 0.1): never drawn.
        for z: Float in [98, -2.7] {
            let moved = Projection.project(PosedMesh(vertices: square.map { SIMD3($0.x, $0.y, z) }, camera: camera))
            #expect(Rasterizer.rasterize(projected: moved, faces: front, height: 8, width: 8).faceIndex.allSatisfy { $0 == -1 })
        }
        // The nearer of two overlapping faces wins, whatever the order.
        let layered = square + square.map { SIMD3($0.x, $0.y, 1) }
        let both = Projection.project(PosedMesh(vertices: layered, camera: camera))
        let order1 = Rasterizer.rasterize(projected: both, faces: [SIMD3(4, 7, 6), SIMD3(0, 3, 2)], height: 8, width: 8)
        let order2 = Rasterizer.rasterize(projected: both, faces: [SIMD3(0, 3, 2), SIMD3(4, 7, 6)], height: 8, width: 8)
        #expect(order1.faceIndex.filter { $0 >= 0 }.allSatisfy { $0 == 1 })
        #expect(order2.faceIndex.filter { $0 >= 0 }.allSatisfy { $0 == 0 })
    }

    /// A closed mesh (a UV sphere, outward counter-clockwise winding in x-right / y-down / z-away).
    static func sphere(bands: Int, meridians: Int, radii: SIMD3<Float>) -> (vertices: [SIMD3<Float>], faces: [SIMD3<Int32>]) {
        var vertices: [SIMD3<Float>] = [SIMD3(0, -radii.y, 0)]
        for b in 1..<bands {
            let polar = Float.pi * Float(b) / Float(bands)
            for m in 0..<meridians {
                let azimuth = 2 * Float.pi * Float(m) / Float(meridians)
                vertices.append(SIMD3(sin(polar) * cos(azimuth), -cos(polar), sin(polar) * sin(azimuth)) * radii)
            }
        }
        vertices.append(SIMD3(0, radii.y, 0))
        let last = Int32(vertices.count - 1)
        func ring(_ b: Int, _ m: Int) -> Int32 { Int32(1 + (b - 1) * meridians + (m % meridians)) }
        var faces: [SIMD3<Int32>] = []
        for m in 0..<meridians { faces.append(SIMD3(0, ring(1, m), ring(1, m + 1))) }
        for b in 1..<(bands - 1) {
            for m in 0..<meridians {
                faces.append(SIMD3(ring(b, m), ring(b + 1, m), ring(b + 1, m + 1)))
                faces.append(SIMD3(ring(b, m), ring(b + 1, m + 1), ring(b, m + 1)))
            }
        }
        for m in 0..<meridians { faces.append(SIMD3(last, ring(bands - 1, m + 1), ring(bands - 1, m))) }
        return (vertices, faces)
    }

    @Test(arguments: [(height: 64, width: 64), (height: 128, width: 64), (height: 48, width: 80)])
    func aMeshFlowedOntoItselfGivesTheIdentityGrid(height: Int, width: Int) {
        let (vertices, faces) = Self.sphere(bands: 12, meridians: 20, radii: SIMD3(0.5, 0.8, 0.4))
        let mesh = PosedMesh(vertices: vertices, camera: WeakPerspectiveCamera(scale: 1.1, tx: 0.05, ty: -0.1))
        let (raster, grid) = MeshFlow.flow(faces: faces, source: mesh, target: mesh, height: height, width: width)
        var inside = 0
        var worst: Float = 0
        for r in 0..<height {
            for c in 0..<width {
                let p = r * width + c
                guard raster.faceIndex[p] >= 0 else {
                    #expect(grid.storage[2 * p] == -2 && grid.storage[2 * p + 1] == -2)
                    continue
                }
                inside += 1
                let u = Float(2 * c + 1) / Float(width) - 1, v = Float(2 * r + 1) / Float(height) - 1
                worst = max(worst, abs(grid.storage[2 * p] - u), abs(grid.storage[2 * p + 1] - v))
            }
        }
        // The silhouette is the ellipse (x/0.55)² + (y/0.88)² ≤ 1 shifted by the camera (≈ 0.55·0.88·π/4 of the area).
        let expected = Double(height * width) * 0.55 * 0.88 * Double.pi / 4
        #expect(Double(inside) > 0.85 * expected && Double(inside) < 1.05 * expected, "\(inside) pixels, expected ≈ \(Int(expected))")
        #expect(worst <= 6e-5, "identity grid off by \(worst)")
        // The warp through the identity grid reproduces the image inside the silhouette.
        var rng = SplitMix64(seed: 9)
        let image = Tensor(shape: [1, 1, height, width], storage: (0..<(height * width)).map { _ in Float.random(in: -1...1, using: &rng) })
        let warped = MeshFlow.warp(Engine(threads: 1), image: image, grid: grid)
        let error = (0..<(height * width)).filter { raster.faceIndex[$0] >= 0 }.map { abs(warped.storage[$0] - image.storage[$0]) }.max() ?? 1
        #expect(error < 1e-3)
    }
}
