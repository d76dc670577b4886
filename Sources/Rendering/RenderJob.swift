// Render jobs for the studio: a draft or neural render running on its own thread, so the caller's
// thread is never blocked. The job reports progress (frames done / total, elapsed, ETA from the
// rate so far), hands each frame to a callback on the job's thread, and can be cancelled: a draft
// stops at the next frame boundary, a neural render at the next window boundary (≤ 6 frames).
import Foundation
import Imaging

public final class RenderJob: @unchecked Sendable {
    // @unchecked: `progressValue`, `stateValue` and `cancelRequested` are only touched under `lock`.
    public struct Progress: Equatable, Sendable {
        public var done: Int
        public var total: Int
        public var elapsed: Double
        /// Seconds left at the rate so far (nil before the first frame).
        public var eta: Double? { done == 0 ? nil : elapsed / Double(done) * Double(total - done) }
    }

    public enum State: Equatable, Sendable {
        case running
        case finished
        case cancelled
        case failed(String)
    }

    private let lock = NSLock()
    private let finishedSignal = DispatchSemaphore(value: 0)
    private var progressValue: Progress
    private var stateValue: State = .running
    private var cancelRequested = false
    private let start = ContinuousClock.now

    private init(total: Int) { progressValue = Progress(done: 0, total: total, elapsed: 0) }

    public var progress: Progress { lock.withLock { progressValue } }
    public var state: State { lock.withLock { stateValue } }
    public var isCancelled: Bool { lock.withLock { cancelRequested } }

    /// Asks the job to stop at its next boundary; returns at once.
    public func cancel() { lock.withLock { cancelRequested = true } }

    /// Blocks until the job ends (for command-line use and tests; the studio polls `state`).
    @discardableResult
    public func wait() -> State {
        finishedSignal.wait()
        finishedSignal.signal()
        return state
    }

    private func frameDone() {
        let elapsed = Double((ContinuousClock.now - start).components.attoseconds) / 1e18 + Double((ContinuousClock.now - start).components.seconds)
        lock.withLock {
            progressValue.done += 1
            progressValue.elapsed = elapsed
        }
    }

    private func run(_ work: @escaping @Sendable (RenderJob) throws -> Void) -> RenderJob {
        let thread = Thread { [self] in
            let end: State
            do {
                try work(self)
                end = isCancelled ? .cancelled : .finished
            } catch {
                end = .failed("\(error)")
            }
            lock.withLock { stateValue = end }
            finishedSignal.signal()
        }
        thread.name = "posestudio render job"
        thread.start()
        return self
    }

    /// Drafts of `frames`, each handed to `onFrame` (on the job's thread) as it is rendered.
    public static func draft(_ renderer: DraftRenderer, frames: Range<Int>,
                             onFrame: @escaping @Sendable (Int, RGBImage) -> Void) -> RenderJob {
        RenderJob(total: frames.count).run { job in
            for t in frames {
                if job.isCancelled { return }
                onFrame(t, renderer.render(frame: t))
                job.frameDone()
            }
        }
    }

    /// The neural render of `clip` (through `cache` when given), frames handed to `onFrame`.
    public static func neural(_ renderer: NeuralRenderer, clip: Range<Int>, cache: RenderCache?, weightsID: String,
                              onFrame: @escaping @Sendable (Int, RGBImage) -> Void) -> RenderJob {
        RenderJob(total: clip.count).run { job in
            try renderer.render(clip, cache: cache, weightsID: weightsID, cancelled: { job.isCancelled }) { t, image in
                onFrame(t, image)
                job.frameDone()
            }
        }
    }
}
