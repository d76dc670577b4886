// The pose2sim demo as an in-memory project (what `posestudio new … --fps 60` stores: the source
// image is video frame 0 and the source pose is frame 0's keypoints), shared by the draft tests.
import Foundation
import PoseKit
import ProjectStore

enum DemoProject {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    static let directory = root.appendingPathComponent("Projects/pose2sim-demo")

    static func load() throws -> Project {
        let imagePath = directory.appendingPathComponent("source.png").path
        let bytes = try Data(contentsOf: URL(fileURLWithPath: imagePath))
        let sourceImage = try SourceImage(bytes: bytes, path: imagePath)
        let imported = try OpenPoseFormat.readDirectory(directory.appendingPathComponent("cam01_keypoints").path)
        let sequence = imported.sequence(fps: 60, frameSize: sourceImage.size)
        return Project(sourceImage: sourceImage, sourcePose: SourcePose(keypoints: sequence.pose(at: 0)),
                       sourceFrame: 0, sequence: sequence)
    }
}
