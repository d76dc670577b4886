// `posestudio body …`: looking at body models. `preview` rasterises a body's silhouette from the
// front and the side into a greyscale PNG, with its BODY_25 keypoints marked.
import ArgumentParser
import BodyKit
import Foundation
import ProjectFitting
import ProjectStore

struct BodyCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "body", abstract: "Inspect body models (the built-in stand-in body or a SMPL file).",
        subcommands: [BodyPreview.self])
}

struct BodyPreview: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "preview", abstract: "Write a PNG of a body's silhouette from the front and the side, keypoints marked.")

    @Option(help: "The PNG to write.") var out: String
    @Option(help: "Pixel size of each view.") var size = 256
    @Option(help: "β: up to 10 comma-separated shape values (the rest are 0).") var shape: String?
    @Option(help: "Arms: tpose or apose.") var arms: ArmPose = .apose
    @OptionGroup var body: BodyOption

    enum ArmPose: String, ExpressibleByArgument, CaseIterable { case tpose, apose }

    func validate() throws {
        guard (32...2048).contains(size) else { throw ValidationError("--size must be 32…2048") }
    }

    func run() throws {
        let model = try body.load(recorded: nil)
        var beta = [Double](repeating: 0, count: 10)
        if let shape {
            let values = shape.split(separator: ",").map { Double($0.trimmingCharacters(in: .whitespaces)) }
            guard values.count <= 10, values.allSatisfy({ $0?.isFinite == true }) else {
                throw ValidationError("--shape takes up to 10 comma-separated numbers")
            }
            for (i, v) in values.enumerated() { beta[i] = v! }
        }
        var images: [[UInt8]] = []
        for yaw in [0.0, Double.pi / 2] {
            var theta = [Double](repeating: 0, count: 72)
            let root = BodyModel.viewOrientation(yaw: yaw)
            theta[0] = root.x; theta[1] = root.y; theta[2] = root.z
            if arms == .apose {
                theta[3 * 16 + 2] = -1.1
                theta[3 * 17 + 2] = 1.1
            }
            let posed = model.posed(pose: theta, shape: beta)
            let camera = BodyModel.framingCamera(posed.vertices)
            let silhouette = Silhouette(vertices: posed.vertices, faces: model.faces, camera: camera, size: size)
            var pixels = silhouette.mask.map { $0 ? UInt8(170) : UInt8(20) }
            for k in posed.keypoints {
                let p = camera.cropPixel(k, resolution: size)
                let (cx, cy) = (Int(p.x.rounded()), Int(p.y.rounded()))
                for dy in -1...1 {
                    for dx in -1...1 where (0..<size).contains(cx + dx) && (0..<size).contains(cy + dy) {
                        pixels[(cy + dy) * size + cx + dx] = 255
                    }
                }
            }
            images.append(pixels)
        }
        var joined = [UInt8](repeating: 0, count: 2 * size * size)
        for row in 0..<size {
            for (i, image) in images.enumerated() {
                joined.replaceSubrange((row * 2 + i) * size ..< (row * 2 + i + 1) * size, with: image[row * size ..< (row + 1) * size])
            }
        }
        try ExportFile.write(data: GreyPNG.encode(width: 2 * size, height: size, pixels: joined), to: out)
        Console.out("wrote \(out): \(model.kind) front and side, \(model.vertexCount) vertices, \(model.faceCount) faces")
    }
}

/// `--body builtin|PATH`, shared by `fit` and `body preview`.
struct BodyOption: ParsableArguments {
    @Option(name: .customLong("body"), help: "builtin (the stand-in body, default) or the path of a SMPL model file (.pkl or .npz).")
    var choice: String?

    /// The body asked for on the command line; nil when `--body` was not given.
    var requested: BodyKind? {
        switch choice {
        case nil: nil
        case "builtin"?: .builtin
        case let path?: .smpl(path: path)
        }
    }

    /// The requested body, or the one `recorded` in the project when none is requested.
    func load(recorded: BodyKind?) throws -> BodyModel {
        try BodyLibrary.load(requested ?? recorded ?? .builtin, requested: choice != nil)
    }
}

struct Fit: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Fit SMPL bodies to the keypoints of frames and of the source pose, and store them (one undoable edit).",
        discussion: """
            The project remembers the body it was fitted with; without --body that body is used again \
            (the built-in stand-in body for a project never fitted). Figures are reprojection errors in \
            pixels of the 256 crop.
            """)

    @Argument(help: "The project file.")
    var project: String
    @Option(help: "Frames to fit, START:END (half-open) or N; all when omitted.")
    var frames: FrameRangeArgument?
    @OptionGroup var body: BodyOption

    func run() throws {
        let file = try ProjectFile.open(at: project)
        defer { try? file.close() }
        let loaded = try ProjectBody.load(for: file, requested: body.requested)
        if let note = loaded.note { Console.error("posestudio: note: \(note)") }
        let fitter = ProjectFitter(body: loaded)
        let range = frames?.range ?? file.sequence.frames
        let progress: ((Int, Int) -> Void)? = isatty(STDERR_FILENO) == 1 ? { done, total in
            if done == total || done % 10 == 0 {
                FileHandle.standardError.write(Data("\rfitting \(range.count) frames: \(100 * done / max(total, 1)) %".utf8))
            }
        } : nil
        let clock = ContinuousClock.now
        let summary = try fitter.fit(frames: frames?.range, in: file, progress: progress)
        if progress != nil { FileHandle.standardError.write(Data("\n".utf8)) }
        let fitted = range.count(where: { file.sequence.fits[$0] != nil })
        Console.out(String(format: "fitted %d of %d frames %d:%d with %@ in %.1f s; source pose %@",
                           fitted, range.count, range.lowerBound, range.upperBound, "\(loaded.model.kind)",
                           clock.elapsedMS / 1000, file.project.sourcePose.fit == nil ? "not fitted (too few keypoints)" : "fitted"))
        Console.out(String(format: "project: %d fitted frames, reprojection median %.2f px, p95 %.2f px (256 crop)",
                           summary.frames, summary.medianReprojectionPx, summary.p95ReprojectionPx))
    }
}

extension ExportFile {
    /// Writes bytes atomically (temporary file + rename).
    static func write(data: Data, to path: String) throws {
        let directory = (path as NSString).deletingLastPathComponent
        if !directory.isEmpty {
            try? FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        }
        do { try data.write(to: URL(fileURLWithPath: path), options: .atomic) } catch {
            throw ProjectError.io(path: path, why: "cannot write the file")
        }
    }
}
