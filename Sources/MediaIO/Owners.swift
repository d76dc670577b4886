// Owners of FFmpeg objects: one ~Copyable struct per kind, allocated once, freed exactly once in
// its deinit with the matching FFmpeg free. The pointers never leave MediaIO. In debug builds each
// owner also registers with the `MediaObjectLedger` active on the current task (if any), so tests
// can check that everything allocated during a decode or encode was freed.
import CFFmpeg
import Foundation

/// Counts FFmpeg owners created and still alive while `track` runs (debug builds only; in release
/// builds nothing is counted and `isCounting` is false). Thread-safe.
public final class MediaObjectLedger: @unchecked Sendable {
    // @unchecked: the two counters are only touched under `lock`.
    private let lock = NSLock()
    private var liveCount = 0
    private var createdCount = 0

    public init() {}

    /// True in debug builds, where owners register with the ledger.
    public static var isCounting: Bool {
        #if DEBUG
        true
        #else
        false
        #endif
    }

    /// Owners created under `track` that are not freed yet.
    public var live: Int { lock.withLock { liveCount } }
    /// Owners created under `track` in total.
    public var created: Int { lock.withLock { createdCount } }

    /// Runs `body` with this ledger active on the current task: owners created inside count here.
    public func track<T>(_ body: () throws -> T) rethrows -> T {
        try Self.$current.withValue(self) { try body() }
    }

    @TaskLocal static var current: MediaObjectLedger?

    fileprivate func add(_ delta: Int) {
        lock.withLock {
            liveCount += delta
            if delta > 0 { createdCount += delta }
        }
    }
}

/// A member of every owner: registers with the active ledger on creation, unregisters on deinit.
struct LiveToken: ~Copyable {
    #if DEBUG
    private let ledger: MediaObjectLedger?
    init() {
        ledger = MediaObjectLedger.current
        ledger?.add(1)
    }
    deinit { ledger?.add(-1) }
    #else
    init() {}
    #endif
}

/// Quiets FFmpeg's own logging (x264's banner, swscale's alignment notes) once per process;
/// MediaIO reports every failure through `MediaError` instead.
let ffmpegLogging: Void = av_log_set_level(AV_LOG_FATAL)

struct FrameOwner: ~Copyable {
    let pointer: UnsafeMutablePointer<AVFrame>
    private let token = LiveToken()
    init() {
        guard let p = av_frame_alloc() else { fatalError("av_frame_alloc: out of memory") }
        pointer = p
    }
    deinit {
        var p: UnsafeMutablePointer<AVFrame>? = pointer
        av_frame_free(&p)
    }
}

struct PacketOwner: ~Copyable {
    let pointer: UnsafeMutablePointer<AVPacket>
    private let token = LiveToken()
    init() {
        guard let p = av_packet_alloc() else { fatalError("av_packet_alloc: out of memory") }
        pointer = p
    }
    deinit {
        var p: UnsafeMutablePointer<AVPacket>? = pointer
        av_packet_free(&p)
    }
}

struct CodecContextOwner: ~Copyable {
    let pointer: UnsafeMutablePointer<AVCodecContext>
    private let token = LiveToken()
    init(_ codec: UnsafePointer<AVCodec>) {
        guard let p = avcodec_alloc_context3(codec) else { fatalError("avcodec_alloc_context3: out of memory") }
        pointer = p
    }
    deinit {
        var p: UnsafeMutablePointer<AVCodecContext>? = pointer
        avcodec_free_context(&p)
    }
}

/// An opened input (demuxer); closed with avformat_close_input.
struct InputOwner: ~Copyable {
    let pointer: UnsafeMutablePointer<AVFormatContext>
    private let token = LiveToken()
    /// Opens `path`; throws the av error code.
    init(path: String) throws(AVCode) {
        var context: UnsafeMutablePointer<AVFormatContext>?
        let code = avformat_open_input(&context, path, nil, nil)
        guard code >= 0, let context else { throw AVCode(code) }
        pointer = context
    }
    deinit {
        var p: UnsafeMutablePointer<AVFormatContext>? = pointer
        avformat_close_input(&p)
    }
}

/// An output (muxer) context with its AVIOContext; `close()` flushes and reports errors,
/// deinit closes (if still open) and frees.
struct OutputOwner: ~Copyable {
    let pointer: UnsafeMutablePointer<AVFormatContext>
    private let token = LiveToken()
    init(format: String, path: String) throws(AVCode) {
        var context: UnsafeMutablePointer<AVFormatContext>?
        let code = avformat_alloc_output_context2(&context, nil, format, path)
        guard code >= 0, let context else { throw AVCode(code) }
        pointer = context
    }
    /// Closes the file (flushing its buffer); returns the error code or 0.
    func close() -> Int32 {
        guard pointer.pointee.pb != nil else { return 0 }
        let pending = pointer.pointee.pb.pointee.error
        let code = avio_closep(&pointer.pointee.pb)
        return pending < 0 ? pending : code
    }
    deinit {
        if pointer.pointee.pb != nil { avio_closep(&pointer.pointee.pb) }
        avformat_free_context(pointer)
    }
}

struct ScalerOwner: ~Copyable {
    let pointer: OpaquePointer
    private let token = LiveToken()
    init?(_ pointer: OpaquePointer?) {
        guard let pointer else { return nil }
        self.pointer = pointer
    }
    deinit { sws_freeContext(pointer) }
}

struct DictionaryOwner: ~Copyable {
    var pointer: OpaquePointer?
    private let token = LiveToken()
    init(_ entries: [(String, String)]) {
        for (key, value) in entries { av_dict_set(&pointer, key, value, 0) }
    }
    deinit {
        var p = pointer
        av_dict_free(&p)
    }
}

struct SHAOwner: ~Copyable {
    let pointer: OpaquePointer
    private let token = LiveToken()
    init() {
        guard let p = av_sha_alloc() else { fatalError("av_sha_alloc: out of memory") }
        pointer = p
    }
    deinit { av_free(UnsafeMutableRawPointer(pointer)) }
}

/// An FFmpeg error code carried as a Swift error inside MediaIO (mapped to `MediaError` at the API).
struct AVCode: Error {
    let code: Int32
    init(_ code: Int32) { self.code = code }
    var text: String { averrorText(code) }
}
