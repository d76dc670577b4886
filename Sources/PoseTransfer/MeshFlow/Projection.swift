// Weak-perspective projection of a posed body (meshflow fixture README §3.1, spec §8.2): the
// camera (s, tx, ty) maps a camera-aligned vertex (X, Y, Z) (x right, y down, z away) to
// normalised image coordinates u = s·(X + tx), v = s·(Y + ty) (y down, grid_sample convention)
// and depth d = Z + 2.7320508 (the renderer's eye distance; Z is not scaled). All float32,
// in exactly that operation order (add, then multiply), so results match the reference bit for bit.
import Foundation

/// HMR/SPIN weak-perspective camera, already normalised to the crop.
public struct WeakPerspectiveCamera: Sendable, Hashable {
    public var scale: Float
    public var tx: Float
    public var ty: Float

    public init(scale: Float, tx: Float, ty: Float) {
        self.scale = scale
        self.tx = tx
        self.ty = ty
    }
}

/// A body's vertices in the camera-aligned model frame with the camera that frames it.
public struct PosedMesh: Sendable {
    public var vertices: [SIMD3<Float>]
    public var camera: WeakPerspectiveCamera

    public init(vertices: [SIMD3<Float>], camera: WeakPerspectiveCamera) {
        self.vertices = vertices
        self.camera = camera
    }
}

public enum Projection {
    /// Distance from the renderer's eye to the origin along the view axis: 1/tan 30° + 1.
    public static let eyeDistance = Float(1 / tan(Double.pi / 6) + 1)

    /// (u, v, d) of every vertex: normalised image position (y down) and camera depth.
    public static func project(_ mesh: PosedMesh) -> [SIMD3<Float>] {
        let camera = mesh.camera
        return mesh.vertices.map { p in
            SIMD3(camera.scale * (p.x + camera.tx), camera.scale * (p.y + camera.ty), p.z + eyeDistance)
        }
    }

    /// The projected (u, v) of corner k of face f, flattened as [F, 3, 2] (the fixture's
    /// `f2pts_src`): what the flow interpolates on the source side (no visibility test).
    public static func faceCorners(_ projected: [SIMD3<Float>], faces: [SIMD3<Int32>]) -> [Float] {
        var out = [Float](repeating: 0, count: faces.count * 6)
        for (f, face) in faces.enumerated() {
            for k in 0..<3 {
                let p = projected[Int(face[k])]
                out[f * 6 + k * 2] = p.x
                out[f * 6 + k * 2 + 1] = p.y
            }
        }
        return out
    }
}
