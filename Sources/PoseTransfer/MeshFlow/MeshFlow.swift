// Mesh flow (meshflow fixture README §3.9–3.10, spec §8.3): rasterise the target body, and send
// each covered target pixel to the same surface point in the source body's projection — the
// barycentric combination of the source positions of its face's corners, float32, in the order
// (P0·w0 + P1·w1) + P2·w2 — with (-2, -2) on background; then warp the source image through that
// grid (bilinear, zeros, align_corners = false), which makes the background exactly 0.
import TensorEngine

public enum MeshFlow {
    /// Grid value of background pixels (samples far outside the image, so the warp gives 0).
    public static let background: Float = -2

    /// The target rasterisation and the sampling grid from target pixels to source positions.
    /// - Parameters:
    ///   - faces: triangles (corner order as stored), indices into both meshes' vertices.
    ///   - source, target: the same topology posed twice, each with its camera.
    ///   - height, width: output size in pixels (the reference is square).
    /// - Returns: the target's `FaceRaster` and the grid `[1, H, W, 2]`, last axis (u, v) =
    ///   (column, row direction) in normalised align_corners = false coordinates.
    public static func flow(faces: [SIMD3<Int32>], source: PosedMesh, target: PosedMesh,
                            height: Int, width: Int) -> (raster: FaceRaster, grid: Tensor) {
        check(faces, source, target)
        let corners = Projection.faceCorners(Projection.project(source), faces: faces)
        let raster = Rasterizer.rasterize(projected: Projection.project(target), faces: faces, height: height, width: width)
        return (raster, grid(raster, sourceCorners: corners))
    }

    /// The grid of a rasterised target: for a pixel on face f with weights w,
    /// Σ_k P[f, k]·w_k per component; (-2, -2) on background.
    /// - Parameter sourceCorners: [F, 3, 2] projected source (u, v) of each face corner.
    /// - Returns: `[1, H, W, 2]`.
    public static func grid(_ raster: FaceRaster, sourceCorners: [Float]) -> Tensor {
        let pixels = raster.height * raster.width
        var grid = [Float](repeating: background, count: pixels * 2)
        for p in 0..<pixels {
            let f = Int(raster.faceIndex[p])
            guard f >= 0 else { continue }
            let (w0, w1, w2) = (raster.weights[p * 3], raster.weights[p * 3 + 1], raster.weights[p * 3 + 2])
            let corner = f * 6
            for axis in 0..<2 {
                grid[p * 2 + axis] = (sourceCorners[corner + axis] * w0 + sourceCorners[corner + 2 + axis] * w1)
                    + sourceCorners[corner + 4 + axis] * w2
            }
        }
        return Tensor(shape: [1, raster.height, raster.width, 2], storage: grid)
    }

    /// The source image seen through the grid: `Engine.gridSample` (bilinear, zeros outside,
    /// align_corners = false). image: `[1, C, Hs, Ws]`; grid: `[1, H, W, 2]` → `[1, C, H, W]`.
    public static func warp(_ engine: Engine, image: Tensor, grid: Tensor) -> Tensor {
        engine.gridSample(image, grid: grid)
    }

    /// Programmer errors (file inputs are validated by `MeshFlowFile` before they get here).
    private static func check(_ faces: [SIMD3<Int32>], _ source: PosedMesh, _ target: PosedMesh) {
        precondition(source.vertices.count == target.vertices.count,
                     "MeshFlow: source has \(source.vertices.count) vertices, target \(target.vertices.count)")
        let count = Int32(source.vertices.count)
        for (f, face) in faces.enumerated() {
            precondition(face[0] >= 0 && face[0] < count && face[1] >= 0 && face[1] < count && face[2] >= 0 && face[2] < count,
                         "MeshFlow: face \(f) = \(face) indexes outside \(count) vertices")
        }
    }
}
