// Shared set-up for the studio tests: the demo project (Projects/pose2sim-demo, BSD-3, see its
// README) created in a temporary directory, and sessions over it on the test terminal.
import Foundation
import PoseKit
import ProjectStore
import Studio
import TerminalUI
@_exported import TestSupport

enum Demo {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    static let data = root.appendingPathComponent("Projects/pose2sim-demo")
    static let themes = root.appendingPathComponent("Themes").path

    /// A new project file over the demo poses at 60 fps.
    static func project(in dir: TemporaryDirectory, name: String = "demo.bdmm") throws -> ProjectFile {
        let imagePath = data.appendingPathComponent("source.png").path
        let image = try SourceImage(bytes: try Data(contentsOf: URL(fileURLWithPath: imagePath)), path: imagePath)
        let imported = try OpenPoseFormat.readDirectory(data.appendingPathComponent("cam01_keypoints").path)
        let sequence = imported.sequence(fps: 60, frameSize: FrameSize(width: 1080, height: 1920))
        let project = Project(sourceImage: image, sourcePose: SourcePose(keypoints: sequence.pose(at: 0)), sourceFrame: 0, sequence: sequence)
        return try ProjectFile.create(at: dir.file(name), project: project)
    }

    static let config = StudioConfig(themeDirectories: [themes], keyMapPath: nil)

    static func theme(_ name: String) -> Theme {
        let (theme, problems) = config.loadTheme(name)
        precondition(problems.isEmpty, "\(problems)")
        return theme
    }

    /// A session over `file` with every background result applied.
    static func session(_ file: ProjectFile, size: TerminalSize = TerminalSize(columns: 80, rows: 24), theme: String = "dark") -> StudioSession {
        let session = StudioSession(file: file, size: size, theme: Self.theme(theme))
        session.config = config
        session.settle()
        return session
    }
}

extension StudioSession {
    /// Presses keys one by one, letting background work finish after each.
    func press(_ keys: Key...) {
        for key in keys {
            dispatch(.key(key))
            settle()
        }
    }

    func type(_ text: String) {
        for c in text { press(.character(c)) }
    }
}
