// Helpers shared by the test targets.
import Foundation

/// A fresh temporary directory, removed when the value is dropped.
public final class TemporaryDirectory {
    public let path: String
    public init() {
        path = NSTemporaryDirectory() + "posestudio-test-\(UUID().uuidString)"
        try! FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
    }
    deinit { try? FileManager.default.removeItem(atPath: path) }
    public func file(_ name: String) -> String { (path as NSString).appendingPathComponent(name) }
}

/// On CI (`CI=true`) everything a test needs is installed (tmux, root, libx264), so a test that
/// would skip for want of it runs and fails instead: nothing CI claims to check is skipped there.
public enum CI {
    public static let isOn = ["true", "1", "yes"].contains(ProcessInfo.processInfo.environment["CI"]?.lowercased() ?? "")

    /// Whether a test needing something `available` runs: always on CI, else when it is there.
    public static func runs(needing available: Bool) -> Bool { available || isOn }
}

/// Kills a child process still running after `seconds` (no wait in a test without a timeout);
/// `cancel()` once the process has exited.
public final class Watchdog: @unchecked Sendable {
    private let item: DispatchWorkItem

    public init(pid: Int32, seconds: Double) {
        item = DispatchWorkItem { kill(pid, SIGKILL) }
        DispatchQueue.global().asyncAfter(deadline: .now() + seconds, execute: item)
    }

    public func cancel() { item.cancel() }
}
