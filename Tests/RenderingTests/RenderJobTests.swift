// Render jobs: they run off the caller's thread, count their frames, and stop when cancelled.
import BodyKit
import Foundation
import Imaging
import PoseKit
import ProjectStore
import Testing
@testable import Rendering

/// Frames a job handed over, collected from the job's thread.
final class Collected: @unchecked Sendable {
    // @unchecked: `indices` is only touched under `lock`.
    private let lock = NSLock()
    private var indices: [Int] = []
    func add(_ t: Int) { lock.withLock { indices.append(t) } }
    var all: [Int] { lock.withLock { indices } }
}

@Suite struct RenderJobTests {
    static func renderer() throws -> DraftRenderer {
        var project = try DemoProject.load()
        let poses = (0..<30).map { project.sequence.pose(at: $0) }
        project.sequence = PoseSequence(fps: 60, frameSize: project.sequence.frameSize, frames: poses)
        return try DraftRenderer(project: project, name: "demo-30", body: BuiltinBody.model, options: RenderOptions(size: 64))
    }

    @Test func draftJobRendersEveryFrameOffTheCallersThread() throws {
        let renderer = try Self.renderer()
        let collected = Collected()
        let seenOnCaller = Collected()
        let caller = pthread_self()
        // The first frame waits for the caller: if starting the job blocked, this would deadlock.
        let gate = DispatchSemaphore(value: 0)
        let job = RenderJob.draft(renderer, frames: 5..<25) { t, image in
            if t == 5 { gate.wait() }
            if pthread_equal(pthread_self(), caller) != 0 { seenOnCaller.add(t) }
            if image.width == 64 { collected.add(t) }
        }
        #expect(job.state == .running && job.progress.done == 0)
        gate.signal()
        #expect(job.wait() == .finished)
        #expect(collected.all == Array(5..<25))
        #expect(seenOnCaller.all.isEmpty)
        let progress = job.progress
        #expect(progress.done == 20 && progress.total == 20 && progress.eta == 0)
    }

    @Test func cancelStopsAtTheNextFrame() throws {
        let renderer = try Self.renderer()
        let collected = Collected()
        let box = JobBox()
        let job = RenderJob.draft(renderer, frames: 0..<30) { t, _ in
            collected.add(t)
            if t == 9 { box.job?.cancel() }
            // Wait until the job is known, so frame 9 can cancel it.
            while box.job == nil { usleep(100) }
        }
        box.job = job
        #expect(job.wait() == .cancelled)
        #expect(collected.all == Array(0...9))
        #expect(job.progress.done == 10)
    }
}

final class JobBox: @unchecked Sendable {
    // @unchecked: `job` is only touched under `lock`.
    private let lock = NSLock()
    private var value: RenderJob?
    var job: RenderJob? {
        get { lock.withLock { value } }
        set { lock.withLock { value = newValue } }
    }
}
