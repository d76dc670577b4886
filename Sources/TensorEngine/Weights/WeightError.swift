// WeightError: every failure of the weight readers (safetensors, PyTorch checkpoints, npy/npz,
// pickles). A message names the file, then where inside it (zip entry, tensor, byte offset,
// field), then what is wrong: `weights.pth: tensor "x.weight": storage data/17 has 40 bytes, needs 3072`.
// Readers deep inside (zip, pickle, inflate) throw without a file; the public entry points fill it in.

public struct WeightError: Error, CustomStringConvertible, Sendable, Equatable {
    /// The file as the caller named it (empty while the error travels up from a byte-level reader).
    public var file: String
    /// Where inside the file, outermost first, e.g. `["entry \"archive/data.pkl\"", "byte 120"]`.
    public var context: [String]
    /// What is wrong, in words.
    public var reason: String

    public init(file: String = "", context: [String] = [], reason: String) {
        self.file = file
        self.context = context
        self.reason = reason
    }

    public var description: String {
        ((file.isEmpty ? [] : [file]) + context + [reason]).joined(separator: ": ")
    }

    /// The same error seen from one level further out (`where` is prepended to the context).
    func within(_ place: String) -> WeightError {
        var copy = self
        copy.context.insert(place, at: 0)
        return copy
    }

    static func at(_ offset: Int, _ reason: String) -> WeightError {
        WeightError(context: ["byte \(offset)"], reason: reason)
    }

    static func tensor(_ name: String, _ reason: String) -> WeightError {
        WeightError(context: ["tensor \"\(name)\""], reason: reason)
    }
}

/// Runs `body`; a `WeightError` leaving it gets `place` prepended to its context.
func within<R>(_ place: String, _ body: () throws -> R) throws -> R {
    do { return try body() } catch let error as WeightError { throw error.within(place) }
}

/// Runs `body` for the file at `path`: a `WeightError` leaving it names the file; any other
/// error (Foundation's file errors) becomes a `WeightError` naming the file.
func reading<R>(_ path: String, _ body: () throws -> R) throws -> R {
    do {
        return try body()
    } catch var error as WeightError {
        if error.file.isEmpty { error.file = path }
        throw error
    } catch {
        throw WeightError(file: path, reason: "cannot read the file (\(error.localizedDescription))")
    }
}
