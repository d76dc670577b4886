// The draft render of the pose2sim demo with the built-in body: every frame rendered, the warped
// person exactly where the body's silhouette is, and frame 0 (the source's own pose) giving back
// the source crop; plus the warp against the engine's grid_sample, and invalidation after an edit.
import BodyKit
import Foundation
import Imaging
import PoseKit
import PoseTransfer
import ProjectStore
import TensorEngine
import Testing
@testable import Rendering

@Suite(.serialized) struct DraftTests {
    static let magenta = RGB(255, 0, 255)

    /// One renderer for the suite: fitting the demo's 100 frames is the slow part (seconds).
    static let shared: Result<(Project, DraftRenderer), Error> = Result {
        let project = try DemoProject.load()
        let renderer = try DraftRenderer(project: project, name: "pose2sim-demo", body: BuiltinBody.model,
                                         options: RenderOptions(size: 256, background: magenta, normalise: false))
        return (project, renderer)
    }

    @Test func everyFrameCoversTheBodySilhouetteAndNothingElse() throws {
        let (project, renderer) = try Self.shared.get()
        #expect(renderer.frameCount == 100)
        #expect(renderer.bodiesOrigin == .fitted)
        let bodies = SequenceBodies.of(project, body: BuiltinBody.model)   // the cached fit
        var worstEdgeShare = 0.0
        for t in 0..<100 {
            let draft = renderer.renderDetailed(frame: t)
            #expect(draft.image.width == 256 && draft.image.height == 256)
            let crop = try #require(draft.crop, "frame \(t) has no crop")
            let body = try #require(bodies.frames[t], "frame \(t) has no body")
            // The silhouette drawn independently (BodyKit's coverage rasteriser, float64).
            let posed = BuiltinBody.model.posed(pose: body.pose, shape: body.shape)
            let silhouette = Silhouette(vertices: posed.vertices, faces: BuiltinBody.model.faces,
                                        camera: crop.camera(body.camera, fittedIn: body.crop), size: 256)
            var covered = 0, disagree = 0, interiorDisagree = 0
            for y in 0..<256 {
                for x in 0..<256 {
                    let person = draft.image[x, y] != Self.magenta
                    #expect(person == (draft.faceIndex[y * 256 + x] >= 0))
                    if silhouette[y, x] { covered += 1 }
                    guard person != silhouette[y, x] else { continue }
                    disagree += 1
                    // Away from the outline (all 8 neighbours agree in the silhouette) they must match.
                    let neighbours = (-1...1).flatMap { dy in (-1...1).map { dx in (y + dy, x + dx) } }
                        .filter { (0..<256).contains($0.0) && (0..<256).contains($0.1) }
                    if neighbours.allSatisfy({ silhouette[$0.0, $0.1] == silhouette[y, x] }) { interiorDisagree += 1 }
                }
            }
            #expect(covered > 2000, "frame \(t): silhouette of \(covered) pixels")
            #expect(interiorDisagree == 0, "frame \(t): \(interiorDisagree) pixels away from the outline disagree")
            worstEdgeShare = max(worstEdgeShare, Double(disagree) / Double(covered))
        }
        #expect(worstEdgeShare < 0.02, "outline pixels that differ: up to \(worstEdgeShare * 100) % of the silhouette")
    }

    @Test func sourcePoseGivesBackTheSourceCropInsideTheSilhouette() throws {
        let (project, renderer) = try Self.shared.get()
        #expect(project.sourceFrame == 0 && project.sourcePose.keypoints == project.sequence.pose(at: 0))
        let draft = renderer.renderDetailed(frame: 0)
        #expect(draft.crop == renderer.sourceCrop)
        var squared = 0.0, count = 0
        for p in 0..<(256 * 256) where draft.faceIndex[p] >= 0 {
            for c in 0..<3 {
                let d = Double(draft.image.pixels[3 * p + c]) - Double(renderer.sourceImage.pixels[3 * p + c])
                squared += d * d
            }
            count += 3
        }
        let psnr = 10 * log10(255 * 255 / (squared / Double(count)))
        #expect(count > 3 * 2000)
        #expect(psnr >= 25, "PSNR inside the silhouette \(psnr) dB")
    }

