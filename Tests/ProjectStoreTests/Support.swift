import Foundation
import PoseKit
@_exported import TestSupport
@testable import ProjectStore

enum Sample {
    /// PNG signature + IHDR: enough for the header reader; the store keeps bytes as given.
    static let pngHeader = Data([0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A, 0, 0, 0, 13]
                                + Array("IHDR".utf8) + [0, 0, 1, 0, 0, 0, 2, 0, 8, 2, 0, 0, 0, 0, 0, 0, 0])

    static func sequence(frames: Int, seed: UInt64 = 1, smpl: Bool = false) -> PoseSequence {
        var rng = SplitMix64(seed: seed)
        let poses = (0..<frames).map { _ in
            (0..<25).map { j -> Keypoint in
                j == 20 ? .missing : Keypoint(x: Double.random(in: 0..<256, using: &rng), y: Double.random(in: 0..<512, using: &rng),
                                              confidence: Double.random(in: 0...1, using: &rng))
            }
        }
        let params: [SMPLParameters?]? = smpl ? (0..<frames).map { f in
            f % 3 == 0 ? nil : SMPLParameters(vector: (0..<85).map { _ in Double.random(in: -2...2, using: &rng) })
        } : nil
        return PoseSequence(fps: 24, frameSize: FrameSize(width: 256, height: 512), frames: poses, smpl: params)
    }

    static func project(frames: Int = 20, smpl: Bool = false) -> Project {
        let sequence = sequence(frames: frames, smpl: smpl)
        return Project(sourceImage: SourceImage(bytes: pngHeader, format: .png, size: FrameSize(width: 256, height: 512)),
                       sourcePose: SourcePose(keypoints: sequence.pose(at: 0), smpl: sequence.smpl[1]),
                       sourceFrame: 0, sequence: sequence)
    }
}
