// Encoding RGB frames to an MP4 file: H.264 through libx264 (yuv420p, CRF and preset settable)
// or, when this FFmpeg has no libx264, MPEG-4 Part 2 with a fixed quantiser. Frames are numbered
// in 1/fps units and every packet gets a duration (libx264 leaves it 0), so players and ffprobe see
// the right rate and length. `+faststart` puts the index first. The file is written under a
// temporary name and renamed into place by `finish()`; a writer dropped unfinished, or any
// failure, removes it. Not thread-safe: one owner per instance.
import CFFmpeg
import Foundation
import Imaging

/// How `VideoWriter` encodes.
public struct VideoEncoding: Sendable, Hashable {
    public enum Codec: String, Sendable, CaseIterable {
        /// H.264 (libx264) when available, else MPEG-4 Part 2.
        case automatic
        case h264
        case mpeg4
    }
    public var codec: Codec
    /// x264 constant rate factor, 0 (lossless) … 51; 18 is visually transparent. MPEG-4 maps it to
    /// a quantiser (crf / 6, at least 2).
    public var crf: Int
    /// x264 preset: ultrafast … placebo.
    public var preset: String
    /// x264 tune (e.g. "psnr": no psycho-visual optimisations, frames stay closest to the
    /// input), or nil for x264's default.
    public var tune: String?
    /// Encoder threads; 0 lets the encoder choose.
    public var threads: Int

    public init(codec: Codec = .automatic, crf: Int = 18, preset: String = "veryfast", tune: String? = nil, threads: Int = 0) {
        self.codec = codec
        self.crf = crf
        self.preset = preset
        self.tune = tune
        self.threads = threads
    }

    public static let tunes = ["film", "animation", "grain", "stillimage", "psnr", "ssim", "fastdecode", "zerolatency"]

    public static let presets = ["ultrafast", "superfast", "veryfast", "faster", "fast", "medium", "slow", "slower", "veryslow", "placebo"]

    /// Whether this FFmpeg has libx264.
    public static var hasH264: Bool { avcodec_find_encoder_by_name("libx264") != nil }
}

public final class VideoWriter {
    public let path: String
    public let size: PixelSize
    public let fps: Double
    /// "h264" or "mpeg4".
    public let codecName: String
    public private(set) var framesWritten = 0
    /// CPU time (of the calling thread) spent converting RGB frames to yuv420p so far, in
    /// seconds (for benchmarks; wall time would count the encoder's threads preempting it).
    public private(set) var conversionSeconds = 0.0

    private let temporary: String
    private let output: OutputOwner
    private let encoder: CodecContextOwner
    private let stream: UnsafeMutablePointer<AVStream>
    private let yuvFrame = FrameOwner()
    private let packet = PacketOwner()
    private var state = State.open

    private enum State { case open, finished, failed }

