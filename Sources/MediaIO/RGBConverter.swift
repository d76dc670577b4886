// Decoded AVFrame (any pixel format) → RGBImage, through swscale with the same choices as the
// ffmpeg CLI (bicubic, colour matrix from the frame's colorspace, range from the frame or the
// deprecated YUVJ formats). RGB is written straight into the new image's pixels; formats with
// alpha go through an RGBA frame and are composited over white. The scaler (and that frame) are
// kept between calls and rebuilt only when the input changes.
import CFFmpeg
import Imaging

struct RGBConverter: ~Copyable {
    private var scaler: ScalerOwner?
    /// `scaler`'s context, lent to sws calls (the owner above keeps it alive).
    private var scalerPointer: OpaquePointer?
    private var key: Key?
    private let output = FrameOwner()

    private struct Key: Equatable {
        var format: Int32, width: Int32, height: Int32, fullRange: Bool, colorspace: UInt32
    }

    init() {}

    /// Converts `frame` to RGB. `path`/`field` name the input in errors.
    mutating func convert(_ frame: UnsafeMutablePointer<AVFrame>, path: String, field: String) throws -> RGBImage {
        let width = frame.pointee.width, height = frame.pointee.height
        guard width > 0, height > 0 else { throw MediaError.damaged(path: path, field: field, why: "decoded frame has no pixels") }
        var format = AVPixelFormat(rawValue: frame.pointee.format)
        var fullRange = frame.pointee.color_range == AVCOL_RANGE_JPEG
        if let plain = Self.unJ[format.rawValue] {
            format = plain
            fullRange = true
        }
        let hasAlpha = ps_pix_fmt_has_alpha(format) != 0
        let target = hasAlpha ? AV_PIX_FMT_RGBA : AV_PIX_FMT_RGB24
        let key = Key(format: format.rawValue, width: width, height: height, fullRange: fullRange,
                      colorspace: frame.pointee.colorspace.rawValue)
        if key != self.key {
            self.scaler = nil
            self.scalerPointer = nil
            self.key = nil
            guard let scaler = ScalerOwner(sws_getContext(width, height, format, width, height, target, SWS_BICUBIC, nil, nil, nil)) else {
                throw MediaError.unsupported(path: path, why: "\(field): cannot convert pixel format \(Self.name(format)) to RGB")
            }
            if Self.isYUV(format) {
                let coefficients = sws_getCoefficients(Int32(bitPattern: frame.pointee.colorspace.rawValue))
                sws_setColorspaceDetails(scaler.pointer, coefficients, fullRange ? 1 : 0,
                                         sws_getCoefficients(SWS_CS_DEFAULT), 1, 0, 1 << 16, 1 << 16)
            }
            av_frame_unref(output.pointer)
            if hasAlpha {
                output.pointer.pointee.format = target.rawValue
                output.pointer.pointee.width = width
                output.pointer.pointee.height = height
                guard av_frame_get_buffer(output.pointer, 0) >= 0 else { fatalError("av_frame_get_buffer: out of memory") }
            }
            self.scalerPointer = scaler.pointer
            self.scaler = consume scaler
            self.key = key
        }
        let saved = frame.pointee.format
        defer { frame.pointee.format = saved }
        frame.pointee.format = format.rawValue
        if hasAlpha {
            let code = sws_scale_frame(scalerPointer, output.pointer, frame)
            guard code >= 0 else { throw MediaError.ffmpeg(path: path, operation: "\(field): colour conversion", message: averrorText(code)) }
            return Self.copy(output.pointer, alpha: true)
        }
        // RGB24 goes straight into the image's packed pixels (no intermediate frame, no copy).
        // swscale's SIMD writers may store up to a vector past a row's last pixel: rows are written
        // top to bottom, so that only touches the next row before it is written, and the padding
        // after the last row takes the rest.
        let w = Int(width), h = Int(height), count = w * h * 3
        var scaled: Int32 = 0
        let pixels = [UInt8](unsafeUninitializedCapacity: count + Self.rowPadding) { buffer, initialized in
            var destination: [UnsafeMutablePointer<UInt8>?] = [buffer.baseAddress, nil, nil, nil]
            var destinationStride: [Int32] = [Int32(w * 3), 0, 0, 0]
            let source = UnsafeRawPointer(ps_frame_data(frame)!).assumingMemoryBound(to: UnsafePointer<UInt8>?.self)
            scaled = sws_scale(scalerPointer, source, ps_frame_linesize(frame), 0, height, &destination, &destinationStride)
            initialized = scaled == height ? count : 0
        }
        guard scaled == height else {
            throw MediaError.ffmpeg(path: path, operation: "\(field): colour conversion",
                                    message: scaled < 0 ? averrorText(scaled) : "converted \(scaled) of \(height) rows")
        }
        return RGBImage(width: w, height: h, pixels: pixels)
    }

    /// Bytes after the last row that swscale may write into (more than its widest store).
    private static let rowPadding = 256

    /// Packs the converted RGBA frame's rows into an RGBImage, composited over white.
    private static func copy(_ frame: UnsafeMutablePointer<AVFrame>, alpha: Bool) -> RGBImage {
        let w = Int(frame.pointee.width), h = Int(frame.pointee.height)
        let stride = Int(ps_frame_linesize(frame)[0])
        let base = ps_frame_data(frame)[0]!
        var pixels = [UInt8](repeating: 0, count: w * h * 3)
        pixels.withUnsafeMutableBufferPointer { dst in
            for y in 0..<h {
                let src = base + y * stride
                let out = dst.baseAddress! + y * w * 3
                if !alpha {
                    out.update(from: src, count: w * 3)
                    continue
                }
                for x in 0..<w {
                    let a = Int(src[x * 4 + 3])
                    for c in 0..<3 {
                        out[x * 3 + c] = UInt8((Int(src[x * 4 + c]) * a + 255 * (255 - a) + 127) / 255)
                    }
                }
            }
        }
        return RGBImage(width: w, height: h, pixels: pixels)
    }

    /// The deprecated full-range YUVJ formats and their plain equivalents.
    private static let unJ: [Int32: AVPixelFormat] = [
        AV_PIX_FMT_YUVJ420P.rawValue: AV_PIX_FMT_YUV420P, AV_PIX_FMT_YUVJ422P.rawValue: AV_PIX_FMT_YUV422P,
        AV_PIX_FMT_YUVJ444P.rawValue: AV_PIX_FMT_YUV444P, AV_PIX_FMT_YUVJ440P.rawValue: AV_PIX_FMT_YUV440P,
        AV_PIX_FMT_YUVJ411P.rawValue: AV_PIX_FMT_YUV411P,
    ]

    private static func isYUV(_ format: AVPixelFormat) -> Bool {
        guard let descriptor = av_pix_fmt_desc_get(format) else { return false }
        let flags = descriptor.pointee.flags
        return flags & UInt64(AV_PIX_FMT_FLAG_RGB) == 0 && descriptor.pointee.nb_components >= 3
    }

    static func name(_ format: AVPixelFormat) -> String {
        av_get_pix_fmt_name(format).map { String(cString: $0) } ?? "#\(format.rawValue)"
    }
}
