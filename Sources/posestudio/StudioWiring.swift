// What the app plugs into the studio: frame pictures (the driving video, renders) and the
// services for work the Studio target cannot do itself. Exports run the CLI twin as a child
// process — exactly `posestudio export …`, with its output kept off the studio's screen.
import Foundation
import Imaging
import BodyKit
import PoseKit
import ProjectStore
import Rendering
import Studio

/// Frame pictures for the canvas. Used from the picture worker thread only (one call at a time).
/// The draft is rendered without pose normalisation, so that it lies under the skeleton being
/// edited (exports and `render` normalise by default).
final class StudioPictures: FramePictures, @unchecked Sendable {
    private let projectPath: String
    private let hasVideo: Bool
    private var project: Project
    private var draft: DraftRenderer?
    private let draftProblem = Locked<String?>(nil)
    private var driving: DrivingColumn?
    /// Read by the UI thread (`unavailableReason`) while the worker may set it.
    private let drivingProblem = Locked<String?>(nil)
    private var opened = false

    init(projectPath: String, project: Project, hasVideo: Bool) {
        self.projectPath = projectPath
        self.project = project
        self.hasVideo = hasVideo
    }

    func picture(_ kind: ImageKind, frame: Int) throws -> RGBImage? {
        switch kind {
        case .driving:
            guard hasVideo else { return nil }
            if !opened {
                // Checking the video (size, checksum) takes a while on long files: done here, off
                // the UI thread, on first use; a separate connection keeps the session's own.
                opened = true
                do {
                    let file = try ProjectFile.open(at: projectPath)
                    defer { try? file.close() }
                    driving = try DrivingVideoLink.column(file)
                } catch {
                    drivingProblem.value = "\(error)"
                }
            }
            return try driving?.frame(frame)
        case .draft:
            if draft == nil && draftProblem.value == nil {
                // Fits the bodies in memory when the project stores none: seconds for 100 frames,
                // which is why it happens here, on first use, off the UI thread.
                do {
                    draft = try DraftRenderer(project: project, name: projectPath, body: BuiltinBody.model,
                                              options: RenderOptions(normalise: false))
                } catch {
                    draftProblem.value = "\(error)"
                }
            }
            return draft?.placed(frame: frame)
        case .neural:
            return nil
        }
    }

    func projectChanged(_ project: Project) {
        self.project = project
        guard let draft else { return }
        do {
            try draft.update(project, name: projectPath)
        } catch {
            self.draft = nil
        }
    }

    func unavailableReason(_ kind: ImageKind) -> String? {
        switch kind {
        case .driving: drivingProblem.value
        case .draft: draftProblem.value
        case .neural: "neural render: not available in this build"
        }
    }
}

enum StudioWiring {
    static func services(projectPath: String) -> StudioServices {
        var services = StudioServices()
        services.export = { output, context in
            let lower = output.lowercased()
            let arguments: [String]
            if lower.hasSuffix(".json") {
                arguments = ["export", projectPath, "--format", "json", "--poses", output]
            } else if lower.hasSuffix(".mp4") {
                arguments = ["export", projectPath, "--video", output]
            } else {
                throw StudioServiceError("export \(output): give a .mp4 (video) or .json (poses) file")
            }
            return try runTwin(arguments, context: context)
        }
        return services
    }

    /// Runs `posestudio ARGUMENTS` and returns its last line of output; its error message on failure.
    static func runTwin(_ arguments: [String], context: JobContext) throws -> String {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/proc/self/exe").resolvingSymlinksInPath()
        process.arguments = arguments
        let out = Pipe(), err = Pipe()
        process.standardOutput = out
        process.standardError = err
        process.standardInput = FileHandle.nullDevice
        try process.run()
        // Read both pipes to the end (a full pipe would stall the child), checking for cancel.
        let outData = Locked(Data()), errData = Locked(Data())
        let group = DispatchGroup()
        for (pipe, sink) in [(out, outData), (err, errData)] {
            DispatchQueue.global().async(group: group) {
                let data = pipe.fileHandleForReading.readDataToEndOfFile()
                sink.value = data
            }
        }
        while process.isRunning {
            if context.isCancelled() { process.terminate() }
            usleep(20_000)
        }
        group.wait()
        process.waitUntilExit()
        if context.isCancelled() { throw JobCancelled() }
        let lastLine = { (data: Data) in
            String(decoding: data, as: UTF8.self).split(separator: "\n").last.map(String.init) ?? ""
        }
        guard process.terminationStatus == 0 else {
            throw StudioServiceError(lastLine(errData.value).replacingOccurrences(of: "posestudio: ", with: ""))
        }
        return lastLine(outData.value)
    }
}

struct StudioServiceError: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}
