// Every input that once broke a reader (Tests/Fixtures/fuzz-regressions/<target>/), given to the
// command that reads that kind of file: exit status 1, a message naming the file, no trap or
// backtrace, and the file byte for byte as it was. (FuzzRegressionTests replays the same inputs
// in process; theme, key-map, raw-deflate and window-cache inputs have no command of their own
// that refuses them — the studio reports config problems and recomputes bad cache windows.)
import Foundation
import Testing

@Suite struct FuzzRegressionCLITests {
    struct Input: CustomTestStringConvertible, Sendable {
        let target: String
        let path: String
        var testDescription: String { "\(target)/\((path as NSString).lastPathComponent)" }
    }

    static let regressions = CLI.root.appendingPathComponent("Tests/Fixtures/fuzz-regressions").path

    /// The command that reads (and refuses) each target's kind of file, given the file (copied into
    /// `dir`) and `dir`. Targets without one are replayed in process only.
    static let commands: [String: @Sendable (String, TemporaryDirectory) throws -> [String]] = {
        let bodyPreview: @Sendable (String, TemporaryDirectory) throws -> [String] = { file, dir in
            ["body", "preview", "--body", file, "--out", dir.file("preview.png")]
        }
        let render: @Sendable (String, TemporaryDirectory) throws -> [String] = { file, dir in
            ["render", try CLI.newDemo(in: dir.path), "--weights", file, "--frames", "0:1", "--out", dir.file("out")]
        }
        func new(format: String) -> @Sendable (String, TemporaryDirectory) throws -> [String] {
            { file, dir in
                ["new", dir.file("p.bdmm"), "--image", CLI.demoImage, "--poses", (file as NSString).deletingLastPathComponent, "--format", format]
            }
        }
        return [
            "pickle": bodyPreview, "smpl": bodyPreview, "numpy": bodyPreview,
            "zip": render, "torch-checkpoint": render, "safetensors": render,
            "openpose-json": new(format: "openpose"), "bdmm-json": new(format: "bdmm"),
            "project": { file, _ in ["info", file] },
            "image": { file, dir in ["new", dir.file("p.bdmm"), "--image", file, "--poses", CLI.demoPoses] },
            "video": { file, dir in ["new", dir.file("p.bdmm"), "--image", CLI.demoImage, "--poses", CLI.demoPoses, "--video", file] },
        ]
    }()

    /// The name the copy gets: pose readers want a frame-numbered JSON file in a directory.
    static func copyName(_ target: String, _ original: String) -> String {
        switch target {
        case "openpose-json": "poses/cam_000000000000_keypoints.json"
        case "bdmm-json": "poses/000000.json"
        default: (original as NSString).lastPathComponent
        }
    }

    static let inputs: [Input] = {
        let targets = (try? FileManager.default.contentsOfDirectory(atPath: regressions)) ?? []
        return targets.sorted().filter { commands[$0] != nil }.flatMap { target in
            let dir = (regressions as NSString).appendingPathComponent(target)
            let files = (try? FileManager.default.contentsOfDirectory(atPath: dir)) ?? []
            return files.sorted().filter { !$0.hasPrefix(".") }.map { Input(target: target, path: (dir as NSString).appendingPathComponent($0)) }
        }
    }()

    @Test("a regression input is refused cleanly", arguments: inputs)
    func refused(_ input: Input) throws {
        let dir = TemporaryDirectory()
        let copy = dir.file(Self.copyName(input.target, input.path))
        try FileManager.default.createDirectory(atPath: (copy as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
        try FileManager.default.copyItem(atPath: input.path, toPath: copy)
        let command = try #require(Self.commands[input.target])
        let arguments = try command(copy, dir)
        let before = try Data(contentsOf: URL(fileURLWithPath: copy))
        let result = try CLI.run(arguments, environment: ["SWIFT_BACKTRACE": "enable=no"], timeout: 120)
        #expect(result.status == 1, "exit \(result.status): \(result.err)")
        #expect(result.err.contains((copy as NSString).lastPathComponent) || result.err.contains((copy as NSString).deletingLastPathComponent),
                "the message names no file: \(result.err)")
        #expect(!result.err.contains("Fatal error") && !result.err.contains("Backtrace"), "\(result.err)")
        #expect(try Data(contentsOf: URL(fileURLWithPath: copy)) == before, "\(copy) changed")
    }
}
