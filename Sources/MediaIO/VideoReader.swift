// Reading a video file frame by frame, or at any frame number. Opening demuxes the whole stream
// once (no decoding) to learn every frame's presentation timestamp: that gives an exact frame
// count and makes "frame N" mean the N-th frame in presentation order, even with B-frames or a
// variable frame rate. Seeking jumps to the keyframe before the target and decodes forward.
// Not thread-safe: one owner per instance.
import CFFmpeg
import Foundation
import Imaging

public final class VideoReader {
    public let path: String
    /// Frame size in pixels.
    public let size: PixelSize
    /// Frames per second (the stream's average rate, or estimated from the timestamps).
    public let fps: Double
    /// Number of frames in the stream (counted, not estimated).
    public let frameCount: Int
    /// FFmpeg's name of the stream's codec ("h264", "mpeg4", …).
    public let codecName: String
    /// The frame number `nextFrame()` returns next.
    public private(set) var position = 0

    private var input: InputOwner
    private let streamIndex: Int32
    private let decoder: CodecContextOwner
    private let packet = PacketOwner()
    private let frame = FrameOwner()
    private var converter = RGBConverter()
    /// Presentation timestamps of every frame in stream time base, ascending.
    private let timestamps: [Int64]
    private var draining = false
    private var atEnd = false

    /// Opens `path` and indexes its first video stream.
    /// - Throws: `MediaError`: missing, empty, not a video, damaged/truncated, unsupported codec.
    public init(path: String) throws {
        _ = ffmpegLogging
        self.path = path
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) else { throw MediaError.notFound(path: path) }
        guard !isDirectory.boolValue else { throw MediaError.notMedia(path: path, why: "it is a directory") }
        let byteCount = (try? FileManager.default.attributesOfItem(atPath: path)[.size] as? Int) ?? 0
        guard byteCount > 0 else { throw MediaError.emptyFile(path: path) }

        var scan: InputOwner
        do { scan = try InputOwner(path: path) } catch { throw Self.openError(path, error) }
        var code = avformat_find_stream_info(scan.pointer, nil)
        guard code >= 0 else { throw MediaError.damaged(path: path, field: "stream info", why: averrorText(code)) }
        var codecPointer: UnsafePointer<AVCodec>?
        let index = av_find_best_stream(scan.pointer, AVMEDIA_TYPE_VIDEO, -1, -1, &codecPointer, 0)
        guard index >= 0, let codec = codecPointer else {
            throw MediaError.notMedia(path: path, why: index == ps_averror_decoder_not_found()
                                        ? "its video codec is not supported by this FFmpeg" : "it has no video stream")
        }
        let stream = scan.pointer.pointee.streams[Int(index)]!
        let parameters = stream.pointee.codecpar!
        guard parameters.pointee.codec_id != AV_CODEC_ID_ANSI else {
            throw MediaError.notMedia(path: path, why: "not a video or image file (it looks like text)")
        }
        guard parameters.pointee.width > 0, parameters.pointee.height > 0 else {
            throw MediaError.damaged(path: path, field: "video stream", why: "no frame size")
        }
        streamIndex = index
        size = PixelSize(width: Int(parameters.pointee.width), height: Int(parameters.pointee.height))
        codecName = String(cString: avcodec_get_name(parameters.pointee.codec_id))
        let timeBase = stream.pointee.time_base
        let declared = Int(stream.pointee.nb_frames)

        // Index every frame's timestamp (demux only).
        var stamps: [Int64] = []
        var corrupt = false
        let scanned = PacketOwner()
        while true {
            code = av_read_frame(scan.pointer, scanned.pointer)
            if code == ps_averror_eof() { break }
            guard code >= 0 else {
                throw MediaError.damaged(path: path, field: "packet of frame \(stamps.count)", why: averrorText(code))
            }
            defer { av_packet_unref(scanned.pointer) }
            let p = scanned.pointer.pointee
            guard p.stream_index == index else { continue }
            if p.flags & AV_PKT_FLAG_DISCARD != 0 { continue }
            if p.flags & AV_PKT_FLAG_CORRUPT != 0 { corrupt = true }
            let pts = p.pts != ps_nopts_value() ? p.pts : p.dts
            stamps.append(pts != ps_nopts_value() ? pts : Int64(stamps.count))
        }
        guard !stamps.isEmpty else { throw MediaError.damaged(path: path, field: "video stream", why: "it holds no frames") }
        if corrupt || (declared > 0 && stamps.count < declared) {
            throw MediaError.damaged(path: path, field: "frame \(stamps.count)",
                                     why: "the file is truncated (\(stamps.count) complete frames of \(max(declared, stamps.count)))")
        }
        stamps.sort()
        timestamps = stamps
        frameCount = stamps.count

        let rate = av_guess_frame_rate(scan.pointer, stream, nil)
        if rate.num > 0 && rate.den > 0 {
            fps = Double(rate.num) / Double(rate.den)
        } else if stamps.count > 1, stamps.last! > stamps.first! {
            fps = Double(stamps.count - 1) / (Double(stamps.last! - stamps.first!) * Double(timeBase.num) / Double(timeBase.den))
        } else {
            fps = 0
        }

