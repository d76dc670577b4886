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

/// How a frame's SMPL was fitted to its keypoints (present only for SMPL posestudio fitted, not
/// imported): the square crop the camera is expressed in (frame pixels) and each BODY_25
/// keypoint's reprojection error in pixels of the 256 crop (nil where the keypoint was not observed).
public struct SMPLFitRecord: Hashable, Sendable {
    public var cropX: Double
    public var cropY: Double
    public var cropSize: Double
    /// 25 entries, crop pixels.
    public var errors: [Double?]

    /// Fails (returns nil) unless the crop is finite with a positive size and there are 25
    /// errors, each finite and non-negative where present.
    public init?(cropX: Double, cropY: Double, cropSize: Double, errors: [Double?]) {
        guard cropX.isFinite, cropY.isFinite, cropSize.isFinite, cropSize > 0, errors.count == BODY25.jointCount,
              errors.allSatisfy({ $0.map { $0.isFinite && $0 >= 0 } ?? true }) else { return nil }
        self.cropX = cropX
        self.cropY = cropY
        self.cropSize = cropSize
        self.errors = errors
    }

    /// The errors of the observed keypoints.
    public var observedErrors: [Double] { errors.compactMap { $0 } }
}
