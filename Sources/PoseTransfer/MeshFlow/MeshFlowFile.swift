// MeshFlowFile: the mesh-flow stage's inputs and outputs as named tensors, in the meshflow
// fixture's layout — `faces` (F, 3), `verts_src`/`verts_tgt` (V, 3), `cam_src`/`cam_tgt` (3) and
// `image_src` (3, S, S) in; `tgt_fim` (S, S), `tgt_wim` (S, S, 3), `grid` (S, S, 2) and `warped`
// (3, S, S) out. Every key, shape and value is checked before anything runs; errors name the key.
import TensorEngine

/// Bad mesh-flow input: the file, the tensor and what is wrong with it.
public struct MeshFlowError: Error, CustomStringConvertible, Equatable {
    public var source: String
    public var name: String
    public var message: String

    public init(source: String, name: String, message: String) {
        self.source = source
        self.name = name
        self.message = message
    }

    public var description: String { "\(source): \"\(name)\": \(message)" }
}

public enum MeshFlowFile {
    /// A mesh posed as source and target.
    public struct Scene: Sendable {
        public var faces: [SIMD3<Int32>]
        public var source: PosedMesh
        public var target: PosedMesh
    }

    /// Reads and validates the scene in `tensors` (loaded from the file named `source`).
    public static func scene(in tensors: [String: Tensor], source: String) throws(MeshFlowError) -> Scene {
        func need(_ key: String) throws(MeshFlowError) -> Tensor {
            guard let tensor = tensors[key] else { throw MeshFlowError(source: source, name: key, message: "missing") }
            return tensor
        }
        func finite(_ key: String, _ tensor: Tensor) throws(MeshFlowError) {
            if let at = tensor.storage.firstIndex(where: { !$0.isFinite }) {
                throw MeshFlowError(source: source, name: key, message: "element \(at) is \(tensor.storage[at]), not a finite number")
            }
        }
        let verticesSource = try need("verts_src"), verticesTarget = try need("verts_tgt")
        guard verticesSource.rank == 2, verticesSource.shape[1] == 3, verticesSource.shape[0] > 0 else {
            throw MeshFlowError(source: source, name: "verts_src", message: "shape \(verticesSource.shape), expected [V, 3]")
        }
        let vertexCount = verticesSource.shape[0]
        guard verticesTarget.shape == verticesSource.shape else {
            throw MeshFlowError(source: source, name: "verts_tgt", message: "shape \(verticesTarget.shape), expected \(verticesSource.shape) (as verts_src)")
        }
        try finite("verts_src", verticesSource)
        try finite("verts_tgt", verticesTarget)

        let faceTensor = try need("faces")
        guard faceTensor.rank == 2, faceTensor.shape[1] == 3 else {
            throw MeshFlowError(source: source, name: "faces", message: "shape \(faceTensor.shape), expected [F, 3]")
        }
        var faces: [SIMD3<Int32>] = []
        faces.reserveCapacity(faceTensor.shape[0])
        for f in 0..<faceTensor.shape[0] {
            var face = SIMD3<Int32>()
            for k in 0..<3 {
                let value = faceTensor.storage[f * 3 + k]
                guard value.rounded() == value, value >= 0, value < Float(vertexCount) else {
                    throw MeshFlowError(source: source, name: "faces", message: "face \(f) corner \(k) is \(value), not a vertex index in 0..<\(vertexCount)")
                }
                face[k] = Int32(value)
            }
            faces.append(face)
        }

        func camera(_ key: String) throws(MeshFlowError) -> WeakPerspectiveCamera {
            let tensor = try need(key)
            guard tensor.shape == [3] else { throw MeshFlowError(source: source, name: key, message: "shape \(tensor.shape), expected [3] (s, tx, ty)") }
            try finite(key, tensor)
            return WeakPerspectiveCamera(scale: tensor.storage[0], tx: tensor.storage[1], ty: tensor.storage[2])
        }
        func vertices(_ tensor: Tensor) -> [SIMD3<Float>] {
            (0..<vertexCount).map { SIMD3(tensor.storage[$0 * 3], tensor.storage[$0 * 3 + 1], tensor.storage[$0 * 3 + 2]) }
        }
        return Scene(faces: faces,
                     source: PosedMesh(vertices: vertices(verticesSource), camera: try camera("cam_src")),
                     target: PosedMesh(vertices: vertices(verticesTarget), camera: try camera("cam_tgt")))
    }

    /// The source image `image_src`, (3, S, S) or (1, 3, S, S), as `[1, 3, S, S]`.
    public static func image(in tensors: [String: Tensor], source: String, size: Int) throws(MeshFlowError) -> Tensor {
        let key = "image_src"
        guard let image = tensors[key] else { throw MeshFlowError(source: source, name: key, message: "missing") }
        guard image.shape == [3, size, size] || image.shape == [1, 3, size, size] else {
            throw MeshFlowError(source: source, name: key, message: "shape \(image.shape), expected [3, \(size), \(size)] (channel-first RGB at --size \(size))")
        }
        if let at = image.storage.firstIndex(where: { !$0.isFinite }) {
            throw MeshFlowError(source: source, name: key, message: "element \(at) is \(image.storage[at]), not a finite number")
        }
        return image.reshaped([1, 3, size, size])
    }

    /// Runs the stage and names the results as the fixture does: `tgt_fim` (S, S) (face index as
    /// float32, -1 = background), `tgt_wim` (S, S, 3), `grid` (S, S, 2), and `warped` (3, S, S)
    /// when an image `[1, 3, S, S]` is given.
    public static func run(_ scene: Scene, size: Int, image: Tensor?, engine: Engine) -> [String: Tensor] {
        let (raster, grid) = MeshFlow.flow(faces: scene.faces, source: scene.source, target: scene.target,
                                           height: size, width: size)
        var out: [String: Tensor] = [
            "tgt_fim": Tensor(shape: [size, size], storage: raster.faceIndex.map(Float.init)),
            "tgt_wim": Tensor(shape: [size, size, 3], storage: raster.weights),
            "grid": grid.reshaped([size, size, 2]),
        ]
        if let image {
            out["warped"] = MeshFlow.warp(engine, image: image, grid: grid).reshaped([3, size, size])
        }
        return out
    }
}