    /// Starts an MP4 at `path` (not created until `finish()`).
    /// - Parameters: size: even width and height (yuv420p); fps: frames per second, > 0.
    /// - Throws: `MediaError.cannotWrite` (missing or read-only directory), `.unsupported` (odd
    ///   size, no encoder, unknown preset).
    public init(path: String, size: PixelSize, fps: Double, encoding: VideoEncoding = VideoEncoding()) throws {
        _ = ffmpegLogging
        self.path = path
        self.size = size
        self.fps = fps
        guard size.width >= 2, size.height >= 2, size.width % 2 == 0, size.height % 2 == 0 else {
            throw MediaError.unsupported(path: path, why: "frame size \(size): yuv420p video needs an even width and height")
        }
        guard fps.isFinite, fps > 0, fps <= 1000 else { throw MediaError.unsupported(path: path, why: "frame rate \(fps)") }
        guard (0...51).contains(encoding.crf) else { throw MediaError.unsupported(path: path, why: "CRF \(encoding.crf) (use 0…51)") }

        let x264 = avcodec_find_encoder_by_name("libx264")
        let codec: UnsafePointer<AVCodec>
        switch encoding.codec {
        case .h264:
            guard let x264 else { throw MediaError.unsupported(path: path, why: "this FFmpeg has no libx264 encoder") }
            codec = x264
        case .mpeg4:
            guard let found = avcodec_find_encoder(AV_CODEC_ID_MPEG4) else { throw MediaError.unsupported(path: path, why: "this FFmpeg has no MPEG-4 encoder") }
            codec = found
        case .automatic:
            guard let found = x264 ?? avcodec_find_encoder(AV_CODEC_ID_MPEG4) else {
                throw MediaError.unsupported(path: path, why: "this FFmpeg has neither libx264 nor an MPEG-4 encoder")
            }
            codec = found
        }
        let isH264 = codec.pointee.id == AV_CODEC_ID_H264
        if isH264, !VideoEncoding.presets.contains(encoding.preset) {
            throw MediaError.unsupported(path: path, why: "x264 preset \"\(encoding.preset)\" (use one of \(VideoEncoding.presets.joined(separator: ", ")))")
        }
        codecName = isH264 ? "h264" : "mpeg4"

        temporary = AtomicFile.temporaryPath(for: path)
        do { output = try OutputOwner(format: "mp4", path: temporary) } catch {
            throw MediaError.ffmpeg(path: path, operation: "set up the MP4 muxer", message: error.text)
        }
        encoder = CodecContextOwner(codec)
        let rate = av_d2q(fps, 100_000)
        let c = encoder.pointer
        c.pointee.width = Int32(size.width)
        c.pointee.height = Int32(size.height)
        c.pointee.pix_fmt = AV_PIX_FMT_YUV420P
        c.pointee.time_base = AVRational(num: rate.den, den: rate.num)
        c.pointee.framerate = rate
        c.pointee.thread_count = Int32(max(0, encoding.threads))
        c.pointee.color_range = AVCOL_RANGE_MPEG
        c.pointee.colorspace = AVCOL_SPC_SMPTE170M
        c.pointee.color_primaries = AVCOL_PRI_SMPTE170M
        c.pointee.color_trc = AVCOL_TRC_SMPTE170M
        if output.pointer.pointee.oformat.pointee.flags & AVFMT_GLOBALHEADER != 0 {
            c.pointee.flags |= Int32(AV_CODEC_FLAG_GLOBAL_HEADER)
        }
        var options: [(String, String)] = []
        if isH264 {
            options = [("preset", encoding.preset), ("crf", String(encoding.crf))]
            if let tune = encoding.tune {
                guard VideoEncoding.tunes.contains(tune) else {
                    throw MediaError.unsupported(path: path, why: "x264 tune \"\(tune)\" (use one of \(VideoEncoding.tunes.joined(separator: ", ")))")
                }
                options.append(("tune", tune))
            }
        } else {
            c.pointee.flags |= Int32(AV_CODEC_FLAG_QSCALE)
            c.pointee.global_quality = Int32(max(2, encoding.crf / 6)) * ps_qp2lambda()
            c.pointee.gop_size = 12
        }
        // avcodec_open2 / avformat_write_header replace the dictionary with the unused options.
        var codecOptions = DictionaryOwner(options)
        var code = avcodec_open2(c, codec, &codecOptions.pointer)
        guard code >= 0 else { throw MediaError.ffmpeg(path: path, operation: "open the \(codecName) encoder", message: averrorText(code)) }

        guard let stream = avformat_new_stream(output.pointer, nil) else { fatalError("avformat_new_stream: out of memory") }
        self.stream = stream
        code = avcodec_parameters_from_context(stream.pointee.codecpar, c)
        guard code >= 0 else { throw MediaError.ffmpeg(path: path, operation: "set up the MP4 stream", message: averrorText(code)) }
        stream.pointee.time_base = c.pointee.time_base
        stream.pointee.avg_frame_rate = rate

        yuvFrame.pointer.pointee.width = Int32(size.width)
        yuvFrame.pointer.pointee.height = Int32(size.height)
        yuvFrame.pointer.pointee.format = AV_PIX_FMT_YUV420P.rawValue
        yuvFrame.pointer.pointee.color_range = AVCOL_RANGE_MPEG
        guard av_frame_get_buffer(yuvFrame.pointer, 0) >= 0 else {
            fatalError("av_frame_get_buffer: out of memory")
        }

        code = avio_open(&output.pointer.pointee.pb, temporary, AVIO_FLAG_WRITE)
        guard code >= 0 else { throw writeError(path, code: code) }
        var muxerOptions = DictionaryOwner([("movflags", "+faststart")])
        code = avformat_write_header(output.pointer, &muxerOptions.pointer)
        guard code >= 0 else {
            unlink(temporary)
            throw writeError(path, code: code)
        }
    }

