// Render crops: the region around the keypoints, the image resampling, placing back, and the
// camera re-expression — each checked against where a point actually lands.
import BodyKit
import Imaging
import PoseKit
import Testing
@testable import Rendering

@Suite struct CropTests {
    static func pose(_ points: [(Double, Double)]) -> [Keypoint] {
        var pose = [Keypoint](repeating: .missing, count: 25)
        for (i, p) in points.enumerated() { pose[i] = Keypoint(x: p.0, y: p.1, confidence: 0.9) }
        return pose
    }

    @Test func regionIsTheMarginBoxAroundTheKeypoints() throws {
        let crop = try #require(RenderCrop.around(Self.pose([(100, 200), (140, 600), (120, 400)]), size: 256))
        // Box: height 400 × 1.3 = 520, centred on (120, 400).
        #expect(crop.regionWidth == 520 && crop.regionHeight == 520)
        #expect(abs(crop.origin.y - (400 - 260)) < 0.51)
        #expect(abs(crop.origin.x - (120 - 260)) < 0.51)
        #expect(RenderCrop.around(Self.pose([(5, 5)]), size: 256) == nil)
        // A 64 × 128 crop (W × H) holds the keypoints' 1.3× box (52 × 520) at its aspect: 260 × 520.
        let tall = try #require(RenderCrop.around(Self.pose([(100, 200), (140, 600), (120, 400)]), width: 64, height: 128))
        #expect(tall.regionWidth == 260 && tall.regionHeight == 520)
        #expect(abs(tall.toFrame(SIMD2(32, 64)).y - 400) < 0.51, "the box centre is at crop pixel (W/2, H/2), as in BodyKit")
        #expect(abs(tall.toFrame(SIMD2(32, 64)).x - 120) < 0.51)
        // A wide crop of a lying person: the box's width sets the region, the height is widened.
        let wide = try #require(RenderCrop.around(Self.pose([(100, 300), (700, 340), (400, 320)]), width: 128, height: 64))
        #expect(wide.regionWidth == 780 && wide.regionHeight == 390)
    }

    /// Square crops are BDMM's cropper exactly, as before portrait crops existed: regions pinned
    /// from that code (commit 72998fe) for three poses at three sizes.
    @Test func squareCropsStayAsBefore() throws {
        let poses: [[(Double, Double)]] = [[(100, 200), (140, 600), (120, 400)], [(10.5, 7.25), (333, 91)], [(0, 0), (3, 900), (-50, 10)]]
        let expected: [[(size: Int, x: Int, y: Int, side: Int)]] = [
            [(64, -144, 136, 520), (256, -141, 139, 520), (512, -140, 140, 520)],
            [(64, -41, -163, 419), (256, -38, -161, 419), (512, -38, -160, 419)],
            [(64, -617, -144, 1170), (256, -610, -137, 1170), (512, -609, -136, 1170)],
        ]
        for (points, rows) in zip(poses, expected) {
            for row in rows {
                let crop = try #require(RenderCrop.around(Self.pose(points), size: row.size))
                #expect(crop == RenderCrop(x: row.x, y: row.y, side: row.side, size: row.size), "\(points) at \(row.size): \(crop)")
            }
        }
    }

