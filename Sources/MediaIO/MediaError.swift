// Errors of MediaIO. Every case names the file; FFmpeg failures also carry the operation and
// av_strerror's text. Environment and input problems only: programmer errors trap instead.
import CFFmpeg
import Foundation

public enum MediaError: Error, CustomStringConvertible, Equatable {
    case notFound(path: String)
    case emptyFile(path: String)
    /// The bytes are not an image or video this build can read (`why` says what was found).
    case notMedia(path: String, why: String)
    /// The file starts right but is damaged; `field` says where (e.g. "frame 57", "PNG data").
    case damaged(path: String, field: String, why: String)
    case unsupported(path: String, why: String)
    /// The output cannot be written: missing or read-only directory, full disk, I/O error.
    case cannotWrite(path: String, why: String)
    case frameOutOfRange(path: String, frame: Int, frameCount: Int)
    /// Any other FFmpeg failure: the operation and av_strerror's message.
    case ffmpeg(path: String, operation: String, message: String)

    public var description: String {
        switch self {
        case let .notFound(path): "\(path): no such file"
        case let .emptyFile(path): "\(path): the file is empty (0 bytes)"
        case let .notMedia(path, why): "\(path): \(why)"
        case let .damaged(path, field, why): "\(path): \(field): damaged or truncated: \(why)"
        case let .unsupported(path, why): "\(path): unsupported: \(why)"
        case let .cannotWrite(path, why): "\(path): cannot write: \(why)"
        case let .frameOutOfRange(path, frame, count): "\(path): frame \(frame) does not exist (the video has frames 0–\(count - 1))"
        case let .ffmpeg(path, operation, message): "\(path): \(operation) failed: \(message)"
        }
    }
}

/// av_strerror's text for an FFmpeg error code.
func averrorText(_ code: Int32) -> String {
    var buffer = [CChar](repeating: 0, count: 256)
    av_strerror(code, &buffer, buffer.count)
    return buffer.withUnsafeBufferPointer { String(cString: $0.baseAddress!) }
}

/// The error for a failed write of `path`, with a plain reason for the common errno values.
func writeError(_ path: String, code: Int32) -> MediaError {
    let directory = path.asPath.directory
    switch code {
    case ps_averror(ENOENT): return .cannotWrite(path: path, why: "the directory \(directory) does not exist")
    case ps_averror(EACCES), ps_averror(EPERM): return .cannotWrite(path: path, why: "permission denied in \(directory)")
    case ps_averror(EROFS): return .cannotWrite(path: path, why: "\(directory) is on a read-only file system")
    case ps_averror(ENOSPC): return .cannotWrite(path: path, why: "no space left on the device")
    case ps_averror(EDQUOT): return .cannotWrite(path: path, why: "disk quota exceeded")
    case ps_averror(EFBIG): return .cannotWrite(path: path, why: "file too large for the file system or the process's file size limit")
    case ps_averror(ENOTDIR): return .cannotWrite(path: path, why: "a part of \(directory) is not a directory")
    default: return .cannotWrite(path: path, why: averrorText(code))
    }
}

/// Path splitting without Foundation's NSString (MediaIO keeps its Foundation use small).
struct NSStringPath {
    let path: String
    init(_ path: String) { self.path = path }
    var directory: String {
        guard let slash = path.lastIndex(of: "/") else { return "." }
        return slash == path.startIndex ? "/" : String(path[..<slash])
    }
    var fileName: String {
        guard let slash = path.lastIndex(of: "/") else { return path }
        return String(path[path.index(after: slash)...])
    }
}

extension String {
    var asPath: NSStringPath { NSStringPath(self) }
}
