// A synthetic project for benchmarks: a small real PNG (see GreyPNG)
// and a random-walk BODY_25 sequence with SMPL on every frame.
import Foundation
import PoseKit
import ProjectStore

enum SyntheticProject {
    static func make(frames: Int, rng: inout SplitMix64) -> Project {
        let size = FrameSize(width: 1080, height: 1920)
        var pose = (0..<BODY25.jointCount).map { j in
            Keypoint(x: 400 + Double(j % 5) * 60, y: 300 + Double(j) * 50, confidence: 0.9)
        }
        var allFrames: [[Keypoint]] = []
        var smpl: [SMPLParameters?] = []
        for _ in 0..<frames {
            for j in pose.indices {
                pose[j].x += Double.random(in: -3...3, using: &rng)
                pose[j].y += Double.random(in: -3...3, using: &rng)
                pose[j].confidence = Double.random(in: 0.3...1, using: &rng)
            }
            allFrames.append(pose)
            smpl.append(SMPLParameters(vector: (0..<SMPLParameters.vectorCount).map { _ in Double.random(in: -1...1, using: &rng) }))
        }
        let sequence = PoseSequence(fps: 30, frameSize: size, frames: allFrames, smpl: smpl)
        // A 64×64 grey PNG: the bench measures the project file, not images.
        let image = try! SourceImage(bytes: png(width: 64, height: 64, grey: 128), path: "<synthetic>")
        return Project(sourceImage: image, sourcePose: SourcePose(keypoints: allFrames[0]), sourceFrame: 0, sequence: sequence)
    }

    /// An 8-bit greyscale PNG of one flat value.
    static func png(width: Int, height: Int, grey: UInt8) -> Data {
        GreyPNG.encode(width: width, height: height, pixels: [UInt8](repeating: grey, count: width * height))
    }
}
