// `new`, `import`, `info`, `export`: creating a project, replacing its poses, describing it, and
// writing its poses back out.
import ArgumentParser
import Foundation
import MediaIO
import PoseKit
import ProjectFitting
import ProjectStore

struct PoseInputOptions: ParsableArguments {
    @Option(help: "Directory of per-frame pose files: OpenPose *_keypoints.json or BDMM kptsmpls *.json.")
    var poses: String

    @Option(help: "Format of --poses: auto (detect), openpose or bdmm.")
    var format: PoseFormatArgument = .auto

    @Option(help: "OpenPose: take person N (index in `people`) instead of the most confident one.")
    var person: Int?

    func validate() throws {
        if let person, person < 0 { throw ValidationError("--person \(person) must not be negative") }
    }

    func read() throws -> ImportedPoses {
        var format = format
        if format == .auto {
            let names = (try? FileManager.default.contentsOfDirectory(atPath: poses)) ?? []
            let isBDMM = !names.contains { $0.hasSuffix("_keypoints.json") } && names.contains { $0.hasSuffix(".json") }
            format = isBDMM ? .bdmm : .openpose
        }
        let imported = format == .bdmm ? try BDMMFormat.readDirectory(poses)
                                       : try OpenPoseFormat.readDirectory(poses, person: person)
        for warning in imported.warnings { Console.error("posestudio: warning: \(poses): \(warning)") }
        return imported
    }
}

struct New: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Create a project from a source person image and a directory of poses.")

    @Argument(help: "The project file to create (.bdmm). Never overwritten.")
    var project: String

    @Option(help: "The source (appearance) person image, PNG or JPEG; stored as given.")
    var image: String

    @OptionGroup var input: PoseInputOptions

    @Option(help: "Frames per second of the pose sequence.")
    var fps: FPSArgument = FPSArgument(argument: "30")!

    @Option(name: .customLong("frame-size"), help: "Driving frame size in pixels (default: the source image's size).")
    var frameSize: FrameSizeArgument?

    @Option(name: .customLong("source-frame"), help: "The sequence frame whose pose is the source image's pose (default 0).")
    var sourceFrame: Int?

    @Option(name: .customLong("source-poses"), help: "An OpenPose JSON file with the source image's own keypoints.")
    var sourcePoses: String?

    @Option(help: "The driving video the poses come from; linked by path and checksum (not copied).")
    var video: String?

    func validate() throws {
        if sourceFrame != nil && sourcePoses != nil {
            throw ValidationError("give --source-frame or --source-poses, not both")
        }
    }

    func run() throws {
        guard FileManager.default.fileExists(atPath: image) else { throw ProjectError.notFound(path: image) }
        guard let bytes = FileManager.default.contents(atPath: image) else {
            throw ProjectError.io(path: image, why: "cannot read the file")
        }
        let sourceImage = try SourceImage(bytes: bytes, path: image)
        // Decoded whole at the door: a damaged image is refused now, not at every later render.
        let decoded = try ImageFile.decode([UInt8](bytes), name: image)
        guard decoded.width == sourceImage.size.width, decoded.height == sourceImage.size.height else {
            throw ProjectError.badImage(path: image, why: "its header says \(sourceImage.size), its pixels decode to \(decoded.size)")
        }
        let imported = try input.read()
        let videoReference = try video.map(DrivingVideoLink.reference(for:))
        let sequence = imported.sequence(fps: fps.value, frameSize: frameSize?.size ?? videoReference?.frameSize ?? sourceImage.size)
        if let videoReference, let video {
            for note in DrivingVideoLink.mismatches(videoReference, sequence) { Console.error("posestudio: warning: \(video): \(note)") }
        }

        let sourcePose: SourcePose
        var frame: Int? = nil
        if let sourcePoses {
            sourcePose = SourcePose(keypoints: try OpenPoseFormat.readFile(sourcePoses).pose)
        } else {
            let k = sourceFrame ?? 0
            guard sequence.frames.contains(k) else {
                throw ValidationError("--source-frame \(k): the sequence has frames 0–\(sequence.frameCount - 1)")
            }
            sourcePose = SourcePose(keypoints: sequence.pose(at: k), smpl: sequence.smpl[k])
            frame = k
        }
        let file = try ProjectFile.create(
            at: project,
            project: Project(sourceImage: sourceImage, sourcePose: sourcePose, sourceFrame: frame, sequence: sequence),
            settings: importSettings(imported))
        defer { try? file.close() }
        if let videoReference {
            do { try file.setDrivingVideo(videoReference) } catch {
                try? file.close()
                unlink(project)
                throw error
            }
        }
        Console.out("created \(project): \(sequence.frameCount) frames at \(PoseNumber.text(sequence.fps)) fps, "
                    + "\(sequence.frameSize), source \(sourceImage.format.rawValue) \(sourceImage.size)"
                    + (videoReference.map { ", driving video \($0.path)" } ?? ""))
    }
}