    @Test func warpMatchesGridSample() {
        var rng = SplitMix64(seed: 7)
        let (w, h, s) = (37, 29, 24)
        let image = RGBImage(width: w, height: h, pixels: (0..<(w * h * 3)).map { _ in UInt8(rng.next() % 256) })
        let grid = (0..<(s * s * 2)).map { _ in Float(Double(rng.next() % 10_000) / 10_000 * 2.6 - 1.3) }
        let faces = (0..<(s * s)).map { Int32($0 % 5 == 0 ? -1 : 1) }
        let out = SourceSampler(image).composite(grid: grid, faceIndex: faces, width: s, height: s, background: Self.magenta)
        // Reference: the engine's grid_sample on the [-1, 1] image, back to levels.
        var planes = [Float](repeating: 0, count: 3 * h * w)
        for p in 0..<(w * h) { for c in 0..<3 { planes[c * h * w + p] = (Float(image.pixels[3 * p + c]) / 255 - 0.5) / 0.5 } }
        let warped = MeshFlow.warp(Engine(threads: 1), image: Tensor(shape: [1, 3, h, w], storage: planes),
                                   grid: Tensor(shape: [1, s, s, 2], storage: grid))
        var worst: Float = 0
        for p in 0..<(s * s) {
            for c in 0..<3 {
                let got = Float(out.pixels[3 * p + c])
                let expected = faces[p] < 0 ? Float([255, 0, 255][c]) : (warped.storage[c * s * s + p] * 0.5 + 0.5) * 255
                worst = max(worst, abs(got - expected))
            }
        }
        #expect(worst <= 0.5 + 1e-3, "largest difference \(worst) levels")
    }

    @Test func editInvalidatesOnlyTheEditedFrames() throws {
        var (project, _) = try Self.shared.get()
        let renderer = try DraftRenderer(project: project, name: "demo", body: BuiltinBody.model,
                                         options: RenderOptions(size: 64, background: Self.magenta, normalise: false))
        let before = (0..<100).map { renderer.render(frame: $0) }
        var pose = project.sequence.pose(at: 40)
        pose[Joint.rWrist.rawValue].x += 60
        pose[Joint.rElbow.rawValue].x += 30
        project.sequence.setPose(pose, at: 40)
        let invalidated = try renderer.update(project, name: "demo")
        #expect(invalidated == [40])
        #expect(renderer.render(frame: 40) != before[40])
        #expect(renderer.render(frame: 39) == before[39] && renderer.render(frame: 41) == before[41])
        #expect(try renderer.update(project, name: "demo").isEmpty)
    }
}

@Suite struct StoredBodiesTests {
    /// A fit stored with its crop (what `posestudio fit` records) renders exactly as the same fit
    /// held in memory.
    @Test func storedFitsRenderLikeTheFitTheyCameFrom() throws {
        var project = try DemoProject.load()
        let poses = (0..<8).map { project.sequence.pose(at: $0) }
        project.sequence = PoseSequence(fps: 60, frameSize: project.sequence.frameSize, frames: poses)
        let options = RenderOptions(size: 96, background: DraftTests.magenta)
        let fitted = try DraftRenderer(project: project, name: "fitted", body: BuiltinBody.model, options: options)
        #expect(fitted.bodiesOrigin == .fitted)
        let bodies = SequenceBodies.of(project, body: BuiltinBody.model)
        func store(_ body: FrameBody) throws -> (SMPLParameters, SMPLFitRecord) {
            let smpl = try #require(SMPLParameters(cam: body.camera.values, pose: body.pose, shape: body.shape))
            let record = try #require(SMPLFitRecord(cropX: body.crop.x, cropY: body.crop.y, cropSize: body.crop.size,
                                                    errors: [Double?](repeating: nil, count: 25)))
            return (smpl, record)
        }
        var stored = project
        for t in 0..<8 {
            let (smpl, record) = try store(try #require(bodies.frames[t]))
            stored.sequence.setSMPL(smpl, fit: record, at: t)
        }
        let (sourceSMPL, sourceRecord) = try store(try #require(bodies.source))
        stored.sourcePose.smpl = sourceSMPL
        stored.sourcePose.fit = sourceRecord
        let fromStore = try DraftRenderer(project: stored, name: "stored", body: BuiltinBody.model, options: options)
        #expect(fromStore.bodiesOrigin == .stored)
        for t in 0..<8 { #expect(fromStore.render(frame: t) == fitted.render(frame: t), "frame \(t)") }
    }
}