    /// Portrait crops of the demo person: every keypoint inside, and tight along the axis that
    /// binds (the keypoints span 1 / 1.3 of it); standing (frame 0), that is the height.
    @Test func portraitCropsFitTheDemoPerson() throws {
        let project = try DemoProject.load()
        for t in [0, 40, 81, 99] {
            let pose = project.sequence.pose(at: t)
            let crop = try #require(RenderCrop.around(pose, width: 128, height: 256))
            let ys = pose.filter { !$0.isMissing }.map { crop.toCrop(SIMD2($0.x, $0.y)).y }
            let xs = pose.filter { !$0.isMissing }.map { crop.toCrop(SIMD2($0.x, $0.y)).x }
            #expect(xs.min()! >= 0 && xs.max()! <= 127 && ys.min()! >= 0 && ys.max()! <= 255, "frame \(t): keypoints outside the crop")
            let fill = (height: (ys.max()! - ys.min()!) / 256, width: (xs.max()! - xs.min()!) / 128)
            #expect(max(fill.height, fill.width) > 0.75, "frame \(t): the keypoints span \(fill) of the crop")
            if t == 0 { #expect(fill.height > 0.75, "standing, the person fills \(fill.height) of the height") }
        }
    }

    @Test func extractAtSameSizeCopiesTheRegionAndPadsOutside() {
        var image = RGBImage(width: 40, height: 30)
        for y in 0..<30 { for x in 0..<40 { image[x, y] = RGB(UInt8(x), UInt8(y), 7) } }
        let crop = RenderCrop(x: -5, y: 10, side: 32, size: 32)
        let out = crop.extract(from: image, background: RGB(1, 2, 3))
        for y in 0..<32 {
            for x in 0..<32 {
                let (fx, fy) = (x - 5, y + 10)
                let expected = (0..<40).contains(fx) && (0..<30).contains(fy) ? RGB(UInt8(fx), UInt8(fy), 7) : RGB(1, 2, 3)
                #expect(out[x, y] == expected, "pixel (\(x), \(y))")
            }
        }
        var canvas = RGBImage(width: 40, height: 30, fill: .black)
        crop.place(out, onto: &canvas)
        var wrong = 0
        for y in 0..<30 {
            for x in 0..<40 {
                let inside = (-5..<27).contains(x) && (10..<42).contains(y)
                if canvas[x, y] != (inside ? image[x, y] : .black) { wrong += 1 }
            }
        }
        #expect(wrong == 0, "\(wrong) pixels differ after placing the crop back")
    }

    /// A bright square in the frame lands in the shrunk crop where `toCrop` says (centroids).
    @Test func resampledCropFollowsTheKeypointConvention() {
        var image = RGBImage(width: 400, height: 400, fill: .black)
        image.fill(x: 200, y: 120, width: 16, height: 16, color: .white)
        let crop = RenderCrop(x: 37, y: 11, side: 300, size: 100)
        let out = crop.extract(from: image, background: .black)
        var (sum, sx, sy) = (0.0, 0.0, 0.0)
        for y in 0..<100 { for x in 0..<100 { let v = Double(out[x, y].r); sum += v; sx += v * Double(x); sy += v * Double(y) } }
        let expected = crop.toCrop(SIMD2(207.5, 127.5))
        #expect(abs(sx / sum - expected.x) < 0.02 && abs(sy / sum - expected.y) < 0.02,
                "centroid (\(sx / sum), \(sy / sum)), expected \(expected)")
    }

    /// A model point seen through a camera fitted in one box lands, through the re-expressed
    /// camera, on the same (normalised) frame position in another crop of any size.
    @Test func cameraReexpressionKeepsFramePositions() {
        let fitted = BodyKit.WeakPerspectiveCamera(s: 0.9, tx: 0.05, ty: -0.1)
        let box = CropBox(x: 310.25, y: -40.5, size: 812)
        let normalisation = PoseNormalisation(scale: 0.7, translation: SIMD2(25, -60))
        let crop = RenderCrop(x: 180, y: -70, side: 590, size: 128)
        let camera = crop.camera(fitted, fittedIn: box, normalisation: normalisation)
        for point in [SIMD3(0.3, -0.8, 0.1), SIMD3(-0.4, 0.9, -0.2), SIMD3(0, 0, 0)] {
            let frame = box.toFrame(fitted.cropPixel(point))
            let expected = normalisation.apply(frame)
            let got = crop.toFrame(camera.cropPixel(point, resolution: 128))
            #expect(abs(got.x - expected.x) < 1e-9 && abs(got.y - expected.y) < 1e-9, "\(got) vs \(expected)")
            // Non-square: u = s(stretchX·X + tx) spans the width, v the height.
            let tall = RenderCrop(x: 180, y: -70, regionWidth: 300, regionHeight: 600, width: 64, height: 128)
            let c = tall.camera(fitted, fittedIn: box, normalisation: normalisation)
            let u = c.s * (tall.stretchX * point.x + c.tx), v = c.s * (point.y + c.ty)
            let pixel = SIMD2((u + 1) * 64 / 2 - 0.5, (v + 1) * 128 / 2 - 0.5)
            let frame2 = tall.toFrame(pixel)
            #expect(abs(frame2.x - expected.x) < 1e-9 && abs(frame2.y - expected.y) < 1e-9, "\(frame2) vs \(expected)")
        }
    }
}