        decoder = CodecContextOwner(codec)
        code = avcodec_parameters_to_context(decoder.pointer, parameters)
        guard code >= 0 else { throw MediaError.ffmpeg(path: path, operation: "set up the \(codecName) decoder", message: averrorText(code)) }
        decoder.pointer.pointee.thread_count = 0
        decoder.pointer.pointee.pkt_timebase = timeBase
        code = avcodec_open2(decoder.pointer, codec, nil)
        guard code >= 0 else { throw MediaError.ffmpeg(path: path, operation: "open the \(codecName) decoder", message: averrorText(code)) }

        // Decode from a fresh demuxer positioned at the start.
        do { input = try InputOwner(path: path) } catch { throw Self.openError(path, error) }
        code = avformat_find_stream_info(input.pointer, nil)
        guard code >= 0, Int32(input.pointer.pointee.nb_streams) > index else {
            throw MediaError.damaged(path: path, field: "stream info", why: code < 0 ? averrorText(code) : "the stream layout changed")
        }
    }

    /// The next frame in presentation order, or nil after the last one.
    /// - Throws: `MediaError.damaged` naming the frame number when decoding fails.
    public func nextFrame() throws -> RGBImage? {
        guard let index = try decodeNext() else { return nil }
        defer { av_frame_unref(frame.pointer) }
        position = index + 1
        return try converter.convert(frame.pointer, path: path, field: "frame \(index)")
    }

    /// Frame `index` (0-based, presentation order). Sequential calls decode forward; others seek.
    /// - Throws: `MediaError.frameOutOfRange`, or `.damaged` naming the frame.
    public func frame(at index: Int) throws -> RGBImage {
        guard index >= 0 && index < frameCount else { throw MediaError.frameOutOfRange(path: path, frame: index, frameCount: frameCount) }
        if !(index >= position && index < position + 16 && !atEnd) { try seek(to: index) }
        while let decoded = try decodeNext() {
            if decoded < index {
                av_frame_unref(frame.pointer)
                continue
            }
            defer { av_frame_unref(frame.pointer) }
            position = decoded + 1
            return try converter.convert(frame.pointer, path: path, field: "frame \(decoded)")
        }
        throw MediaError.damaged(path: path, field: "frame \(index)", why: "the decoder returned no picture for it")
    }

    /// Positions the demuxer on the keyframe at or before frame `index` and resets the decoder.
    private func seek(to index: Int) throws {
        let code = av_seek_frame(input.pointer, streamIndex, timestamps[index], AVSEEK_FLAG_BACKWARD)
        guard code >= 0 else { throw MediaError.ffmpeg(path: path, operation: "seek to frame \(index)", message: averrorText(code)) }
        avcodec_flush_buffers(decoder.pointer)
        draining = false
        atEnd = false
        position = 0
    }

    /// Decodes the next picture into `frame`; returns its frame number, or nil at the end.
    private func decodeNext() throws -> Int? {
        if atEnd { return nil }
        while true {
            let received = avcodec_receive_frame(decoder.pointer, frame.pointer)
            if received >= 0 { return frameNumber(frame.pointer.pointee.best_effort_timestamp) }
            if received == ps_averror_eof() {
                atEnd = true
                return nil
            }
            guard received == ps_averror_eagain(), !draining else {
                throw MediaError.damaged(path: path, field: "frame \(position)", why: averrorText(received))
            }
            let read = av_read_frame(input.pointer, packet.pointer)
            if read == ps_averror_eof() {
                avcodec_send_packet(decoder.pointer, nil)
                draining = true
                continue
            }
            guard read >= 0 else { throw MediaError.damaged(path: path, field: "frame \(position)", why: averrorText(read)) }
            defer { av_packet_unref(packet.pointer) }
            guard packet.pointer.pointee.stream_index == streamIndex else { continue }
            let sent = avcodec_send_packet(decoder.pointer, packet.pointer)
            guard sent >= 0 else { throw MediaError.damaged(path: path, field: "frame \(position)", why: averrorText(sent)) }
        }
    }

    /// The frame number of a timestamp: its rank among the indexed timestamps.
    private func frameNumber(_ ts: Int64) -> Int {
        guard ts != ps_nopts_value() else { return position }
        var lo = 0, hi = timestamps.count
        while lo < hi {
            let mid = (lo + hi) / 2
            if timestamps[mid] < ts { lo = mid + 1 } else { hi = mid }
        }
        return min(lo, timestamps.count - 1)
    }

    private static func openError(_ path: String, _ error: AVCode) -> MediaError {
        if error.code == ps_averror_invaliddata() {
            let head = (try? FileHandle(forReadingFrom: URL(fileURLWithPath: path)).read(upToCount: 12)).flatMap { $0 } ?? Data()
            if head.count >= 8, String(decoding: head[4..<8], as: UTF8.self) == "ftyp" {
                return .damaged(path: path, field: "MP4 structure", why: "the index (moov atom) is missing; the file is probably truncated")
            }
            let bytes = [UInt8]((try? Data(contentsOf: URL(fileURLWithPath: path), options: .alwaysMapped).prefix(512)) ?? Data())
            return .notMedia(path: path, why: "not a video or image FFmpeg can read (\(ImageFile.describe(bytes)))")
        }
        return .ffmpeg(path: path, operation: "open", message: error.text)
    }
}
