import Testing
@testable import PoseKit

@Suite struct SkeletonTests {
    @Test func body25HasOpenPoseOrderAndNames() {
        #expect(BODY25.names.count == 25)
        #expect(Joint.rWrist.rawValue == 4 && Joint.midHip.rawValue == 8 && Joint.rHeel.rawValue == 24)
        #expect(Joint(name: "rwrist") == .rWrist)
        #expect(Joint(name: "LBigToe") == .lBigToe)
        #expect(Joint(name: "7") == .lWrist)
        #expect(Joint(name: "Elbow") == nil)
        #expect(Joint(name: "25") == nil)
    }

    @Test func limbsFormATreeOverAllJoints() {
        #expect(BODY25.limbs.count == 24)
        // 24 edges over 25 joints, all connected from the neck: a spanning tree.
        var reached: Set<Joint> = [.neck]
        var grew = true
        while grew {
            grew = false
            for (a, b) in BODY25.limbs where reached.contains(a) != reached.contains(b) {
                reached.formUnion([a, b])
                grew = true
            }
        }
        #expect(reached.count == 25)
    }

    @Test func mirrorIsAnInvolutionThatSwapsSides() {
        for joint in Joint.allCases {
            #expect(joint.mirrored.mirrored == joint)
            let name = joint.name
            if name.hasPrefix("R") { #expect(joint.mirrored.name == "L" + name.dropFirst()) }
            if name.hasPrefix("L") { #expect(joint.mirrored.name == "R" + name.dropFirst()) }
        }
        #expect(Joint.nose.mirrored == .nose && Joint.neck.mirrored == .neck && Joint.midHip.mirrored == .midHip)
        #expect(BODY25.leftRightPairs.count == 11)
    }

    @Test func coco18MapsBothWays() {
        let coco = (0..<18).map { Keypoint(x: Double($0) * 10, y: Double($0) * 20 + 5, confidence: 0.5 + Double($0) / 100) }
        let body = COCO18.toBODY25(coco)
        #expect(body.count == 25)
        for (i, joint) in COCO18.toBODY25.enumerated() { #expect(body[joint.rawValue] == coco[i]) }
        // MidHip is the hips' midpoint with the lower confidence; feet are missing.
        let rHip = coco[8], lHip = coco[11]
        #expect(body[Joint.midHip.rawValue].x == (rHip.x + lHip.x) / 2)
        #expect(body[Joint.midHip.rawValue].confidence == min(rHip.confidence, lHip.confidence))
        #expect(body[Joint.midHip.rawValue].provenance == .interpolated)
        for foot: Joint in [.lBigToe, .lSmallToe, .lHeel, .rBigToe, .rSmallToe, .rHeel] { #expect(body[foot.rawValue].isMissing) }
        #expect(COCO18.fromBODY25(body) == coco)
        #expect(COCO18.names[8] == "RHip" && COCO18.names[17] == "LEar")
    }

    @Test func cocoMidHipIsMissingWhenAHipIsMissing() {
        var coco = (0..<18).map { _ in Keypoint(x: 1, y: 2, confidence: 0.9) }
        coco[11] = .missing
        #expect(COCO18.toBODY25(coco)[Joint.midHip.rawValue].isMissing)
    }
}
