// Still images: decode PNG and JPEG (grey, palette, RGB(A), 16-bit, YUVJ) from a file or from
// bytes held in memory (a project's source image), and encode PNG. The whole file is one packet
// for FFmpeg's png / mjpeg decoders, as the image2 demuxer would send it.
import CFFmpeg
import Foundation
import Imaging

public enum ImageFile {
    public enum Format: String, Sendable { case png, jpeg }

    /// Reads and decodes a PNG or JPEG file.
    /// - Throws: `MediaError` naming `path`: missing, empty, not an image, damaged.
    public static func read(path: String) throws -> RGBImage {
        try decode(try readBytes(path), name: path)
    }

    /// The format the bytes start with, or nil.
    public static func sniff(_ bytes: [UInt8]) -> Format? {
        if bytes.starts(with: [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A]) { return .png }
        if bytes.starts(with: [0xFF, 0xD8, 0xFF]) { return .jpeg }
        return nil
    }

    /// Decodes PNG or JPEG bytes. `name` (a path or a description) is used in errors.
    public static func decode(_ bytes: [UInt8], name: String) throws -> RGBImage {
        _ = ffmpegLogging
        guard !bytes.isEmpty else { throw MediaError.emptyFile(path: name) }
        guard let format = sniff(bytes) else { throw MediaError.notMedia(path: name, why: "not a PNG or JPEG image (\(describe(bytes)))") }
        guard bytes.count < Int(Int32.max) - 64 else { throw MediaError.unsupported(path: name, why: "image file larger than 2 GB") }
        let field = format == .png ? "PNG data" : "JPEG data"
        guard let codec = avcodec_find_decoder(format == .png ? AV_CODEC_ID_PNG : AV_CODEC_ID_MJPEG) else {
            throw MediaError.unsupported(path: name, why: "this FFmpeg has no \(format.rawValue) decoder")
        }
        let context = CodecContextOwner(codec)
        var code = avcodec_open2(context.pointer, codec, nil)
        guard code >= 0 else { throw MediaError.ffmpeg(path: name, operation: "open the \(format.rawValue) decoder", message: averrorText(code)) }
        let packet = PacketOwner()
        guard av_new_packet(packet.pointer, Int32(bytes.count)) >= 0 else { fatalError("av_new_packet: out of memory") }
        bytes.withUnsafeBufferPointer { packet.pointer.pointee.data.update(from: $0.baseAddress!, count: bytes.count) }
        let frame = FrameOwner()
        code = avcodec_send_packet(context.pointer, packet.pointer)
        if code >= 0 { code = avcodec_send_packet(context.pointer, nil) }
        if code >= 0 || code == ps_averror_eof() { code = avcodec_receive_frame(context.pointer, frame.pointer) }
        guard code >= 0 else {
            throw MediaError.damaged(path: name, field: field, why: code == ps_averror_eof() ? "no image in the file" : averrorText(code))
        }
        var converter = RGBConverter()
        return try converter.convert(frame.pointer, path: name, field: field)
    }

    /// Encodes `image` as an 8-bit RGB PNG. `compression` is zlib's level, 0 (none) … 9 (smallest).
    public static func pngData(_ image: RGBImage, compression: Int = 3) throws -> [UInt8] {
        var encoder = try PNGEncoder(size: image.size, compression: compression)
        return try encoder.encode(image)
    }

    /// Writes `image` as a PNG, atomically (a temporary file beside `path`, then renamed).
    /// - Throws: `MediaError.cannotWrite` naming `path`; nothing is left behind on failure.
    public static func writePNG(_ image: RGBImage, to path: String, compression: Int = 3) throws {
        try AtomicFile.write(try pngData(image, compression: compression), to: path)
    }