    deinit {
        if state != .finished { unlink(temporary) }
    }

    /// Encodes one frame. Its size must equal `size` (a different size traps: programmer error).
    /// - Throws: `MediaError.cannotWrite` (disk full, I/O error); the writer is then unusable and
    ///   its temporary file is removed.
    public func append(_ image: RGBImage) throws {
        precondition(state == .open, "VideoWriter.append after finish or failure")
        precondition(image.size == size, "VideoWriter for \(size) got a \(image.size) frame")
        try failing {
            guard av_frame_make_writable(yuvFrame.pointer) >= 0 else { fatalError("av_frame_make_writable: out of memory") }
            let start = threadCPUSeconds()
            YUVConversion.convert(image, into: yuvFrame.pointer)
            conversionSeconds += threadCPUSeconds() - start
            yuvFrame.pointer.pointee.pts = Int64(framesWritten)
            try send(yuvFrame.pointer)
            framesWritten += 1
        }
    }

    /// Flushes the encoder, writes the MP4 index (moved to the front) and renames the file into place.
    /// - Throws: `MediaError.cannotWrite`; nothing is left at `path` or beside it.
    public func finish() throws {
        precondition(state == .open, "VideoWriter.finish called twice or after a failure")
        try failing {
            guard framesWritten > 0 else { throw MediaError.unsupported(path: path, why: "no frames to write") }
            try send(nil)
            var code = av_write_trailer(output.pointer)
            guard code >= 0 else { throw writeError(path, code: code) }
            code = output.close()
            guard code >= 0 else { throw writeError(path, code: code) }
            try AtomicFile.commit(temporary, to: path)
            state = .finished
        }
    }

    private func threadCPUSeconds() -> Double {
        var t = timespec()
        clock_gettime(CLOCK_THREAD_CPUTIME_ID, &t)
        return Double(t.tv_sec) + Double(t.tv_nsec) / 1e9
    }

    private func failing(_ body: () throws -> Void) throws {
        do { try body() } catch {
            state = .failed
            unlink(temporary)
            throw error
        }
    }

    /// Sends a frame (nil: flush) and writes every packet the encoder returns.
    private func send(_ frame: UnsafeMutablePointer<AVFrame>?) throws {
        var code = avcodec_send_frame(encoder.pointer, frame)
        guard code >= 0 else { throw MediaError.ffmpeg(path: path, operation: "\(codecName) encoding", message: averrorText(code)) }
        while true {
            code = avcodec_receive_packet(encoder.pointer, packet.pointer)
            if code == ps_averror_eagain() || code == ps_averror_eof() { return }
            guard code >= 0 else { throw MediaError.ffmpeg(path: path, operation: "\(codecName) encoding", message: averrorText(code)) }
            if packet.pointer.pointee.duration == 0 { packet.pointer.pointee.duration = 1 }
            av_packet_rescale_ts(packet.pointer, encoder.pointer.pointee.time_base, stream.pointee.time_base)
            packet.pointer.pointee.stream_index = stream.pointee.index
            code = av_interleaved_write_frame(output.pointer, packet.pointer)
            guard code >= 0 else { throw writeError(path, code: code) }
        }
    }
}
