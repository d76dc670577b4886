// Replays, in process, every input that once broke a reader (Tests/Fixtures/fuzz-regressions/
// <target>/) and every seed of every fuzz corpus (Tests/Fuzz/<target>/corpus/) through its fuzz
// target: each must come back (a refusal is fine; a trap ends this test process). The CLI's answer
// to the same inputs (exit 1, a clear message, the file untouched) is CLITests/FuzzRegressionCLITests.
import Foundation
import FuzzTargets
import Testing

@Suite struct FuzzRegressionTests {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    static func files(_ directory: String) -> [String] {
        let path = root.appendingPathComponent(directory).path
        let names = (try? FileManager.default.contentsOfDirectory(atPath: path)) ?? []
        return names.filter { !$0.hasPrefix(".") && $0 != "README.md" }.sorted().map { (path as NSString).appendingPathComponent($0) }
    }

    static func replay(_ target: FuzzTarget, _ path: String) throws {
        let bytes = try Data(contentsOf: URL(fileURLWithPath: path))
        bytes.withUnsafeBytes { target.run($0) }
        #expect(try Data(contentsOf: URL(fileURLWithPath: path)) == bytes, "\(path) changed")
    }

    @Test("every target has a seed corpus", arguments: FuzzTargets.all.map(\.name))
    func corpus(_ name: String) throws {
        let seeds = Self.files("Tests/Fuzz/\(name)/corpus")
        #expect(!seeds.isEmpty, "Tests/Fuzz/\(name)/corpus is empty")
        for seed in seeds {
            let size = try FileManager.default.attributesOfItem(atPath: seed)[.size] as? Int ?? 0
            #expect(size <= FuzzTargets.named(name)!.maxLength, "\(seed) is longer than the target's -max_len")
            try Self.replay(FuzzTargets.named(name)!, seed)
        }
    }

    @Test("inputs that once broke a reader come back", arguments: FuzzTargets.all.map(\.name))
    func regressions(_ name: String) throws {
        for input in Self.files("Tests/Fixtures/fuzz-regressions/\(name)") { try Self.replay(FuzzTargets.named(name)!, input) }
    }

    @Test func regressionDirectoriesNameTargets() {
        let known = Set(FuzzTargets.all.map(\.name))
        for directory in Self.files("Tests/Fixtures/fuzz-regressions") where !directory.hasSuffix(".md") {
            #expect(known.contains((directory as NSString).lastPathComponent), "\(directory) is no fuzz target's")
        }
    }
}
