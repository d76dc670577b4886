// One studio per project: an exclusive flock on the project file, held while the studio runs.
// The lock dies with the process (kill -9 included), so a crash never leaves a project locked.
import Foundation

public struct StudioLockError: Error, CustomStringConvertible {
    public let path: String
    public let reason: String
    public var description: String { "\(path): \(reason)" }
}

public final class StudioLock {
    private let fd: Int32

    public init(path: String) throws {
        fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { throw StudioLockError(path: path, reason: String(cString: strerror(errno))) }
        guard flock(fd, LOCK_EX | LOCK_NB) == 0 else {
            let busy = errno == EWOULDBLOCK
            close(fd)
            throw StudioLockError(path: path, reason: busy ? "already open in another posestudio studio (quit that one first)"
                                                          : String(cString: strerror(errno)))
        }
    }

    deinit {
        flock(fd, LOCK_UN)
        close(fd)
    }
}
