// Writing numbered PNG files (prefix + zero-padded frame number + ".png") into a directory.
// The directory appears whole: frames go to a hidden sibling directory that `finish()` renames
// into place, so a failure (or a writer dropped unfinished) leaves nothing behind.
// Not thread-safe: one owner per instance.
import Foundation
import Imaging

public final class PNGSequenceWriter {
    public let directory: String
    public let size: PixelSize
    public let prefix: String
    public private(set) var framesWritten = 0
    private let temporary: String
    private var encoder: PNGEncoder
    private var finished = false

    /// Prepares to write `size` frames into `directory`, which must not exist yet (or be empty);
    /// its parent directory must exist.
    /// - Throws: `MediaError.cannotWrite` naming the directory.
    public init(directory: String, size: PixelSize, prefix: String = "frame_", compression: Int = 3) throws {
        self.directory = directory
        self.size = size
        self.prefix = prefix
        var isDirectory: ObjCBool = false
        if FileManager.default.fileExists(atPath: directory, isDirectory: &isDirectory) {
            guard isDirectory.boolValue else { throw MediaError.cannotWrite(path: directory, why: "it exists and is not a directory") }
            guard (try? FileManager.default.contentsOfDirectory(atPath: directory))?.isEmpty == true else {
                throw MediaError.cannotWrite(path: directory, why: "the directory is not empty (posestudio never mixes frames into existing files)")
            }
        }
        encoder = try PNGEncoder(size: size, compression: compression)
        temporary = AtomicFile.temporaryPath(for: directory.hasSuffix("/") ? String(directory.dropLast()) : directory)
        guard mkdir(temporary, 0o755) == 0 else { throw writeError(directory, code: -errno) }
    }

    deinit {
        if !finished { try? FileManager.default.removeItem(atPath: temporary) }
    }

    /// The file name frame `number` gets.
    public func fileName(_ number: Int) -> String { prefix + String(format: "%06d", number) + ".png" }

    /// Encodes and writes one frame as `fileName(number)`.
    /// - Throws: `MediaError.cannotWrite` (disk full, I/O error).
    public func write(_ image: RGBImage, number: Int) throws {
        precondition(!finished, "PNGSequenceWriter.write after finish")
        let bytes = try encoder.encode(image)
        let target = temporary + "/" + fileName(number)
        do { try AtomicFile.write(bytes, to: target) } catch let MediaError.cannotWrite(_, why) {
            throw MediaError.cannotWrite(path: directory + "/" + fileName(number), why: why)
        }
        framesWritten += 1
    }

    /// Moves the finished directory into place.
    public func finish() throws {
        precondition(!finished, "PNGSequenceWriter.finish called twice")
        // rename(2) replaces an empty directory; a non-empty one was refused in init.
        try AtomicFile.commit(temporary, to: directory)
        finished = true
    }
}
