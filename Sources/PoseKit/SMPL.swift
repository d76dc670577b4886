// SMPL parameters for one frame in the HMR/SPIN convention BDMM uses: weak-perspective camera
// (s, tx, ty), pose θ as 24 axis-angle joints (joint 0 = global orientation), shape β.

public struct SMPLParameters: Hashable, Sendable {
    public static let camCount = 3, poseCount = 72, shapeCount = 10
    /// cam + pose + shape, the 85-vector BDMM feeds its generator.
    public static let vectorCount = camCount + poseCount + shapeCount

    public var cam: [Double]
    public var pose: [Double]
    public var shape: [Double]

    /// Fails (returns nil) unless the counts are 3, 72 and 10 and every value is finite.
    public init?(cam: [Double], pose: [Double], shape: [Double]) {
        guard cam.count == Self.camCount, pose.count == Self.poseCount, shape.count == Self.shapeCount,
              (cam + pose + shape).allSatisfy(\.isFinite) else { return nil }
        self.cam = cam
        self.pose = pose
        self.shape = shape
    }

    /// The 85-vector [cam, pose, shape].
    public var vector: [Double] { cam + pose + shape }

    public init?(vector: [Double]) {
        guard vector.count == Self.vectorCount else { return nil }
        self.init(cam: Array(vector[0..<3]), pose: Array(vector[3..<75]), shape: Array(vector[75..<85]))
    }
}
