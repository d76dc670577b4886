// The built-in stand-in body: a closed, outward-wound mesh of a few thousand vertices rigged to
// the 24 joints, that looks like a person from the front and the side, with β as proportions.
import Testing
@testable import BodyKit

@Suite struct BuiltinBodyTests {
    let body = BuiltinBody.model
    let zeroShape = [Double](repeating: 0, count: 10)

    @Test func meshIsClosedAndWoundOutwards() {
        #expect((2000...8000).contains(body.vertexCount))
        // Every directed edge appears once and its reverse once: closed and consistently wound.
        var edges: [Int64: Int] = [:]
        let f = body.faces.map(Int64.init)
        for t in stride(from: 0, to: f.count, by: 3) {
            for (a, b) in [(f[t], f[t + 1]), (f[t + 1], f[t + 2]), (f[t + 2], f[t])] { edges[a << 32 | b, default: 0] += 1 }
        }
        #expect(edges.values.allSatisfy { $0 == 1 }, "no directed edge twice")
        #expect(edges.keys.allSatisfy { edges[($0 & 0xFFFF_FFFF) << 32 | ($0 >> 32)] == 1 }, "every edge has its reverse")
        // Outward winding: each part's signed volume is positive.
        var volumes = [Double](repeating: 0, count: BuiltinBody.Part.allCases.count)
        for t in stride(from: 0, to: body.faces.count, by: 3) {
            let a = body.templateVertex(Int(body.faces[t])), b = body.templateVertex(Int(body.faces[t + 1])), c = body.templateVertex(Int(body.faces[t + 2]))
            let cross = SIMD3(b.y * c.z - b.z * c.y, b.z * c.x - b.x * c.z, b.x * c.y - b.y * c.x)
            volumes[BuiltinBody.vertexParts[Int(body.faces[t])].rawValue] += (a * cross).sum() / 6
        }
        #expect(volumes.allSatisfy { $0 > 0 }, "\(volumes)")
        #expect((0.04...0.12).contains(volumes.reduce(0, +)), "a person's volume in m³: \(volumes.reduce(0, +))")
    }

    @Test func restBodyIsAboutOnePointSevenSixTall() {
        let ys = (0..<body.vertexCount).map { body.templateVertex($0).y }
        #expect(abs(ys.max()! - ys.min()! - 1.76) < 0.03)
    }

    /// Front and side silhouettes of the A-posed body, rasterised at 256 px.
    func silhouette(yaw: Double) -> (Silhouette, WeakPerspectiveCamera, PosedBody) {
        var theta = [Double](repeating: 0, count: 72)
        let root = BodyModel.viewOrientation(yaw: yaw)
        theta[0] = root.x; theta[1] = root.y; theta[2] = root.z
        theta[3 * 16 + 2] = -1.1
        theta[3 * 17 + 2] = 1.1
        let posed = body.posed(pose: theta, shape: zeroShape)
        let camera = BodyModel.framingCamera(posed.vertices)
        return (Silhouette(vertices: posed.vertices, faces: body.faces, camera: camera, size: 256), camera, posed)
    }

    @Test func frontSilhouetteLooksLikeAPerson() throws {
        let (mask, camera, posed) = silhouette(yaw: 0)
        let rows = try #require(mask.rowRange)
        let height = Double(rows.count)
        let widest = rows.map { mask.span(row: $0) }.max()!
        // Arms 27° from the vertical: hand tip to hand tip ≈ 0.95, height 1.76.
        #expect((1.6...2.2).contains(height / Double(widest)), "height/width \(height / Double(widest))")
        let pixel = { (p: SIMD3<Double>) in camera.cropPixel(p) }
        typealias J = SMPLSkeleton.J
        let headTop = Double(rows.lowerBound)
        let shoulderRow = pixel(posed.joints[J.leftShoulder]).y
        let hipRow = pixel(posed.joints[J.leftHip]).y
        #expect(headTop < shoulderRow - 0.1 * height, "the head is above the shoulders")
        // The head is narrower than the shoulders.
        let headRow = Int(headTop + 0.06 * height)
        let chestRow = Int(shoulderRow + 0.05 * height)
        #expect(Double(mask.span(row: headRow)) < 0.6 * Double(mask.span(row: chestRow)))
        // Between the hips and the feet the legs are two separate runs of pixels at mid-thigh, knee and shin.
        for f in [0.25, 0.5, 0.75] {
            let row = Int(hipRow + f * (Double(rows.upperBound) - hipRow))
            let legRuns = mask.runs(row: row).filter { $0.count > 2 }
            #expect(legRuns.count == 2, "row \(row): \(legRuns)")
        }
        // The legs take about half the height (hips to soles).
        #expect((0.40...0.6).contains((Double(rows.upperBound) - hipRow) / height))
    }

    @Test func sideSilhouetteIsSlenderWithFeetPointingForward() throws {
        let (mask, camera, posed) = silhouette(yaw: Double.pi / 2)
        let rows = try #require(mask.rowRange)
        let height = Double(rows.count)
        let widest = rows.map { mask.span(row: $0) }.max()!
        #expect(Double(widest) < 0.3 * height, "seen from the side, depth ≤ 30 % of height")
        // The torso is deeper than the neck; the feet stick out forward (image right: +x after the turn).
        typealias J = SMPLSkeleton.J
        let chest = Int(camera.cropPixel(posed.joints[J.spine3]).y)
        let neck = Int(camera.cropPixel(posed.joints[J.neck]).y + 0.01 * height)
        #expect(mask.span(row: chest) > mask.span(row: neck))
        let toe = camera.cropPixel(posed.keypoints[22]), heel = camera.cropPixel(posed.keypoints[24])
        #expect(toe.x > heel.x + 0.08 * height)
    }

    @Test func shapeComponentsChangeProportions() {
        var tall = zeroShape
        tall[0] = 1
        let rest = body.restJoints(shape: zeroShape), grown = body.restJoints(shape: tall)
        typealias J = SMPLSkeleton.J
        #expect(abs(grown[J.head].y / rest[J.head].y - 1.06) < 1e-9, "β₀ scales the body by 6 %")
        var legs = zeroShape
        legs[3] = 1
        let long = body.restJoints(shape: legs)
        #expect(long[J.leftAnkle].y < rest[J.leftAnkle].y - 0.04)
        #expect(abs(long[J.neck].y - rest[J.neck].y) < 1e-12, "leg length leaves the torso alone")
        var shoulders = zeroShape
        shoulders[1] = 1
        let broad = body.restJoints(shape: shoulders)
        #expect(broad[J.leftShoulder].x - broad[J.rightShoulder].x > rest[J.leftShoulder].x - rest[J.rightShoulder].x + 0.04)
    }
}
