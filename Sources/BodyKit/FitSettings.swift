// The weights of the fitting energy, in one place. Units: data residuals in pixels of the 256
// crop, angles in radians; a weight λ on a residual r costs (λ·r)², comparable to px².
//   E = Σ_keypoints c·ρ(‖proj − obs‖) + Σ (λ_pose·θ)² + Σ (λ_hinge·wrong-way bend)²
//       + Σ_neighbours (λ_smooth·(θ − θ_n))² + camera smoothness + (λ_shape·β)²
// ρ is Geman–McClure with scale σ: ρ(e) = σ²e²/(σ² + e²) — outliers beyond a few σ stop pulling.

public struct FitSettings: Hashable, Sendable {
    /// Geman–McClure scale σ of the final stage, crop pixels.
    public var robustSigma = 10.0
    /// σ of the first, coarse stage (lets a cold start reach far keypoints before outliers are cut).
    public var coarseSigma = 48.0
    /// λ per θ component (72; the root's three are 0: the global orientation is free).
    public var poseWeights: [Double] = FitSettings.defaultPoseWeights
    /// λ on knees bending forward and elbows bending backwards.
    public var hingeWeight = 40.0
    /// λ on θ differences with each neighbouring frame.
    public var smoothPose = 2.5
    /// λ on camera differences with each neighbouring frame (scale relative, translation in model units).
    public var smoothScale = 40.0
    public var smoothTranslation = 60.0
    /// λ on β (the shared shape stays near the mean body).
    public var shapeWeight = 4.0
    /// Levenberg–Marquardt iterations per frame and stage.
    public var maxIterations = 40
    /// Sweeps over the sequence (the first warm-starts from the previous frame, the others refine
    /// with both neighbours), with a β update after each.
    public var passes = 3

    public init() {}

    public static let standard = FitSettings()

    /// One-sided limits (joint, axis, sign): sign·θ[joint, axis] must not go negative.
    /// Knees flex about +X, the left elbow about −Y and the right about +Y (SMPL's rest axes).
    public static let hinges: [(joint: Int, axis: Int, sign: Double)] = [
        (SMPLSkeleton.J.leftKnee, 0, 1), (SMPLSkeleton.J.rightKnee, 0, 1),
        (SMPLSkeleton.J.leftElbow, 1, -1), (SMPLSkeleton.J.rightElbow, 1, 1),
    ]

    public static let defaultPoseWeights: [Double] = {
        typealias J = SMPLSkeleton.J
        var w = [Double](repeating: 0, count: 72)
        func set(_ joint: Int, _ x: Double, _ y: Double, _ z: Double) {
            w[3 * joint] = x; w[3 * joint + 1] = y; w[3 * joint + 2] = z
        }
        for j in [J.leftHip, J.rightHip] { set(j, 1, 2, 1.5) }
        for j in [J.spine1, J.spine2, J.spine3] { set(j, 6, 8, 8) }
        for j in [J.leftKnee, J.rightKnee] { set(j, 0.4, 12, 12) }
        for j in [J.leftAnkle, J.rightAnkle] { set(j, 3, 5, 5) }
        for j in [J.leftFoot, J.rightFoot] { set(j, 15, 15, 15) }
        set(J.neck, 5, 5, 5)
        set(J.head, 2.5, 2.5, 2.5)
        for j in [J.leftCollar, J.rightCollar] { set(j, 10, 10, 10) }
        for j in [J.leftShoulder, J.rightShoulder] { set(j, 1, 1, 1) }
        set(J.leftElbow, 6, 0.4, 10)
        set(J.rightElbow, 6, 0.4, 10)
        for j in [J.leftWrist, J.rightWrist] { set(j, 8, 8, 8) }
        for j in [J.leftHand, J.rightHand] { set(j, 20, 20, 20) }
        return w
    }()
}
