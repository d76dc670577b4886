// Outputs appear whole or not at all: everything is written to a hidden temporary name in the
// destination's directory and renamed into place only after the last byte was written and
// flushed. On any failure the temporary file is removed.
import CFFmpeg
import Foundation

enum AtomicFile {
    /// A hidden temporary path beside `path` (same directory, so rename(2) is atomic).
    static func temporaryPath(for path: String) -> String {
        let p = path.asPath
        let name = ".\(p.fileName).partial-\(getpid())-\(UInt32.random(in: 0...UInt32.max))"
        return p.directory == "." && !path.hasPrefix("./") ? name : p.directory + "/" + name
    }

    /// Writes `bytes` to `path` atomically (never leaves a partial file).
    static func write(_ bytes: [UInt8], to path: String) throws {
        let temporary = temporaryPath(for: path)
        let fd = open(temporary, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o644)
        guard fd >= 0 else { throw writeError(path, code: ps_averror(errno)) }
        var ok = false
        defer {
            if !ok { unlink(temporary) }
        }
        var written = 0
        while written < bytes.count {
            let n = bytes.withUnsafeBufferPointer { Glibc.write(fd, $0.baseAddress! + written, bytes.count - written) }
            if n < 0 {
                if errno == EINTR { continue }
                let code = errno
                close(fd)
                throw writeError(path, code: ps_averror(code))
            }
            written += n
        }
        if fsync(fd) != 0 || close(fd) != 0 { throw writeError(path, code: ps_averror(errno)) }
        try commit(temporary, to: path)
        ok = true
    }

    /// Renames the finished temporary file or directory into place.
    static func commit(_ temporary: String, to path: String) throws {
        guard rename(temporary, path) == 0 else { throw writeError(path, code: ps_averror(errno)) }
    }
}
