// Weights: the tensors of one weight file together with its path, for consumers (the generator,
// body models) that look tensors up by name: a missing tensor, a shape that does not match, or a
// tensor nobody asked for becomes a WeightError naming the file and the tensor.
import Foundation

public struct Weights: Sendable {
    /// The file the tensors came from, as the caller named it (used in every error).
    public let file: String
    public let tensors: [String: Tensor]

    public init(file: String, tensors: [String: Tensor]) {
        self.file = file
        self.tensors = tensors
    }

    /// Reads any format `WeightFile.read` knows.
    /// - Throws: `WeightError` naming the file and the tensor or offset.
    public static func load(contentsOf url: URL) throws -> Weights {
        Weights(file: url.path, tensors: try WeightFile.read(contentsOf: url))
    }

    /// The tensor called `name`, its shape checked against `shape` when given (a nil dimension
    /// matches any size, so widths can be read from the checkpoint).
    /// - Throws: `WeightError` for a missing tensor (suggesting a near name) or a wrong shape.
    public func tensor(_ name: String, shape: [Int?]? = nil) throws -> Tensor {
        guard let tensor = tensors[name] else {
            let similar = tensors.keys.filter { $0.hasSuffix(name.split(separator: ".").last.map(String.init) ?? name) }.sorted().prefix(3)
            let hint = similar.isEmpty ? "" : " (names like it: \(similar.map { "\"\($0)\"" }.joined(separator: ", ")))"
            throw WeightError(file: file, context: ["tensor \"\(name)\""], reason: "is missing from the checkpoint (\(tensors.count) tensors)\(hint)")
        }
        if let shape {
            let matches = shape.count == tensor.shape.count && zip(shape, tensor.shape).allSatisfy { $0.0 == nil || $0.0 == $0.1 }
            guard matches else {
                let wanted = "[" + shape.map { $0.map(String.init) ?? "*" }.joined(separator: ", ") + "]"
                throw WeightError(file: file, context: ["tensor \"\(name)\""], reason: "has shape \(tensor.shape), expected \(wanted)")
            }
        }
        return tensor
    }

    /// Throws when the file holds tensors outside `used` (another model's checkpoint, or a
    /// different architecture), naming the first few in name order.
    public func checkNoUnexpectedTensors(besides used: Set<String>) throws {
        let extra = tensors.keys.filter { !used.contains($0) }.sorted()
        guard extra.isEmpty else {
            let names = extra.prefix(3).map { "\"\($0)\"" }.joined(separator: ", ")
            throw WeightError(file: file, context: ["tensor \(names)\(extra.count > 3 ? " and \(extra.count - 3) more" : "")"],
                              reason: "unexpected: the model does not use \(extra.count == 1 ? "it" : "them")")
        }
    }
}
