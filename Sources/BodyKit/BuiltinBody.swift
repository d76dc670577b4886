// posestudio's own stand-in body (no SMPL data): a procedural closed mesh of rounded tubes —
// torso, neck, head, arms, hands, legs, feet — in SMPL's canonical T-pose (Y up, facing +Z, left
// at +X, pelvis at the origin, about 1.76 tall). Rigged to the 24 SMPL joints: joints are ring
// centres (so the regressor follows β), skinning weights blend linearly across each joint, and
// ten linear shape directions give plausible proportions (see `shapeDirection`). No pose blend
// shapes. Deterministic: the same build gives the same mesh bit for bit.
import Foundation

public enum BuiltinBody {
    /// The built-in body, built once.
    public static let model: BodyModel = {
        do { return try build() } catch { preconditionFailure("the built-in body is inconsistent: \(error)") }
    }()

    /// What each β component does (documented in Docs/bodies.md).
    public static let shapeMeanings = [
        "overall size (±6 % per unit)", "shoulder width", "hip width", "leg length", "arm length",
        "torso length", "girth", "head size", "neck length", "shoulder height",
    ]

    /// The body part each vertex belongs to (same order as the vertices).
    public static var vertexParts: [Part] { built.parts }

    public enum Part: Int, CaseIterable, Sendable {
        case torso, neck, head, leftArm, rightArm, leftHand, rightHand, leftLeg, rightLeg, leftFoot, rightFoot
    }

    // MARK: generation

    /// A cross-section of a tube: centre, half-extent along the tube's e1 and e2 directions, and the
    /// joint whose regressor uses this exact ring (if any).
    struct Station {
        var centre: SIMD3<Double>
        var a: Double
        var b: Double
        var tag: String? = nil
    }

    /// A closed tube with rounded (half-ellipsoid) caps at both ends.
    struct Tube {
        var part: Part
        var stations: [Station]
        var axis: SIMD3<Double>
        var e1: SIMD3<Double>
        var startCap: Double
        var endCap: Double
        var around: Int
        var capRings: Int = 4
        /// Skinning weights of a rest-pose position.
        var weights: (SIMD3<Double>) -> [Weighted]
    }

    struct Built {
        var template: [SIMD3<Double>] = []
        var axisPoints: [SIMD3<Double>] = []
        var parts: [Part] = []
        var faces: [Int32] = []
        var skinning: [[Weighted]] = []
        var rings: [String: [Int]] = [:]
    }

    static let built: Built = {
        var out = Built()
        for tube in tubes() { add(tube, to: &out) }
        return out
    }()

    static let step = 0.025

