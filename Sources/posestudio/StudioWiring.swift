// What the app plugs into the studio: frame pictures (the driving video, renders) and the
// services for work the Studio target cannot do itself. Exports run the CLI twin as a child
// process — exactly `posestudio export …`, with its output kept off the studio's screen.
import Foundation
import Imaging
import BodyKit
import PoseKit
import ProjectFitting
import ProjectStore
import Rendering
import Studio
import TerminalPreview

/// The project's draft renderer, made on first use — fitting the bodies of a project that stores
/// none takes seconds — and shared by the canvas worker and render jobs. Drafts are rendered without
/// pose normalisation so that they lie under the skeleton being edited (exports and `render`
/// normalise by default).
final class SharedDraft: @unchecked Sendable {
    private let path: String
    private let options: RenderOptions
    private let lock = NSLock()
    private var project: Project
    private var made: DraftRenderer?
    /// Why there is no draft; read by the UI thread without waiting for a fit in progress.
    let problem = Locked<String?>(nil)

    /// The plate background, when the project's render.background asks for it.
    private let wantsPlate: Bool

    /// Renders at `size`, else the project's render.size, else 256; on the project's backdrop.
    init(path: String, project: Project, settings: RenderSettings, size: RenderSizeArgument?) {
        self.path = path
        self.project = project
        let (width, height) = settings.size(overriding: size?.pair)
        options = RenderOptions(width: width, height: height, background: settings.backdrop?.colour ?? .neutral, normalise: false)
        wantsPlate = settings.backdrop == .plate
    }

    func renderer() -> DraftRenderer? {
        lock.lock()
        defer { lock.unlock() }
        if made == nil && problem.value == nil {
            do {
                let renderer = try DraftRenderer(project: project, name: path, body: BuiltinBody.model, options: options)
                if wantsPlate {
                    // On its own connection, like the driving video's column; without a usable
                    // video the renders keep the colour background (the driving view says why).
                    if let file = try? ProjectFile.open(at: path) {
                        renderer.plate = try? Plates.plate(file, body: BuiltinBody.model) { _ in }
                        try? file.close()
                    }
                }
                made = renderer
            } catch {
                problem.value = "\(error)"
            }
        }
        return made
    }

    /// Takes the edited project; returns the frames whose bodies or poses changed (all when the
    /// renderer had to be dropped).
    @discardableResult
    func projectChanged(_ project: Project) -> Set<Int> {
        lock.lock()
        defer { lock.unlock() }
        let before = self.project
        self.project = project
        guard let made else { return Set(project.sequence.frames) }
        if let changed = try? made.update(project, name: path) { return changed }
        self.made = nil
        return Set(before.sequence.frames).union(project.sequence.frames)
    }
}

/// Frame pictures for the canvas. Used from the picture worker thread only (one call at a time).
final class StudioPictures: FramePictures, @unchecked Sendable {
    private let projectPath: String
    private let hasVideo: Bool
    private let draft: SharedDraft
    private let neural: StudioNeural
    private var driving: DrivingColumn?
    /// Read by the UI thread (`unavailableReason`) while the worker may set it.
    private let drivingProblem = Locked<String?>(nil)
    private var opened = false

    init(projectPath: String, draft: SharedDraft, neural: StudioNeural, hasVideo: Bool) {
        self.projectPath = projectPath
        self.draft = draft
        self.neural = neural
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
            return draft.renderer()?.placed(frame: frame)
        case .neural:
            return neural.image(frame)
        }
    }

    func projectChanged(_ project: Project) { neural.changed(draft.projectChanged(project)) }

    func unavailableReason(_ kind: ImageKind) -> String? {
        switch kind {
        case .driving: drivingProblem.value
        case .draft: draft.problem.value
        case .neural: neural.problem.value
        }
    }
}