    /// The whole file. Throws `notFound`, `emptyFile` or `cannotWrite`-style read errors.
    static func readBytes(_ path: String) throws -> [UInt8] {
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) else { throw MediaError.notFound(path: path) }
        guard !isDirectory.boolValue else { throw MediaError.notMedia(path: path, why: "it is a directory") }
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { throw MediaError.notMedia(path: path, why: "cannot read the file: \(String(cString: strerror(errno)))") }
        defer { close(fd) }
        var bytes: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 1 << 16)
        while true {
            let n = chunk.withUnsafeMutableBufferPointer { Glibc.read(fd, $0.baseAddress!, $0.count) }
            if n < 0 {
                if errno == EINTR { continue }
                throw MediaError.notMedia(path: path, why: "read failed: \(String(cString: strerror(errno)))")
            }
            if n == 0 { break }
            bytes.append(contentsOf: chunk[0..<n])
        }
        guard !bytes.isEmpty else { throw MediaError.emptyFile(path: path) }
        return bytes
    }

    /// A short description of what the bytes look like, for "not an image" errors.
    static func describe(_ bytes: [UInt8]) -> String {
        let head = bytes.prefix(512)
        let printable = head.allSatisfy { $0 == 9 || $0 == 10 || $0 == 13 || (32..<127).contains($0) || $0 >= 0x80 }
        if printable { return "it looks like text" }
        return "it starts with bytes " + bytes.prefix(8).map { String(format: "%02X", $0) }.joined(separator: " ")
    }
}

/// FFmpeg's PNG encoder for one image size, allocated once and reused for every frame.
struct PNGEncoder: ~Copyable {
    private let context: CodecContextOwner
    private let frame = FrameOwner()
    private let packet = PacketOwner()
    let size: PixelSize

    init(size: PixelSize, compression: Int) throws {
        _ = ffmpegLogging
        guard let codec = avcodec_find_encoder(AV_CODEC_ID_PNG) else {
            throw MediaError.unsupported(path: "png", why: "this FFmpeg has no PNG encoder")
        }
        let context = CodecContextOwner(codec)
        let c = context.pointer
        c.pointee.width = Int32(size.width)
        c.pointee.height = Int32(size.height)
        c.pointee.pix_fmt = AV_PIX_FMT_RGB24
        c.pointee.time_base = AVRational(num: 1, den: 25)
        c.pointee.compression_level = Int32(max(0, min(9, compression)))
        let code = avcodec_open2(c, codec, nil)
        guard code >= 0 else { throw MediaError.ffmpeg(path: "png", operation: "open the PNG encoder", message: averrorText(code)) }
        frame.pointer.pointee.format = AV_PIX_FMT_RGB24.rawValue
        frame.pointer.pointee.width = Int32(size.width)
        frame.pointer.pointee.height = Int32(size.height)
        guard av_frame_get_buffer(frame.pointer, 0) >= 0 else { fatalError("av_frame_get_buffer: out of memory") }
        self.size = size
        self.context = context
    }

    mutating func encode(_ image: RGBImage) throws -> [UInt8] {
        precondition(image.size == size, "PNG encoder for \(size) got a \(image.size) image")
        guard av_frame_make_writable(frame.pointer) >= 0 else { fatalError("av_frame_make_writable: out of memory") }
        image.copyRows(into: frame.pointer)
        var code = avcodec_send_frame(context.pointer, frame.pointer)
        if code >= 0 { code = avcodec_receive_packet(context.pointer, packet.pointer) }
        guard code >= 0 else { throw MediaError.ffmpeg(path: "png", operation: "PNG encoding", message: averrorText(code)) }
        defer { av_packet_unref(packet.pointer) }
        return Array(UnsafeBufferPointer(start: packet.pointer.pointee.data, count: Int(packet.pointer.pointee.size)))
    }
}

extension RGBImage {
    /// Copies the packed rows into plane 0 of an RGB24 frame of the same size.
    func copyRows(into frame: UnsafeMutablePointer<AVFrame>) {
        let stride = Int(ps_frame_linesize(frame)[0])
        let base = ps_frame_data(frame)[0]!
        let rowBytes = width * 3
        pixels.withUnsafeBufferPointer { src in
            for y in 0..<height { (base + y * stride).update(from: src.baseAddress! + y * rowBytes, count: rowBytes) }
        }
    }
}
