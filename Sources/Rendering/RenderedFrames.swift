// Neural frames a viewer has rendered, for showing them again: the newest crops stay in memory (a
// bounded number), older ones are read back from the render cache through their window's key,
// so rendering a long sequence does not grow memory. Thread-safe.
import Foundation
import Imaging

public final class RenderedFrames: @unchecked Sendable {
    // @unchecked: every mutable member is only touched under `lock`.
    private let cache: RenderCache
    private let kept: Int
    private let lock = NSLock()
    private var crops: [Int: RGBImage] = [:]
    private var order: [Int] = []
    /// Each frame's cached window: its key and the frame's place in it (padding included).
    private var windows: [Int: (key: String, index: Int)] = [:]

    /// - Parameter kept: how many crops stay in memory.
    public init(cache: RenderCache, kept: Int = 512) {
        self.cache = cache
        self.kept = max(1, kept)
    }

    /// A frame just rendered: its crop and, when it was cached, its window's key and frame list
    /// (as `NeuralRenderer.render` reports them).
    public func add(_ frame: Int, crop: RGBImage, window: (key: String, frames: [Int])?) {
        lock.withLock {
            keep(frame, crop)
            if let window, let index = window.frames.firstIndex(of: frame) { windows[frame] = (window.key, index) } else { windows[frame] = nil }
        }
    }

    /// The frame's crop, from memory or read back from the cache; nil when it is not rendered (or
    /// its window is no longer in the cache).
    public func crop(_ frame: Int) -> RGBImage? {
        let (known, window) = lock.withLock { (crops[frame], windows[frame]) }
        if let known { return known }
        guard let window, let frames = cache.frames(window.key), frames.indices.contains(window.index) else { return nil }
        lock.withLock {
            // Unless the frame was rendered again or forgotten meanwhile.
            if let current = windows[frame], current == window { keep(frame, frames[window.index]) }
        }
        return frames[window.index]
    }

    /// Forgets frames whose renders no longer hold.
    public func forget(_ frames: some Sequence<Int>) {
        lock.withLock {
            for t in frames {
                crops[t] = nil
                windows[t] = nil
            }
            order.removeAll { crops[$0] == nil }
        }
    }

    /// Keeps a crop, dropping the oldest beyond `kept` from memory. Under `lock`.
    private func keep(_ frame: Int, _ crop: RGBImage) {
        if crops.updateValue(crop, forKey: frame) == nil { order.append(frame) }
        while order.count > kept { crops[order.removeFirst()] = nil }
    }
}
