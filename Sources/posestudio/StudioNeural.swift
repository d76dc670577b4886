// The studio's neural renders: the BDMM generator over clips of the project, through the render
// cache, on the job thread. `r` renders the current window as a clip of its own (a quick look),
// `R` the whole sequence (what an export renders); each clip rendered is remembered, and after an
// edit the clips holding edited frames are rendered again — the cache reuses the windows before
// the first edited one, so only those from there on are computed. The canvas reads the frames
// back through `RenderedFrames` (the newest in memory, older ones from the cache).
import Foundation
import Imaging
import PoseTransfer
import ProjectStore
import Rendering
import Studio

final class StudioNeural: @unchecked Sendable {
    // @unchecked: the mutable parts are behind `lock` (or `Locked`).
    /// The checkpoint, when one was found.
    let weightsPath: String?
    /// Why there is no neural render (no weights, a checkpoint that failed to load); read by the UI thread.
    let problem: Locked<String?>
    private let draft: SharedDraft
    private let cache: RenderCache
    private let threads: Int
    private let lock = NSLock()
    private var generator: BDMMGenerator?
    private let rendered: RenderedFrames
    private var clips: [Range<Int>] = []
    /// Told (on the job thread) which frames just got a picture.
    var onFrames: (@Sendable ([Int]) -> Void)?

    /// Finds the weights the way `render` does: `explicit`, the project's `render.weights`, the data directory.
    /// - Throws: only when `explicit` names a missing file (the other sources just leave the draft).
    init(explicit: String?, file: ProjectFile, draft: SharedDraft, environment: [String: String]) throws {
        var found: String?
        var why: String?
        let setting = try file.setting(WeightsLocation.settingKey).map { RenderSettings.resolve($0, project: file.path) }
        do {
            found = try WeightsLocation.find(explicit: explicit, setting: setting, environment: environment)
        } catch where explicit == nil {
            // A project setting naming a missing file says which; otherwise where weights go.
            why = setting != nil ? "neural render: \(error)"
                : "neural render: no generator weights (open --weights W, or latest_net_G.pth in \(WeightsLocation.directory(environment: environment))); t: draft view"
        }
        weightsPath = found
        problem = Locked(why)
        self.draft = draft
        cache = RenderCache.standard(environment: environment)
        rendered = RenderedFrames(cache: cache)
        threads = max(1, ProcessInfo.processInfo.activeProcessorCount - 1)
    }

    /// Frame `frame`'s neural render placed in the project's frame, or nil when it is not rendered.
    /// Called on the picture worker.
    func image(_ frame: Int) -> RGBImage? {
        guard let crop = rendered.crop(frame), let geometry = draft.renderer() else { return nil }
        return geometry.placed(crop, frame: frame)
    }

    /// The project changed: in each clip, the pictures from the first window that reads a changed
    /// frame to the clip's end are dropped (later windows take its carried state). A window reads
    /// its own frames and the first frame of the next window (its "post" frame).
    func changed(_ frames: Set<Int>) {
        let n = NeuralRenderer.windowLength
        lock.withLock {
            for clip in clips {
                guard let first = frames.filter({ clip.contains($0) }).min() else { continue }
                var window = (first - clip.lowerBound) / n
                if (first - clip.lowerBound) % n == 0 && window > 0 { window -= 1 }
                rendered.forget(clip.lowerBound + window * n..<clip.upperBound)
            }
        }
    }

    /// The clips to render for a request: `frames` itself (r, R), or when rendering `again` after
    /// an edit, the remembered clips that overlap it.
    func clips(for frames: Range<Int>, again: Bool) -> [Range<Int>] {
        lock.withLock {
            if again { return clips.filter { $0.overlaps(frames) } }
            clips.removeAll { frames.lowerBound <= $0.lowerBound && $0.upperBound <= frames.upperBound }
            clips.append(frames)
            return [frames]
        }
    }

    /// Renders `clip` on the calling (job) thread, window by window through the cache.
    func render(_ clip: Range<Int>, context: JobContext, done: Int, total: Int) throws -> NeuralRenderer.CacheUse {
        guard let weightsPath else { throw StudioServiceError(problem.value ?? "no generator weights") }
        guard let geometry = draft.renderer() else { throw StudioServiceError(draft.problem.value ?? "no bodies for the render") }
        let generator = try loadGenerator(weightsPath)
        let renderer = try NeuralRenderer(geometry: geometry, generator: generator, threads: threads)
        context.mark(Array(clip), .rendering)
        var finished = done
        var windowKey: (key: String, frames: [Int])?
        let use = try renderer.render(clip, cache: cache, weightsID: WeightsLocation.identity(of: weightsPath),
                                      cancelled: context.isCancelled, window: { windowKey = ($0, $1) }) { t, image in
            rendered.add(t, crop: image, window: windowKey)
            onFrames?([t])
            context.mark([t], .rendered)
            finished += 1
            context.report(finished, total)
        }
        if context.isCancelled() {
            context.mark(Array(clip.lowerBound + (finished - done)..<clip.upperBound), .none)
            throw JobCancelled()
        }
        return use
    }

    private func loadGenerator(_ path: String) throws -> BDMMGenerator {
        if let generator = lock.withLock({ generator }) { return generator }
        do {
            let made = try WeightsLocation.generator(at: path)
            lock.withLock { generator = made }
            return made
        } catch {
            problem.value = "neural render: \(error)"
            throw error
        }
    }
}
