// Skeletons: OpenPose BODY_25 (posestudio's internal format, the renderer's) and COCO-18, with an
// explicit mapping both ways. Joint order is OpenPose's; x to the right, y down, in pixels.

/// A BODY_25 joint, in OpenPose order (raw value = index in `pose_keypoints_2d` / 3).
public enum Joint: Int, CaseIterable, Sendable, Codable, CustomStringConvertible {
    case nose, neck, rShoulder, rElbow, rWrist, lShoulder, lElbow, lWrist, midHip,
         rHip, rKnee, rAnkle, lHip, lKnee, lAnkle, rEye, lEye, rEar, lEar,
         lBigToe, lSmallToe, lHeel, rBigToe, rSmallToe, rHeel

    /// OpenPose's name ("RWrist", "LBigToe", …).
    public var name: String { BODY25.names[rawValue] }
    public var description: String { name }

    /// Looks a joint up by its OpenPose name, case-insensitively ("rwrist" works), or by index.
    public init?(name: String) {
        let lowered = name.lowercased()
        if let index = BODY25.names.firstIndex(where: { $0.lowercased() == lowered }) {
            self.init(rawValue: index)
        } else if let index = Int(name), let joint = Joint(rawValue: index) {
            self = joint
        } else {
            return nil
        }
    }

    /// The same joint on the other side of the body (itself for Nose, Neck, MidHip).
    public var mirrored: Joint { BODY25.mirror[rawValue] }
}

public enum BODY25 {
    public static let jointCount = 25
    public static let names = [
        "Nose", "Neck", "RShoulder", "RElbow", "RWrist", "LShoulder", "LElbow", "LWrist", "MidHip",
        "RHip", "RKnee", "RAnkle", "LHip", "LKnee", "LAnkle", "REye", "LEye", "REar", "LEar",
        "LBigToe", "LSmallToe", "LHeel", "RBigToe", "RSmallToe", "RHeel",
    ]

    /// Limbs as OpenPose draws them (its BODY_25 pose pairs without the two ear–shoulder PAF-only pairs).
    public static let limbs: [(Joint, Joint)] = [
        (.neck, .midHip), (.neck, .rShoulder), (.neck, .lShoulder), (.rShoulder, .rElbow),
        (.rElbow, .rWrist), (.lShoulder, .lElbow), (.lElbow, .lWrist), (.midHip, .rHip),
        (.rHip, .rKnee), (.rKnee, .rAnkle), (.midHip, .lHip), (.lHip, .lKnee), (.lKnee, .lAnkle),
        (.neck, .nose), (.nose, .rEye), (.rEye, .rEar), (.nose, .lEye), (.lEye, .lEar),
        (.lAnkle, .lBigToe), (.lBigToe, .lSmallToe), (.lAnkle, .lHeel),
        (.rAnkle, .rBigToe), (.rBigToe, .rSmallToe), (.rAnkle, .rHeel),
    ]

    /// Left/right pairs as (right, left).
    public static let leftRightPairs: [(right: Joint, left: Joint)] = [
        (.rShoulder, .lShoulder), (.rElbow, .lElbow), (.rWrist, .lWrist), (.rHip, .lHip),
        (.rKnee, .lKnee), (.rAnkle, .lAnkle), (.rEye, .lEye), (.rEar, .lEar),
        (.rBigToe, .lBigToe), (.rSmallToe, .lSmallToe), (.rHeel, .lHeel),
    ]

    /// The right joint of every left/right pair: the `pairs` of a whole-body swap.
    public static let rightJoints: [Joint] = leftRightPairs.map(\.right)

    /// Names for groups of left/right pairs (by their right joints), as `swap --pair` and `:swap
    /// pair=` take them.
    public static let swapPairNames: [String: [Joint]] = [
        "shoulder": [.rShoulder], "elbow": [.rElbow], "wrist": [.rWrist], "hip": [.rHip], "knee": [.rKnee],
        "ankle": [.rAnkle], "eye": [.rEye], "ear": [.rEar], "bigtoe": [.rBigToe], "smalltoe": [.rSmallToe], "heel": [.rHeel],
        "arm": [.rShoulder, .rElbow, .rWrist], "leg": [.rHip, .rKnee, .rAnkle, .rBigToe, .rSmallToe, .rHeel],
        "all": rightJoints,
    ]

    static let mirror: [Joint] = {
        var table = Joint.allCases
        for (r, l) in leftRightPairs {
            table[r.rawValue] = l
            table[l.rawValue] = r
        }
        return table
    }()
}

/// OpenPose's COCO-18 model: the 18 joints of BODY_25 without MidHip and the feet.
public enum COCO18 {
    public static let jointCount = 18
    /// COCO-18 index → BODY_25 joint.
    public static let toBODY25: [Joint] = [
        .nose, .neck, .rShoulder, .rElbow, .rWrist, .lShoulder, .lElbow, .lWrist,
        .rHip, .rKnee, .rAnkle, .lHip, .lKnee, .lAnkle, .rEye, .lEye, .rEar, .lEar,
    ]
    public static let names = toBODY25.map(\.name)

    /// Maps one COCO-18 pose to BODY_25. MidHip is the midpoint of the hips when both are present
    /// (confidence = the lower of the two, provenance interpolated); the six foot joints are missing.
    public static func toBODY25(_ coco: [Keypoint]) -> [Keypoint] {
        precondition(coco.count == jointCount, "COCO-18 pose needs \(jointCount) keypoints, got \(coco.count)")
        var body = [Keypoint](repeating: .missing, count: BODY25.jointCount)
        for (i, joint) in toBODY25.enumerated() { body[joint.rawValue] = coco[i] }
        let rHip = body[Joint.rHip.rawValue], lHip = body[Joint.lHip.rawValue]
        if !rHip.isMissing && !lHip.isMissing {
            body[Joint.midHip.rawValue] = Keypoint(
                x: (rHip.x + lHip.x) / 2, y: (rHip.y + lHip.y) / 2,
                confidence: min(rHip.confidence, lHip.confidence), provenance: .interpolated)
        }
        return body
    }

    /// Maps one BODY_25 pose to COCO-18 (drops MidHip and the feet).
    public static func fromBODY25(_ body: [Keypoint]) -> [Keypoint] {
        precondition(body.count == BODY25.jointCount, "BODY_25 pose needs 25 keypoints, got \(body.count)")
        return toBODY25.map { body[$0.rawValue] }
    }
}
