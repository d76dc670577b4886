// SHA-256 of a file through libavutil's av_sha (no extra dependency), read in 1 MiB chunks.
// Used to recognise a project's driving video: a changed file has another digest.
import CFFmpeg
import Foundation

public enum FileDigest {
    /// The file's SHA-256 as 64 lower-case hex digits.
    /// - Throws: `MediaError.notFound`, or `.notMedia` when the file cannot be read.
    public static func sha256(path: String) throws -> String {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else {
            throw errno == ENOENT ? MediaError.notFound(path: path) : MediaError.notMedia(path: path, why: "cannot read the file: \(String(cString: strerror(errno)))")
        }
        defer { close(fd) }
        let sha = SHAOwner()
        av_sha_init(sha.pointer, 256)
        var buffer = [UInt8](repeating: 0, count: 1 << 20)
        while true {
            let n = buffer.withUnsafeMutableBufferPointer { read(fd, $0.baseAddress!, $0.count) }
            if n < 0 {
                if errno == EINTR { continue }
                throw MediaError.notMedia(path: path, why: "read failed: \(String(cString: strerror(errno)))")
            }
            if n == 0 { break }
            buffer.withUnsafeBufferPointer { av_sha_update(sha.pointer, $0.baseAddress!, n) }
        }
        var digest = [UInt8](repeating: 0, count: 32)
        av_sha_final(sha.pointer, &digest)
        return digest.map { String(format: "%02x", $0) }.joined()
    }
}
