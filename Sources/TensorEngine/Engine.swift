// Engine: where ops run. Holds the worker count (for our loops and our split GEMMs) and grow-only scratch
// buffers reused between calls, so the large im2col matrices are not reallocated (and page-faulted)
// for every convolution. Not thread-safe: one engine per thread of work.

public final class Engine {
    public let threads: Int
    /// Multiply-accumulates of the convolutions (GEMMs and FIR blurs) run so far.
    public internal(set) var multiplyAccumulates = 0
    /// Where the time goes, when set (see Profile).
    public var profile: Profile?
    private var scratch: [UnsafeMutablePointer<Float>?]
    private var scratchCapacity: [Int]

    public init(threads: Int) {
        self.threads = max(1, threads)
        self.scratch = [nil, nil, nil]
        self.scratchCapacity = [0, 0, 0]
        BLAS.setThreads(1)   // parallelism is ours: see BLAS.sgemm(…, workers:)
    }

    deinit {
        for pointer in scratch { pointer?.deallocate() }
    }

    /// Scratch buffer `slot` with room for at least `count` floats; contents are undefined and
    /// valid until the next request for the same slot.
    func buffer(_ slot: Int, count: Int) -> UnsafeMutablePointer<Float> {
        if scratchCapacity[slot] < count || scratch[slot] == nil {
            scratch[slot]?.deallocate()
            let capacity = max(count, 1)
            scratch[slot] = .allocate(capacity: capacity)
            scratchCapacity[slot] = capacity
        }
        return scratch[slot]!
    }

    /// Bytes currently held in scratch buffers.
    public var scratchBytes: Int { scratchCapacity.reduce(0, +) * MemoryLayout<Float>.size }
}

enum Slot {
    static let columns = 0
    static let gemm = 1
    static let sampling = 2
}