    static func add(_ tube: Tube, to out: inout Built) {
        let d = tube.axis / (tube.axis * tube.axis).sum().squareRoot()
        let e1 = tube.e1
        let e2 = SIMD3(d.y * e1.z - d.z * e1.y, d.z * e1.x - d.x * e1.z, d.x * e1.y - d.y * e1.x)
        // Rings: start cap, interpolated stations, end cap.
        var rings: [Station] = []
        let first = tube.stations.first!, last = tube.stations.last!
        for k in stride(from: tube.capRings - 1, through: 1, by: -1) {
            let phi = Double(k) * .pi / 2 / Double(tube.capRings)
            rings.append(Station(centre: first.centre - d * (tube.startCap * sin(phi)), a: first.a * cos(phi), b: first.b * cos(phi)))
        }
        for (i, station) in tube.stations.enumerated() {
            if i > 0 {
                let previous = tube.stations[i - 1]
                let length = ((station.centre - previous.centre) * (station.centre - previous.centre)).sum().squareRoot()
                let pieces = max(1, Int((length / step).rounded(.up)))
                for p in 1..<pieces {
                    let f = Double(p) / Double(pieces)
                    rings.append(Station(centre: previous.centre + (station.centre - previous.centre) * f,
                                         a: previous.a + (station.a - previous.a) * f, b: previous.b + (station.b - previous.b) * f))
                }
            }
            rings.append(station)
        }
        for k in 1..<tube.capRings {
            let phi = Double(k) * .pi / 2 / Double(tube.capRings)
            rings.append(Station(centre: last.centre + d * (tube.endCap * sin(phi)), a: last.a * cos(phi), b: last.b * cos(phi)))
        }
        func vertex(_ p: SIMD3<Double>, axisPoint: SIMD3<Double>) -> Int32 {
            out.template.append(p)
            out.axisPoints.append(axisPoint)
            out.parts.append(tube.part)
            out.skinning.append(tube.weights(p))
            return Int32(out.template.count - 1)
        }
        let startPole = vertex(first.centre - d * tube.startCap, axisPoint: first.centre)
        var ringStarts: [Int32] = []
        let m = tube.around
        for ring in rings {
            let start = Int32(out.template.count)
            ringStarts.append(start)
            for i in 0..<m {
                let phi = 2 * Double.pi * Double(i) / Double(m)
                _ = vertex(ring.centre + e1 * (ring.a * cos(phi)) + e2 * (ring.b * sin(phi)), axisPoint: ring.centre)
            }
            if let tag = ring.tag { out.rings[tag] = (0..<m).map { Int(start) + $0 } }
        }
        let endPole = vertex(last.centre + d * tube.endCap, axisPoint: last.centre)
        // Outward normals by the right-hand rule: e1 × e2 = d, rings run counter-clockwise about d.
        let m32 = Int32(m)
        for i in 0..<m32 {
            let n = (i + 1) % m32
            out.faces += [startPole, ringStarts[0] + n, ringStarts[0] + i]
        }
        for r in 0..<(ringStarts.count - 1) {
            let a = ringStarts[r], b = ringStarts[r + 1]
            for i in 0..<m32 {
                let n = (i + 1) % m32
                out.faces += [a + i, a + n, b + i]
                out.faces += [a + n, b + n, b + i]
            }
        }
        let lastRing = ringStarts.last!
        for i in 0..<m32 {
            let n = (i + 1) % m32
            out.faces += [endPole, lastRing + i, lastRing + n]
        }
    }

    /// Piecewise-linear blend along a coordinate: controls (t, joint) in increasing t.
    static func along(_ t: Double, _ controls: [(Double, Int)]) -> [Weighted] {
        if t <= controls[0].0 { return [Weighted(controls[0].1, 1)] }
        for i in 1..<controls.count where t < controls[i].0 {
            let (t0, j0) = controls[i - 1], (t1, j1) = controls[i]
            let f = (t - t0) / (t1 - t0)
            return j0 == j1 ? [Weighted(j0, 1)] : [Weighted(j0, 1 - f), Weighted(j1, f)]
        }
        return [Weighted(controls.last!.1, 1)]
    }

    /// (1 − f)·a + f·b, merging equal joints.
    static func mix(_ a: [Weighted], _ b: [Weighted], _ f: Double) -> [Weighted] {
        guard f > 0 else { return a }
        guard f < 1 else { return b }
        var total: [Int: Double] = [:]
        for w in a { total[w.index, default: 0] += (1 - f) * w.weight }
        for w in b { total[w.index, default: 0] += f * w.weight }
        return total.keys.sorted().map { Weighted($0, total[$0]!) }
    }

    /// 0 below `from`, 1 above `to`, linear between.
    static func ramp(_ x: Double, _ from: Double, _ to: Double) -> Double {
        min(1, max(0, (x - from) / (to - from)))
    }

    static let shoulderY = 0.43

