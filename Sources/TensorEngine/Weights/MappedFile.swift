// Opening a weight file: a clear error for a missing file or a directory, then the bytes
// memory-mapped (Foundation maps the file; pages are read on first touch, nothing is copied).
import Foundation

enum MappedFile {
    /// The bytes of the file at `url`, memory-mapped.
    /// - Throws: `WeightError` naming the path when it is missing, a directory or unreadable.
    static func bytes(of url: URL) throws -> Data {
        let path = url.path
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) else {
            throw WeightError(file: path, reason: "no such file")
        }
        guard !isDirectory.boolValue else { throw WeightError(file: path, reason: "is a directory, not a weight file") }
        do {
            return try Data(contentsOf: url, options: .alwaysMapped)
        } catch {
            throw WeightError(file: path, reason: "cannot read the file (\(error.localizedDescription))")
        }
    }
}
