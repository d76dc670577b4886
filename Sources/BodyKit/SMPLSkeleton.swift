// The SMPL 24-joint tree every body model of posestudio shares: joint order, names and parents
// (row 0 of SMPL's `kintree_table`), and the sizes of θ (24 axis-angle triples) and β (10).
// "Left" is the subject's own left, +X in the canonical (Y up, facing +Z) template frame.

public enum SMPLSkeleton {
    public static let jointCount = 24
    public static let poseCount = 72
    public static let shapeCount = 10
    /// Entries of (R_j − I) for joints 1…23: the pose blend-shape feature vector.
    public static let poseFeatureCount = 207

    public static let names = [
        "pelvis", "left_hip", "right_hip", "spine1", "left_knee", "right_knee", "spine2",
        "left_ankle", "right_ankle", "spine3", "left_foot", "right_foot", "neck", "left_collar",
        "right_collar", "head", "left_shoulder", "right_shoulder", "left_elbow", "right_elbow",
        "left_wrist", "right_wrist", "left_hand", "right_hand",
    ]

    /// Parent of each joint; -1 for the root (pelvis). Parents always precede their children.
    public static let parents = [-1, 0, 0, 0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 9, 9, 12, 13, 14, 16, 17, 18, 19, 20, 21]

    /// `isAncestor[k][j]`: joint k is j itself or on the path from j to the root.
    public static let isAncestor: [[Bool]] = {
        var table = [[Bool]](repeating: [Bool](repeating: false, count: jointCount), count: jointCount)
        for j in 0..<jointCount {
            var k = j
            while k >= 0 {
                table[k][j] = true
                k = parents[k]
            }
        }
        return table
    }()

    /// Joint indices by name, for readable code.
    public enum J {
        public static let pelvis = 0, leftHip = 1, rightHip = 2, spine1 = 3, leftKnee = 4, rightKnee = 5
        public static let spine2 = 6, leftAnkle = 7, rightAnkle = 8, spine3 = 9, leftFoot = 10, rightFoot = 11
        public static let neck = 12, leftCollar = 13, rightCollar = 14, head = 15
        public static let leftShoulder = 16, rightShoulder = 17, leftElbow = 18, rightElbow = 19
        public static let leftWrist = 20, rightWrist = 21, leftHand = 22, rightHand = 23
    }
}