    static func tubes() -> [Tube] {
        typealias J = SMPLSkeleton.J
        let X = SIMD3<Double>(1, 0, 0), Y = SIMD3<Double>(0, 1, 0), Z = SIMD3<Double>(0, 0, 1)
        var tubes: [Tube] = []
        let torso: [(Double, Double, Double, String?)] = [
            (-0.16, 0.125, 0.085, nil), (-0.08, 0.165, 0.105, nil), (0.0, 0.17, 0.11, "pelvis"),
            (0.11, 0.15, 0.10, "spine1"), (0.18, 0.145, 0.095, nil), (0.24, 0.155, 0.10, "spine2"),
            (0.30, 0.165, 0.105, "spine3"), (0.38, 0.175, 0.105, nil), (0.42, 0.17, 0.095, "collar"),
            (0.46, 0.14, 0.075, nil), (0.49, 0.08, 0.055, nil),
        ]
        tubes.append(Tube(part: .torso, stations: torso.map { Station(centre: SIMD3(0, $0.0, 0), a: $0.1, b: $0.2, tag: $0.3) },
                          axis: Y, e1: -X, startCap: 0.03, endCap: 0.03, around: 28) { p in
            let spine = along(p.y, [(-0.02, J.pelvis), (0.10, J.spine1), (0.22, J.spine2), (0.34, J.spine3), (0.47, J.spine3), (0.52, J.neck)])
            let side = p.x >= 0 ? 1 : -1
            let collar = ramp(abs(p.x), 0.10, 0.17) * ramp(p.y, 0.36, 0.42)
            let hip = ramp(-p.y, 0.04, 0.15) * ramp(abs(p.x), 0.02, 0.10)
            let upper = mix(spine, [Weighted(side > 0 ? J.leftCollar : J.rightCollar, 1)], collar)
            return mix(upper, [Weighted(side > 0 ? J.leftHip : J.rightHip, 1)], hip)
        })
        let neck: [(Double, Double, String?)] = [(0.46, 0.055, nil), (0.52, 0.05, "neck"), (0.59, 0.047, "head"), (0.62, 0.045, nil)]
        tubes.append(Tube(part: .neck, stations: neck.map { Station(centre: SIMD3(0, $0.0, -0.005), a: $0.1, b: $0.1, tag: $0.2) },
                          axis: Y, e1: -X, startCap: 0.01, endCap: 0.01, around: 16, capRings: 2) { p in
            along(p.y, [(0.47, J.spine3), (0.52, J.neck), (0.58, J.neck), (0.62, J.head)])
        })
        tubes.append(Tube(part: .head, stations: [Station(centre: headCentre, a: 0.077, b: 0.095)],
                          axis: Y, e1: -X, startCap: 0.11, endCap: 0.11, around: 24, capRings: 8) { _ in [Weighted(J.head, 1)] })
        for side in [1.0, -1.0] {
            let left = side > 0
            let arm: [(Double, Double, Double, String?)] = [
                (0.11, 0.055, 0.055, nil), (0.15, 0.058, 0.058, "collar-arm"), (0.17, 0.057, 0.057, "shoulder"),
                (0.30, 0.046, 0.048, nil), (0.43, 0.037, 0.04, "elbow"), (0.55, 0.035, 0.037, nil), (0.68, 0.025, 0.03, "wrist"),
            ]
            let name = left ? "left-" : "right-"
            let (collar, shoulder, elbow, wrist, hand) = left
                ? (J.leftCollar, J.leftShoulder, J.leftElbow, J.leftWrist, J.leftHand)
                : (J.rightCollar, J.rightShoulder, J.rightElbow, J.rightWrist, J.rightHand)
            tubes.append(Tube(part: left ? .leftArm : .rightArm,
                              stations: arm.map { Station(centre: SIMD3(side * $0.0, shoulderY, 0), a: $0.1, b: $0.2, tag: $0.3.map { name + $0 }) },
                              axis: side * X, e1: Y, startCap: 0.02, endCap: 0.02, around: 16) { p in
                along(side * p.x, [(0.12, collar), (0.19, shoulder), (0.39, shoulder), (0.47, elbow), (0.64, elbow), (0.69, wrist)])
            })
            tubes.append(Tube(part: left ? .leftHand : .rightHand,
                              stations: [Station(centre: SIMD3(side * 0.77, shoulderY, 0), a: 0.022, b: 0.048, tag: name + "hand")],
                              axis: side * X, e1: Y, startCap: 0.075, endCap: 0.075, around: 12, capRings: 5) { p in
                along(side * p.x, [(0.75, wrist), (0.80, hand)])
            })
            let leg: [(Double, Double, Double, String?)] = [
                (-0.02, 0.08, 0.085, nil), (-0.08, 0.085, 0.09, "hip"), (-0.25, 0.072, 0.078, nil), (-0.40, 0.058, 0.062, nil),
                (-0.50, 0.05, 0.055, "knee"), (-0.62, 0.052, 0.058, nil), (-0.80, 0.038, 0.042, nil), (-0.89, 0.033, 0.037, "ankle"),
            ]
            let (hip, knee, ankle, foot) = left
                ? (J.leftHip, J.leftKnee, J.leftAnkle, J.leftFoot) : (J.rightHip, J.rightKnee, J.rightAnkle, J.rightFoot)
            tubes.append(Tube(part: left ? .leftLeg : .rightLeg,
                              stations: leg.map { Station(centre: SIMD3(side * hipX, $0.0, 0), a: $0.1, b: $0.2, tag: $0.3.map { name + $0 }) },
                              axis: -Y, e1: X, startCap: 0.02, endCap: 0.03, around: 20) { p in
                along(-p.y, [(0.0, J.pelvis), (0.07, hip), (0.46, hip), (0.54, knee), (0.85, knee), (0.91, ankle)])
            })
            tubes.append(Tube(part: left ? .leftFoot : .rightFoot,
                              stations: [Station(centre: SIMD3(side * hipX, footY, 0.0), a: 0.042, b: 0.035),
                                         Station(centre: SIMD3(side * hipX, footY, 0.12), a: 0.046, b: 0.026, tag: name + "foot")],
                              axis: Z, e1: X, startCap: 0.08, endCap: 0.07, around: 16) { p in
                along(p.z, [(0.07, ankle), (0.12, foot)])
            })
        }
        return tubes
    }

