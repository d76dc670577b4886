// A synthetic body with SMPL's layout (random arrays, a few hundred vertices, dense-ish skinning,
// shape and pose blend shapes, a sparse joint regressor) — never real SMPL data. Vertices are
// scattered around the built-in body's rest joints so poses look like a person's.
import BodyKit
import PoseKit

public enum SyntheticSMPL {
    public static func make(seed: UInt64 = 7, vertices: Int = 360) -> BodyModel {
        var rng = SplitMix64(seed: seed)
        func uniform(_ range: ClosedRange<Double>) -> Double { Double.random(in: range, using: &rng) }
        let rest = BuiltinBody.model.restJoints(shape: [Double](repeating: 0, count: 10))
        var owner: [Int] = []
        var template: [Double] = []
        for v in 0..<vertices {
            let j = v % 24
            owner.append(j)
            let p = rest[j] + SIMD3(uniform(-0.04...0.04), uniform(-0.04...0.04), uniform(-0.04...0.04))
            template += [p.x, p.y, p.z]
        }
        let shapeDirections = (0..<(vertices * 3 * 10)).map { _ in uniform(-0.01...0.01) }
        let poseDirections = (0..<(vertices * 3 * 207)).map { _ in Float(uniform(-0.005...0.005)) }
        let regressor = (0..<24).map { j in
            let mine = (0..<vertices).filter { owner[$0] == j }
            return mine.map { Weighted($0, 1 / Double(mine.count)) }
        }
        let skinning = (0..<vertices).map { v -> [Weighted] in
            let j = owner[v], p = SMPLSkeleton.parents[j]
            guard p >= 0 else { return [Weighted(j, 1)] }
            let w = uniform(0.55...1)
            return [Weighted(j, w), Weighted(p, 1 - w)]
        }
        let faces = (0..<(vertices * 2 * 3)).map { _ in Int32.random(in: 0..<Int32(vertices), using: &rng) }
        typealias J = SMPLSkeleton.J
        func vertexOf(_ joint: Int, _ n: Int) -> KeypointTerm { KeypointTerm(.vertex(joint + 24 * n)) }
        let keypoints: [[KeypointTerm]] = [
            [vertexOf(J.head, 0)], [KeypointTerm(.joint(J.neck))], [KeypointTerm(.joint(J.rightShoulder))],
            [KeypointTerm(.joint(J.rightElbow))], [KeypointTerm(.joint(J.rightWrist))], [KeypointTerm(.joint(J.leftShoulder))],
            [KeypointTerm(.joint(J.leftElbow))], [KeypointTerm(.joint(J.leftWrist))],
            [KeypointTerm(.joint(J.leftHip), 0.5), KeypointTerm(.joint(J.rightHip), 0.5)],
            [KeypointTerm(.joint(J.rightHip))], [KeypointTerm(.joint(J.rightKnee))], [KeypointTerm(.joint(J.rightAnkle))],
            [KeypointTerm(.joint(J.leftHip))], [KeypointTerm(.joint(J.leftKnee))], [KeypointTerm(.joint(J.leftAnkle))],
            [vertexOf(J.head, 1)], [vertexOf(J.head, 2)], [vertexOf(J.head, 3)], [vertexOf(J.head, 4)],
            [vertexOf(J.leftFoot, 0)], [vertexOf(J.leftFoot, 1)], [vertexOf(J.leftAnkle, 2)],
            [vertexOf(J.rightFoot, 0)], [vertexOf(J.rightFoot, 1)], [vertexOf(J.rightAnkle, 2)],
        ]
        return try! BodyModel(kind: .smpl(path: "<synthetic>"), source: "synthetic SMPL-layout body", template: template,
                              faces: faces, shapeDirections: shapeDirections, poseDirections: poseDirections,
                              jointRegressor: regressor, skinning: skinning, keypoints: keypoints)
    }
}
