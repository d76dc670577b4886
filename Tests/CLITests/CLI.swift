// Runs the built `posestudio` binary as a user would and captures what it prints.
import Foundation
@_exported import TestSupport

enum CLI {
    /// The repository root (these tests use the committed demo data under Projects/).
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    static let demo = root.appendingPathComponent("Projects/pose2sim-demo")
    static let demoPoses = demo.appendingPathComponent("cam01_keypoints").path
    static let demoImage = demo.appendingPathComponent("source.png").path

    /// The binary SwiftPM built next to the test bundle.
    static let binary: URL = {
        if let path = ProcessInfo.processInfo.environment["POSESTUDIO_BIN"] { return URL(fileURLWithPath: path) }
        var dir = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent()
        for _ in 0..<4 {
            let candidate = dir.appendingPathComponent("posestudio")
            if FileManager.default.isExecutableFile(atPath: candidate.path) { return candidate }
            dir = dir.deletingLastPathComponent()
        }
        return root.appendingPathComponent(".build/debug/posestudio")
    }()

    struct Result {
        var status: Int32
        var out: String
        var err: String
    }

    @discardableResult
    static func run(_ arguments: [String], stdin: String? = nil, environment: [String: String] = [:], directory: String? = nil,
                    timeout: Double = 900) throws -> Result {
        let process = Process()
        process.executableURL = binary
        process.arguments = arguments
        if let directory { process.currentDirectoryURL = URL(fileURLWithPath: directory) }
        if !environment.isEmpty { process.environment = ProcessInfo.processInfo.environment.merging(environment) { $1 } }
        let scratch = FileManager.default.temporaryDirectory.appendingPathComponent("cli-\(UUID().uuidString)")
        _ = FileManager.default.createFile(atPath: scratch.path + ".out", contents: nil)
        _ = FileManager.default.createFile(atPath: scratch.path + ".err", contents: nil)
        defer {
            try? FileManager.default.removeItem(atPath: scratch.path + ".out")
            try? FileManager.default.removeItem(atPath: scratch.path + ".err")
        }
        process.standardOutput = FileHandle(forWritingAtPath: scratch.path + ".out")
        process.standardError = FileHandle(forWritingAtPath: scratch.path + ".err")
        let input = Pipe()
        process.standardInput = input
        try process.run()
        // No wait without a timeout: a command still running after `timeout` is killed (and its
        // test fails on the exit status).
        let watchdog = Watchdog(pid: process.processIdentifier, seconds: timeout)
        if let stdin { input.fileHandleForWriting.write(Data(stdin.utf8)) }
        try input.fileHandleForWriting.close()
        process.waitUntilExit()
        watchdog.cancel()
        let out = String(decoding: FileManager.default.contents(atPath: scratch.path + ".out") ?? Data(), as: UTF8.self)
        let err = String(decoding: FileManager.default.contents(atPath: scratch.path + ".err") ?? Data(), as: UTF8.self)
        return Result(status: process.terminationStatus, out: out, err: err)
    }

    /// `posestudio new` on the demo data into `dir`; returns the project path.
    static func newDemo(in dir: String, fps: String = "60") throws -> String {
        let path = (dir as NSString).appendingPathComponent("demo.bdmm")
        let result = try run(["new", path, "--image", demoImage, "--poses", demoPoses, "--fps", fps])
        guard result.status == 0 else { throw CLIError(result: result) }
        return path
    }

    struct CLIError: Error, CustomStringConvertible {
        var result: Result
        var description: String { "exit \(result.status): \(result.err)" }
    }
}