/// Settings that let an export reproduce the imported file names.
func importSettings(_ imported: ImportedPoses) -> [String: String] {
    ["import.prefix": imported.prefix, "import.first_index": String(imported.firstIndex)]
}

struct Import: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Replace the project's pose sequence (one undoable edit); fps and frame size stay.")

    @Argument(help: "The project file.")
    var project: String

    @OptionGroup var input: PoseInputOptions

    func run() throws {
        let file = try ProjectFile.open(at: project)
        defer { try? file.close() }
        let imported = try input.read()
        let sequence = imported.sequence(fps: file.sequence.fps, frameSize: file.sequence.frameSize)
        let entry = try file.apply(.replaceSequence(sequence), label: "import \(input.poses) (\(sequence.frameCount) frames)")
        for (key, value) in importSettings(imported) { try file.setSetting(key, value) }
        Console.out("imported \(sequence.frameCount) frames into \(project) (journal \(entry.index); undo with `posestudio undo`)")
    }
}

struct Info: ParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Describe a project.")

    @Argument(help: "The project file.")
    var project: String

    @Flag(help: "One JSON object instead of text.")
    var json = false

    func run() throws {
        let file = try ProjectFile.open(at: project)
        defer { try? file.close() }
        let s = file.sequence
        let counts = s.provenanceCounts
        let image = file.project.sourceImage
        let fit = FitSummary(s)
        let body = try file.body()
        if json {
            let object: [String: Any] = [
                "path": project,
                "frames": s.frameCount,
                "fps": s.fps,
                "width": s.frameSize.width,
                "height": s.frameSize.height,
                "joints": BODY25.jointCount,
                "missing_fraction": s.missingFraction,
                "provenance": Dictionary(uniqueKeysWithValues: Provenance.allCases.map { ($0.name, counts[$0] ?? 0) }),
                "pinned": s.keypoints.count(where: \.isPinned),
                "smpl_frames": s.smplFrameCount,
                "source": ["format": image.format.rawValue, "width": image.size.width, "height": image.size.height,
                           "frame": file.project.sourceFrame as Any? ?? NSNull(), "smpl": file.project.sourcePose.smpl != nil],
                "journal": ["length": file.journal.length, "position": file.journal.position],
                "fit": ["frames": fit.frames, "median_reprojection_px": fit.medianReprojectionPx,
                        "p95_reprojection_px": fit.p95ReprojectionPx],
                "body": body.map(Self.name) as Any? ?? NSNull(),
            ]
            let data = try JSONSerialization.data(withJSONObject: object, options: [.prettyPrinted, .sortedKeys])
            Console.out(String(decoding: data, as: UTF8.self))
            return
        }
        let missing = String(format: "%.2f %%", s.missingFraction * 100)
        Console.out("""
            project     \(project)
            frames      \(s.frameCount) at \(PoseNumber.text(s.fps)) fps (\(String(format: "%.2f", Double(s.frameCount) / s.fps)) s)
            frame size  \(s.frameSize)
            joints      \(BODY25.jointCount) (BODY_25)
            missing     \(missing) of \(s.keypoints.count) points
            provenance  \(Provenance.allCases.map { "\($0.name) \(counts[$0] ?? 0)" }.joined(separator: ", "))
            pinned      \(s.keypoints.count(where: \.isPinned))
            SMPL        \(s.smplFrameCount == 0 ? "none" : "\(s.smplFrameCount) of \(s.frameCount) frames")
            source      \(image.format.rawValue) \(image.size)\(file.project.sourceFrame.map { ", pose of frame \($0)" } ?? ", own pose")\(file.project.sourcePose.smpl == nil ? "" : ", SMPL")
            journal     \(file.journal.position) of \(file.journal.length) edits applied
            fit         \(fit.frames == 0 ? "none" : String(format: "%d frames, reprojection median %.2f px, p95 %.2f px (256 crop)", fit.frames, fit.medianReprojectionPx, fit.p95ReprojectionPx))\(body.map { ", body " + Self.name($0) } ?? "")
            """)
    }

    /// `builtin`, or the SMPL file's path.
    static func name(_ body: BodyReference) -> String {
        switch body {
        case .builtin: "builtin"
        case let .smpl(path, _): path
        }
    }
}

