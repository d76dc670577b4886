// FuzzTarget: one reader of outside bytes as libFuzzer drives it (Tests/Fuzz/Driver) and as
// `make test` replays the inputs that once broke it (Tests/FuzzRegressionTests). A target takes any
// bytes and returns normally: a refusal (a thrown error) is the right answer to a bad file; a trap,
// a sanitizer report, a leak, a hang or a runaway allocation is a finding.
import Foundation

public struct FuzzTarget: Sendable {
    /// The target's name: its corpus is `Tests/Fuzz/<name>/corpus/`, its regressions
    /// `Tests/Fixtures/fuzz-regressions/<name>/`.
    public let name: String
    /// What it reads, for `make fuzz`'s listing.
    public let summary: String
    /// libFuzzer's -max_len: larger than the corpus's files, small enough to stay fast.
    public let maxLength: Int
    /// Feeds one input to the reader; errors are caught and dropped (refusing is fine).
    public let run: @Sendable (UnsafeRawBufferPointer) -> Void

    public init(name: String, summary: String, maxLength: Int, run: @escaping @Sendable (UnsafeRawBufferPointer) -> Void) {
        self.name = name
        self.summary = summary
        self.maxLength = maxLength
        self.run = run
    }
}

public enum FuzzTargets {
    /// Every target, in `make fuzz`'s order.
    public static let all: [FuzzTarget] = WeightTargets.all + DocumentTargets.all + MediaTargets.all

    public static func named(_ name: String) -> FuzzTarget? { all.first { $0.name == name } }
}

/// A private directory for targets that read files by path (the readers' real entry points, so
/// the file handling is fuzzed too). In /dev/shm when there is one: nothing touches a disk.
/// Removed when the process exits (libFuzzer and the test runner both end with exit).
enum Scratch {
    static let directory: String = {
        let base = FileManager.default.fileExists(atPath: "/dev/shm") ? "/dev/shm" : NSTemporaryDirectory()
        let path = (base as NSString).appendingPathComponent("posestudio-fuzz-\(getpid())")
        try? FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        atexit { try? FileManager.default.removeItem(atPath: Scratch.directory) }
        return path
    }()

    static func path(_ name: String) -> String { (directory as NSString).appendingPathComponent(name) }

    /// Writes `bytes` to the scratch file `name` (replacing it) and returns its path.
    static func write(_ bytes: UnsafeRawBufferPointer, as name: String) -> String {
        let path = path(name)
        _ = FileManager.default.createFile(atPath: path, contents: Data(bytes))
        return path
    }

    /// Removes the scratch entries `names` (files or directories), if they exist.
    static func remove(_ names: [String]) {
        for name in names { try? FileManager.default.removeItem(atPath: path(name)) }
    }
}
