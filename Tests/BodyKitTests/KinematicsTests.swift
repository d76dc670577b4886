// Rodrigues, forward kinematics and skinning on hand-computable poses of the built-in body.
import Testing
@testable import BodyKit

func distance(_ a: SIMD3<Double>, _ b: SIMD3<Double>) -> Double { ((a - b) * (a - b)).sum().squareRoot() }

@Suite struct RodriguesTests {
    @Test func matrixIsARotationAndMatchesKnownAngles() {
        let r = Rodrigues.matrix(SIMD3(0, 0, Double.pi / 2))
        let x = r * SIMD3<Double>(1, 0, 0)
        #expect(distance(x, SIMD3(0, 1, 0)) < 1e-12, "90° about Z takes X to Y")
        for theta in [SIMD3<Double>(0.3, -1.2, 0.7), SIMD3(3.0, 0.1, -0.2), SIMD3(1e-9, 0, 2e-9)] {
            let m = Rodrigues.matrix(theta)
            let mtm = m.transposed * m
            for i in 0..<9 { #expect(abs(mtm.m[i] - Mat3.identity.m[i]) < 1e-12) }
            let back = Rodrigues.vector(m)
            #expect(distance(back, theta) < 1e-9, "axis-angle round trip of \(theta)")
        }
    }

    @Test func derivativesMatchFiniteDifferences() {
        for theta in [SIMD3<Double>(0.3, -1.2, 0.7), SIMD3(Double.pi, 0.05, 0), SIMD3(2e-7, -1e-7, 3e-7), SIMD3(0, 0, 0)] {
            let analytic = Rodrigues.derivatives(theta)
            for i in 0..<3 {
                let h = 1e-6
                var plus = theta, minus = theta
                plus[i] += h
                minus[i] -= h
                let a = Rodrigues.matrix(plus), b = Rodrigues.matrix(minus)
                for e in 0..<9 {
                    let numeric = (a.m[e] - b.m[e]) / (2 * h)
                    #expect(abs(numeric - analytic[i].m[e]) < 1e-6, "∂R[\(e)]/∂θ\(i) at \(theta)")
                }
            }
        }
    }

    @Test func nearPiTheVectorKeepsItsAxis() {
        let theta = SIMD3<Double>(Double.pi - 1e-6, 0, 0)
        #expect(distance(Rodrigues.vector(Rodrigues.matrix(theta)), theta) < 1e-6)
        #expect(distance(Rodrigues.wrapped(SIMD3(0, 0, 1.5 * Double.pi)), SIMD3(0, 0, -0.5 * Double.pi)) < 1e-12)
    }
}

@Suite struct ForwardKinematicsTests {
    let body = BuiltinBody.model
    let zeroShape = [Double](repeating: 0, count: 10)

    @Test func restPoseGivesTheTemplateAndTheRegressedJoints() {
        let posed = body.posed(pose: [Double](repeating: 0, count: 72), shape: zeroShape)
        var worst = 0.0
        for i in 0..<body.vertexCount { worst = max(worst, distance(posed.vertices[i], body.templateVertex(i))) }
        #expect(worst < 1e-12)
        let joints = body.restJoints(shape: zeroShape)
        for j in 0..<24 { #expect(distance(posed.joints[j], joints[j]) < 1e-12) }
        // The rest joints sit where the built-in body puts them.
        typealias J = SMPLSkeleton.J
        #expect(distance(joints[J.pelvis], SIMD3(0, 0, 0)) < 1e-12)
        #expect(distance(joints[J.leftElbow], SIMD3(0.43, 0.43, 0)) < 1e-12)
        #expect(distance(joints[J.leftWrist], SIMD3(0.68, 0.43, 0)) < 1e-12)
        #expect(distance(joints[J.rightKnee], SIMD3(-0.09, -0.50, 0)) < 1e-12)
    }

    @Test func ninetyDegreeElbowMovesTheWristForward() {
        typealias J = SMPLSkeleton.J
        var theta = [Double](repeating: 0, count: 72)
        theta[3 * J.leftElbow + 1] = -Double.pi / 2   // flexion of the left elbow: forearm to the front (+Z)
        let posed = body.posed(pose: theta, shape: zeroShape)
        // Wrist: elbow + R_y(−90°)·(0.25, 0, 0) = (0.43, 0.43, 0.25); the hand joint follows, 0.09 further.
        #expect(distance(posed.joints[J.leftWrist], SIMD3(0.43, 0.43, 0.25)) < 1e-12)
        #expect(distance(posed.joints[J.leftHand], SIMD3(0.43, 0.43, 0.34)) < 1e-12)
        #expect(distance(posed.joints[J.rightWrist], SIMD3(-0.68, 0.43, 0)) < 1e-12, "the other arm stays")
        #expect(distance(posed.keypoints[7], posed.joints[J.leftWrist]) < 1e-12, "LWrist keypoint = left wrist joint")
        // A vertex bound only to the forearm turns rigidly with it.
        let forearm = (0..<body.vertexCount).first { body.skinning[$0] == [Weighted(J.leftElbow, 1)] }!
        let rest = body.templateVertex(forearm) - SIMD3(0.43, 0.43, 0)
        let expected = SIMD3(0.43, 0.43, 0) + SIMD3(-rest.z, rest.y, rest.x)
        #expect(distance(posed.vertices[forearm], expected) < 1e-12)
    }

    @Test func globalOrientationTurnsAboutThePelvis() {
        var theta = [Double](repeating: 0, count: 72)
        theta[0] = Double.pi   // the camera-frame flip: y down, z away
        let posed = body.posed(pose: theta, shape: zeroShape)
        let rest = body.restJoints(shape: zeroShape)
        for j in 0..<24 {
            #expect(distance(posed.joints[j], SIMD3(rest[j].x, -rest[j].y, -rest[j].z)) < 1e-12)
        }
    }

    @Test func kneeBendCarriesTheFootBackwards() {
        typealias J = SMPLSkeleton.J
        var theta = [Double](repeating: 0, count: 72)
        theta[3 * J.rightKnee] = Double.pi / 2   // flexion: positive about X
        let posed = body.posed(pose: theta, shape: zeroShape)
        // Ankle: knee + R_x(90°)·(0, −0.39, 0) = (−0.09, −0.50, −0.39).
        #expect(distance(posed.joints[J.rightAnkle], SIMD3(-0.09, -0.50, -0.39)) < 1e-12)
    }
}
