// Parallel: deterministic work splitting. A range is cut into `workers` contiguous chunks that
// depend only on the range and the worker count, and every output element is written by exactly
// one chunk with the same arithmetic, so results do not depend on the number of threads.
import Dispatch

enum Parallel {
    /// Runs `body` on disjoint chunks of 0..<count, concurrently. Callers write only the elements
    /// of their chunk; that contract is what makes sharing the (non-Sendable) body sound.
    static func forEachChunk(_ count: Int, workers: Int, minimumChunk: Int = 1,
                             _ body: (Range<Int>) -> Void) {
        forEachIndexedChunk(count, workers: workers, minimumChunk: minimumChunk) { _, range in body(range) }
    }

    /// The same, also passing the chunk's index (below `workers`), e.g. to pick per-worker scratch.
    static func forEachIndexedChunk(_ count: Int, workers: Int, minimumChunk: Int = 1,
                                    _ body: (Int, Range<Int>) -> Void) {
        guard count > 0 else { return }
        let chunks = max(1, min(workers, count / max(1, minimumChunk)))
        if chunks == 1 { body(0, 0..<count); return }
        withoutActuallyEscaping(body) { escapable in
            let shared = UncheckedSendable(value: escapable)
            DispatchQueue.concurrentPerform(iterations: chunks) { chunk in
                let start = count * chunk / chunks, end = count * (chunk + 1) / chunks
                if start < end { shared.value(chunk, start..<end) }
            }
        }
    }
}

private struct UncheckedSendable<Value>: @unchecked Sendable { let value: Value }