    static let headCentre = SIMD3<Double>(0, 0.67, 0.015)
    static let hipX = 0.09
    static let footY = -0.945

    /// Joint regressor rows as (ring tag, weight): each joint is a weighted mean of ring centres.
    static let jointRings: [[(String, Double)]] = [
        [("pelvis", 1)], [("left-hip", 1)], [("right-hip", 1)], [("spine1", 1)], [("left-knee", 1)], [("right-knee", 1)],
        [("spine2", 1)], [("left-ankle", 1)], [("right-ankle", 1)], [("spine3", 1)], [("left-foot", 1)], [("right-foot", 1)],
        [("neck", 1)], [("collar", 0.5), ("left-collar-arm", 0.5)], [("collar", 0.5), ("right-collar-arm", 0.5)], [("head", 1)],
        [("left-shoulder", 1)], [("right-shoulder", 1)], [("left-elbow", 1)], [("right-elbow", 1)],
        [("left-wrist", 1)], [("right-wrist", 1)], [("left-hand", 1)], [("right-hand", 1)],
    ]

    /// Where the vertex-based BODY_25 keypoints sit on the rest mesh (the nearest vertex of the part is used).
    static let keypointTargets: [Int: (Part, SIMD3<Double>)] = [
        0: (.head, SIMD3(0, 0.645, 0.11)),
        15: (.head, SIMD3(-0.032, 0.68, 0.10)), 16: (.head, SIMD3(0.032, 0.68, 0.10)),
        17: (.head, SIMD3(-0.077, 0.66, 0.015)), 18: (.head, SIMD3(0.077, 0.66, 0.015)),
        19: (.leftFoot, SIMD3(0.07, -0.95, 0.19)), 20: (.leftFoot, SIMD3(0.115, -0.95, 0.16)), 21: (.leftFoot, SIMD3(0.09, -0.965, -0.08)),
        22: (.rightFoot, SIMD3(-0.07, -0.95, 0.19)), 23: (.rightFoot, SIMD3(-0.115, -0.95, 0.16)), 24: (.rightFoot, SIMD3(-0.09, -0.965, -0.08)),
    ]

    /// Joint-based BODY_25 keypoints: Neck = mid-shoulders and MidHip = mid-hips (the detectors'
    /// definitions), the limbs at their SMPL joints.
    static let keypointJoints: [Int: [KeypointTerm]] = {
        typealias J = SMPLSkeleton.J
        return [
            1: [KeypointTerm(.joint(J.leftShoulder), 0.5), KeypointTerm(.joint(J.rightShoulder), 0.5)],
            2: [KeypointTerm(.joint(J.rightShoulder))], 3: [KeypointTerm(.joint(J.rightElbow))], 4: [KeypointTerm(.joint(J.rightWrist))],
            5: [KeypointTerm(.joint(J.leftShoulder))], 6: [KeypointTerm(.joint(J.leftElbow))], 7: [KeypointTerm(.joint(J.leftWrist))],
            8: [KeypointTerm(.joint(J.leftHip), 0.5), KeypointTerm(.joint(J.rightHip), 0.5)],
            9: [KeypointTerm(.joint(J.rightHip))], 10: [KeypointTerm(.joint(J.rightKnee))], 11: [KeypointTerm(.joint(J.rightAnkle))],
            12: [KeypointTerm(.joint(J.leftHip))], 13: [KeypointTerm(.joint(J.leftKnee))], 14: [KeypointTerm(.joint(J.leftAnkle))],
        ]
    }()

