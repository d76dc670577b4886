// The render cache keeps to its budget: after a store, the least recently used windows go first
// (a read counts as a use), the window just stored is kept, and a window that is gone is simply
// not found (the renderer recomputes it).
import Foundation
import PoseTransfer
import TensorEngine
import TestSupport
import Testing
@testable import Rendering

@Suite struct RenderCacheBudgetTests {
    static func window(_ value: Float) -> (frames: [Tensor], carried: CarriedState) {
        let t = Tensor(shape: [1, 3, 16, 16], repeating: value)
        return ([t, t], CarriedState(style: t, lastFrame: t, structure: t, forwardQuarter: t, forwardHalf: t))
    }

    /// Sets a window file's last-use date `age` seconds into the past.
    static func age(_ cache: RenderCache, _ key: String, _ age: Double) {
        let when = Date().addingTimeInterval(-age)
        try? FileManager.default.setAttributes([.modificationDate: when], ofItemAtPath: cache.file(key).path)
    }

    @Test func leastRecentlyUsedWindowsGoFirstWhenOverBudget() throws {
        let dir = TemporaryDirectory()
        let probe = RenderCache(directory: dir.file("probe"))
        let w = Self.window(0.5)
        try probe.store("probe", frames: w.frames, carried: w.carried)
        let size = try #require(try FileManager.default.attributesOfItem(atPath: probe.file("probe").path)[.size] as? NSNumber).int64Value

        // Room for three windows and a half.
        let cache = RenderCache(directory: dir.file("cache"), budget: size * 7 / 2)
        for (i, key) in ["a", "b", "c"].enumerated() {
            let w = Self.window(Float(i))
            try cache.store(key, frames: w.frames, carried: w.carried)
            Self.age(cache, key, Double(100 - i * 10))   // a oldest, then b, then c
        }
        #expect(["a", "b", "c"].allSatisfy(cache.contains))
        // Reading a makes it the most recently used.
        #expect(cache.load("a")?.frames.first?.storage.first == 0)
        let d = Self.window(3)
        try cache.store("d", frames: d.frames, carried: d.carried)
        // Four windows are over budget: b, now the least recently used, goes (three are under 90 %).
        #expect(!cache.contains("b"))
        #expect(cache.contains("a") && cache.contains("c") && cache.contains("d"))
        #expect(cache.load("b") == nil)
        #expect(cache.load("d")?.frames.first?.storage.first == 3)
    }

    @Test func theWindowJustStoredIsKeptEvenWhenItAloneIsOverBudget() throws {
        let dir = TemporaryDirectory()
        let cache = RenderCache(directory: dir.file("cache"), budget: 10)
        let w = Self.window(1)
        try cache.store("x", frames: w.frames, carried: w.carried)
        try cache.store("y", frames: w.frames, carried: w.carried)
        #expect(cache.contains("y"))
        #expect(!cache.contains("x"))
    }

    @Test func theBudgetComesFromTheEnvironment() {
        #expect(RenderCache.standard(environment: ["HOME": "/h"]).budget == RenderCache.defaultBudget)
        #expect(RenderCache.standard(environment: ["HOME": "/h", "POSESTUDIO_RENDER_CACHE_MB": "300"]).budget == 300 << 20)
        #expect(RenderCache.standard(environment: ["HOME": "/h", "POSESTUDIO_RENDER_CACHE_MB": "lots"]).budget == RenderCache.defaultBudget)
    }
}