enum StudioWiring {
    /// Plugs the app's pictures and services into a session over the project at `projectPath`
    /// (what `open` and `debug screen` share).
    /// - Throws: when `weights` names a missing file.
    static func attach(to session: StudioSession, projectPath: String, file: ProjectFile, hasVideo: Bool, imageMode: ColorMode,
                       weights: String?, renderSize: RenderSizeArgument? = nil) throws {
        // A render setting the renderer cannot use leaves the defaults and says so: the studio still opens.
        var settings = RenderSettings()
        do { settings = try RenderSettings(settings: try file.settings(), project: projectPath) } catch {
            session.dispatch(.notify(StatusMessage("\(error)", .error)))
        }
        let draft = SharedDraft(path: projectPath, project: file.project, settings: settings, size: renderSize)
        let neural = try StudioNeural(explicit: weights, file: file, draft: draft, environment: ProcessInfo.processInfo.environment)
        session.services = services(projectPath: projectPath, draft: draft, neural: neural)
        let images = CanvasImageSource(pictures: StudioPictures(projectPath: projectPath, draft: draft, neural: neural, hasVideo: hasVideo),
                                       mode: imageMode)
        neural.onFrames = { [weak images] frames in images?.forget(.neural, frames: frames) }
        session.images = images
    }

    static func services(projectPath: String, draft: SharedDraft, neural: StudioNeural) -> StudioServices {
        var services = StudioServices()
        // The project's fitter (its recorded body), loaded on first use on the job thread.
        let fitter = Locked<ProjectFitter?>(nil)
        @Sendable func projectFitter() throws -> ProjectFitter {
            if let made = fitter.value { return made }
            let file = try ProjectFile.open(at: projectPath)
            defer { try? file.close() }
            let made = ProjectFitter(body: try ProjectBody.load(for: file, requested: nil))
            fitter.value = made
            return made
        }
        // `:fit`: on its own connection; the session re-reads the project when the job ends.
        services.fit = { frames, context in
            let file = try ProjectFile.open(at: projectPath)
            defer { try? file.close() }
            fitter.value = nil
            let summary = try projectFitter().fit(frames: frames, in: file) { context.report($0, $1) }
            return String(format: "fitted SMPL: %d frames, reprojection median %.1f px, p95 %.1f px (256 crop)",
                          summary.frames, summary.medianReprojectionPx, summary.p95ReprojectionPx)
        }
        // After an edit of a fitted project, the edited frames are refitted off the UI thread and
        // stored as their own journal entry, which undo and redo take together with the edit.
        services.followUp = { frames, sequence, _ in
            guard ProjectFitter.hasFits(sequence) else { return nil }
            let refitter = try projectFitter()
            let pending = refitter.computeRefit(frames: frames ?? Array(sequence.frames), sequence: sequence)
            return { file in
                try refitter.store(pending, in: file)
                return nil
            }
        }
        services.isFollowUp = { $0.label.hasPrefix(ProjectFitter.refitLabelPrefix) }
        // With weights: neural renders of clips (`again`: the remembered clips overlapping the
        // frames, after an edit). Without: the drafts of the frames, into the renderer's cache.
        // The timeline marks the frames either way.
        services.render = { frames, again, context in
            if neural.weightsPath != nil {
                let clips = neural.clips(for: frames, again: again)
                let total = clips.reduce(0) { $0 + $1.count }
                var done = 0, reused = 0, computed = 0
                for clip in clips {
                    let use = try neural.render(clip, context: context, done: done, total: total)
                    done += clip.count
                    reused += use.reused
                    computed += use.computed
                }
                return "neural render: \(total) frame\(total == 1 ? "" : "s"), \(computed) window\(computed == 1 ? "" : "s") computed, \(reused) from the cache"
            }
            guard let renderer = draft.renderer() else { throw StudioServiceError(draft.problem.value ?? "no draft renderer") }
            let all = Array(frames)
            context.mark(all, .rendering)
            for (i, frame) in all.enumerated() {
                if context.isCancelled() {
                    context.mark(Array(all[i...]), .none)
                    throw JobCancelled()
                }
                _ = renderer.render(frame: frame)
                context.mark([frame], .rendered)
                context.report(i + 1, all.count)
            }
            return "rendered \(all.count) draft frame\(all.count == 1 ? "" : "s") (no weights for the neural render)"
        }
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