@Suite struct NormalisationTests {
    /// A standing person: head at the top, ankles and heels at the bottom.
    static func person(x: Double, feetY: Double, height: Double) -> [Keypoint] {
        var pose = [Keypoint](repeating: .missing, count: 25)
        func set(_ j: Joint, _ px: Double, _ py: Double) { pose[j.rawValue] = Keypoint(x: px, y: py, confidence: 0.8) }
        set(.nose, x, feetY - height)
        set(.neck, x, feetY - 0.85 * height)
        set(.midHip, x, feetY - 0.5 * height)
        set(.rAnkle, x - 0.05 * height, feetY - 0.02 * height)
        set(.lAnkle, x + 0.05 * height, feetY - 0.02 * height)
        set(.rHeel, x - 0.05 * height, feetY)
        set(.lHeel, x + 0.05 * height, feetY)
        return pose
    }

    @Test func drivingPosesTakeTheSourceSizeAndPlace() throws {
        // Source: 1000 px tall person at x = 300 in a 720×1280 image; output frame 1080×1920 (×1.5).
        let source = Self.person(x: 300, feetY: 1200, height: 1000)
        let frames = (0..<9).map { t in Self.person(x: 700 + Double(t) * 10, feetY: 1500, height: 400 + Double(t % 3)) }
        let n = PoseNormalisation.between(frames: frames, frameSize: FrameSize(width: 1080, height: 1920),
                                          source: source, sourceSize: FrameSize(width: 720, height: 1280))
        let middle = try #require(PoseNormalisation.measure(n.apply(frames[4])))   // the median frame
        #expect(abs(middle.height - 1500) < 1e-6)
        let sourceAnkles = try #require(PoseNormalisation.measure(source)).ankles * 1.5
        #expect(abs(middle.ankles.x - sourceAnkles.x) < 1e-6 && abs(middle.ankles.y - sourceAnkles.y) < 1e-6)
        // Motion is kept: frame 8 is 40 px (driving) right of frame 4, so 40·scale right after it.
        let last = try #require(PoseNormalisation.measure(n.apply(frames[8])))
        #expect(abs((last.ankles.x - middle.ankles.x) - 40 * n.scale) < 1e-6)
    }

    @Test func missingPointsStayMissingAndUnmeasurableIsIdentity() {
        var pose = Self.person(x: 10, feetY: 100, height: 80)
        pose[Joint.rWrist.rawValue] = .missing
        let n = PoseNormalisation(scale: 2, translation: SIMD2(5, 5))
        #expect(n.apply(pose)[Joint.rWrist.rawValue] == .missing)
        #expect(n.apply(pose)[Joint.nose.rawValue].x == 25)
        let headless = pose.enumerated().map { $0.offset == Joint.nose.rawValue || $0.offset == Joint.neck.rawValue ? Keypoint.missing : $0.element }
        #expect(PoseNormalisation.between(frames: [headless], frameSize: FrameSize(width: 100, height: 100),
                                          source: pose, sourceSize: FrameSize(width: 100, height: 100)) == .identity)
    }
}