    /// ∂(rest vertex)/∂β_b for a vertex at `p` of `part` whose tube axis passes through `axisPoint`.
    static func shapeDirection(_ b: Int, p: SIMD3<Double>, part: Part, axisPoint: SIMD3<Double>) -> SIMD3<Double> {
        let sx: Double = p.x >= 0 ? 1 : -1
        let arm = [.leftArm, .rightArm].contains(part), hand = [.leftHand, .rightHand].contains(part)
        let leg = [.leftLeg, .rightLeg].contains(part), foot = [.leftFoot, .rightFoot].contains(part)
        switch b {
        case 0: // overall size
            return 0.06 * p
        case 1: // shoulder width
            if arm || hand { return SIMD3(0.025 * sx, 0, 0) }
            if part == .torso { return SIMD3(0.025 * p.x / 0.17 * ramp(p.y, 0.28, 0.40), 0, 0) }
        case 2: // hip width
            if leg || foot { return SIMD3(0.02 * sx, 0, 0) }
            if part == .torso { return SIMD3(0.02 * p.x / 0.17 * (1 - ramp(p.y, -0.04, 0.14)), 0, 0) }
        case 3: // leg length
            if leg { return SIMD3(0, -0.05 * ramp(-p.y, 0.08, 0.89), 0) }
            if foot { return SIMD3(0, -0.05, 0) }
        case 4: // arm length
            if arm { return SIMD3(0.04 * sx * ramp(abs(p.x), 0.17, 0.68), 0, 0) }
            if hand { return SIMD3(0.04 * sx, 0, 0) }
        case 5: // torso length
            if part == .torso { return SIMD3(0, 0.04 * ramp(p.y, 0, 0.45), 0) }
            if part == .neck || part == .head || arm || hand { return SIMD3(0, 0.04, 0) }
        case 6: // girth
            if part == .torso || part == .neck || arm || leg { return 0.12 * (p - axisPoint) }
        case 7: // head size
            if part == .head { return 0.1 * (p - headCentre) }
        case 8: // neck length
            if part == .head { return SIMD3(0, 0.025, 0) }
            if part == .neck { return SIMD3(0, 0.025 * ramp(p.y, 0.46, 0.62), 0) }
        case 9: // shoulder height
            if arm || hand { return SIMD3(0, 0.02, 0) }
            if part == .torso { return SIMD3(0, 0.02 * ramp(abs(p.x), 0.10, 0.17) * ramp(p.y, 0.36, 0.42), 0) }
        default:
            break
        }
        return .zero
    }

    static func build() throws(BodyModelError) -> BodyModel {
        let b = built
        let v = b.template.count
        var shapeDirections = [Double](repeating: 0, count: v * 3 * SMPLSkeleton.shapeCount)
        for i in 0..<v {
            for s in 0..<SMPLSkeleton.shapeCount {
                let d = shapeDirection(s, p: b.template[i], part: b.parts[i], axisPoint: b.axisPoints[i])
                for axis in 0..<3 { shapeDirections[(3 * i + axis) * SMPLSkeleton.shapeCount + s] = d[axis] }
            }
        }
        let regressor = jointRings.map { rings in
            rings.flatMap { tag, weight in
                let ring = b.rings[tag]!
                return ring.map { Weighted($0, weight / Double(ring.count)) }
            }
        }
        var keypoints: [[KeypointTerm]] = []
        for k in 0..<25 {
            if let terms = keypointJoints[k] {
                keypoints.append(terms)
            } else {
                let (part, target) = keypointTargets[k]!
                func distance(_ i: Int) -> Double {
                    let d: SIMD3<Double> = b.template[i] - target
                    return (d * d).sum()
                }
                let nearest = (0..<v).filter { b.parts[$0] == part }.min { distance($0) < distance($1) }!
                keypoints.append([KeypointTerm(.vertex(nearest))])
            }
        }
        return try BodyModel(kind: .builtin, source: "built-in body", template: b.template.flatMap { [$0.x, $0.y, $0.z] },
                             faces: b.faces, shapeDirections: shapeDirections, poseDirections: [],
                             jointRegressor: regressor, skinning: b.skinning, keypoints: keypoints)
    }
}
