// Background work of the studio: a serial job queue (renders, fits, exports) reporting progress
// into the session's inbox, cancellable at the points the job checks, never run on the UI thread.
import Dispatch
import Foundation

/// Actions posted from other threads, drained by the session on its own thread.
final class Inbox: @unchecked Sendable {
    private let lock = NSLock()
    private var actions: [Action] = []
    func post(_ action: Action) {
        lock.lock()
        actions.append(action)
        lock.unlock()
    }
    func drain() -> [Action] {
        lock.lock()
        defer { lock.unlock() }
        let all = actions
        actions.removeAll()
        return all
    }
}

/// A value shared between threads behind a lock.
public final class Locked<Value>: @unchecked Sendable {
    private let lock = NSLock()
    private var stored: Value
    public init(_ value: Value) { stored = value }
    public var value: Value {
        get { lock.lock(); defer { lock.unlock() }; return stored }
        set { lock.lock(); stored = newValue; lock.unlock() }
    }
    /// Replaces the value and returns the old one, atomically.
    public func exchange(_ new: Value) -> Value {
        lock.lock()
        defer { lock.unlock() }
        let old = stored
        stored = new
        return old
    }
}

/// What a running job can do: report progress and ask whether it should stop.
public struct JobContext: Sendable {
    public let report: @Sendable (_ done: Int, _ total: Int) -> Void
    public let isCancelled: @Sendable () -> Bool
    /// Marks frames on the timeline (rendering, rendered).
    public let mark: @Sendable (_ frames: [Int], RenderMark) -> Void

    public init(report: @escaping @Sendable (Int, Int) -> Void, isCancelled: @escaping @Sendable () -> Bool,
                mark: @escaping @Sendable ([Int], RenderMark) -> Void = { _, _ in }) {
        self.report = report
        self.isCancelled = isCancelled
        self.mark = mark
    }
}

public struct JobCancelled: Error {
    public init() {}
}

final class JobQueue: @unchecked Sendable {
    private let inbox: Inbox
    private let queue = DispatchQueue(label: "posestudio.jobs", qos: .utility)
    private let group = DispatchGroup()
    private let lock = NSLock()
    private var nextID = 1
    private var cancelled: Set<Int> = []
    /// Cancelled because newer work replaces them: they end without a message.
    private var superseded: Set<Int> = []
    private var running: Set<Int> = []

    init(inbox: Inbox) { self.inbox = inbox }

    var isBusy: Bool {
        lock.lock()
        defer { lock.unlock() }
        return !running.isEmpty
    }

    /// Queues `work`; its return value is the message shown when it finishes.
    @discardableResult
    func start(_ title: String, total: Int, _ work: @escaping @Sendable (JobContext) throws -> String) -> Int {
        lock.lock()
        let id = nextID
        nextID += 1
        running.insert(id)
        lock.unlock()
        inbox.post(.jobChanged(JobStatus(id: id, title: title, done: 0, total: total)))
        let started = Date()
        let context = JobContext(
            report: { [inbox] done, total in
                let elapsed = Date().timeIntervalSince(started)
                let eta = done > 0 ? elapsed / Double(done) * Double(total - done) : nil
                inbox.post(.jobChanged(JobStatus(id: id, title: title, done: done, total: total, eta: eta)))
            },
            isCancelled: { [weak self] in self?.isCancelled(id) ?? true },
            mark: { [inbox] frames, mark in inbox.post(.markFrames(frames, mark)) })
        queue.async(group: group) { [inbox] in
            let message: StatusMessage
            do {
                if self.isCancelled(id) { throw JobCancelled() }
                message = StatusMessage(try work(context))
            } catch is JobCancelled {
                message = self.lock.withLock { self.superseded.contains(id) } ? StatusMessage("") : StatusMessage("\(title): cancelled", .warning)
            } catch {
                message = StatusMessage("\(title): \(error)", .error)
            }
            self.lock.lock()
            self.running.remove(id)
            self.lock.unlock()
            inbox.post(.jobFinished(id: id, message: message))
        }
        return id
    }

    private func isCancelled(_ id: Int) -> Bool {
        lock.lock()
        defer { lock.unlock() }
        return cancelled.contains(id)
    }

    /// Cancels a job replaced by newer work (it ends quietly).
    func supersede(_ id: Int) {
        lock.lock()
        if running.contains(id) {
            cancelled.insert(id)
            superseded.insert(id)
        }
        lock.unlock()
    }

    func cancel(_ ids: Set<Int>) {
        lock.lock()
        cancelled.formUnion(ids.intersection(running))
        lock.unlock()
    }

    func cancelAll() {
        lock.lock()
        cancelled.formUnion(running)
        lock.unlock()
    }

    func wait() { group.wait() }
}