struct Export: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Write the current pose sequence as OpenPose JSON, BDMM kptsmpls JSON, or one project JSON document; or frames as MP4 / PNG.")

    enum Format: String, ExpressibleByArgument, CaseIterable { case openpose, bdmm, json }

    @Argument(help: "The project file.")
    var project: String

    @Option(help: "Output directory (openpose, bdmm); for json a .json file, a directory, or - for stdout.")
    var poses: String?

    @Option(help: "openpose, bdmm or json.")
    var format: Format = .openpose

    @OptionGroup(title: "Video export") var media: VideoExportOptions

    func validate() throws {
        if (poses == nil) == !media.wanted { throw ValidationError("give --poses, or --video and/or --png") }
    }

    func run() throws {
        guard let poses else { return try VideoExport.run(project: project, options: media) }
        let file = try ProjectFile.open(at: project)
        defer { try? file.close() }
        let settings = try file.settings()
        let sequence = file.sequence
        let stem = ((project as NSString).lastPathComponent as NSString).deletingPathExtension
        switch format {
        case .openpose:
            try OpenPoseFormat.write(sequence, to: poses, prefix: settings["import.prefix"] ?? stem,
                                     firstIndex: settings["import.first_index"].flatMap(Int.init) ?? 0)
            Console.out("wrote \(sequence.frameCount) OpenPose files to \(poses)")
        case .bdmm:
            try BDMMFormat.write(sequence, to: poses)
            Console.out("wrote \(sequence.frameCount) BDMM kptsmpls files to \(poses)")
        case .json:
            let text = ProjectJSON.document(file.project, settings: settings)
            if poses == "-" {
                FileHandle.standardOutput.write(Data(text.utf8))
                return
            }
            var target = poses
            if !poses.hasSuffix(".json") {
                target = (poses as NSString).appendingPathComponent(stem + ".json")
            }
            try ExportFile.write(text, to: target)
            Console.out("wrote \(target)")
        }
    }
}

enum ExportFile {
    static func write(_ text: String, to path: String) throws {
        let directory = (path as NSString).deletingLastPathComponent
        if !directory.isEmpty {
            try? FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        }
        do { try Data(text.utf8).write(to: URL(fileURLWithPath: path), options: .atomic) } catch {
            throw ProjectError.io(path: path, why: "cannot write the file")
        }
    }
}

enum PoseNumber {
    static func text(_ v: Double) -> String { v == v.rounded() ? String(Int(v)) : String(v) }
}
