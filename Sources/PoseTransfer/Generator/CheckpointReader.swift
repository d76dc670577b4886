// CheckpointReader: takes tensors out of a loaded state_dict by name, checking each shape against
// what the layer being built expects (nil = read the width from the checkpoint), and afterwards
// reports anything the generator did not use. Every message names the tensor.
import TensorEngine

public enum GeneratorError: Error, CustomStringConvertible, Equatable {
    case missingTensor(source: String, name: String)
    case wrongShape(source: String, name: String, found: [Int], expected: String)
    case unexpectedTensors(source: String, names: [String])
    case badInput(source: String, name: String, message: String)

    public var description: String {
        switch self {
        case let .missingTensor(source, name):
            return "\(source): tensor \"\(name)\" is missing (not a BDMM generator checkpoint, or a different version)"
        case let .wrongShape(source, name, found, expected):
            return "\(source): tensor \"\(name)\" has shape \(found), expected \(expected)"
        case let .unexpectedTensors(source, names):
            let shown = names.prefix(5).map { "\"\($0)\"" }.joined(separator: ", ")
            return "\(source): unexpected tensor\(names.count == 1 ? "" : "s") \(shown)\(names.count > 5 ? " and \(names.count - 5) more" : "") (not a BDMM generator checkpoint?)"
        case let .badInput(source, name, message):
            return "\(source): \"\(name)\": \(message)"
        }
    }
}

final class CheckpointReader {
    let source: String
    private let tensors: [String: Tensor]
    private var used: Set<String> = []

    init(_ tensors: [String: Tensor], source: String) {
        self.tensors = tensors
        self.source = source
    }

    /// The tensor `name`, whose shape must match `expected` (nil entries match any size).
    func take(_ name: String, _ expected: [Int?]) throws(GeneratorError) -> Tensor {
        guard let tensor = tensors[name] else { throw .missingTensor(source: source, name: name) }
        let matches = tensor.shape.count == expected.count
            && zip(tensor.shape, expected).allSatisfy { $1 == nil || $0 == $1! }
        guard matches, tensor.count > 0 else {
            let pattern = "[" + expected.map { $0.map(String.init) ?? "any" }.joined(separator: ", ") + "]"
            throw .wrongShape(source: source, name: name, found: tensor.shape, expected: pattern)
        }
        used.insert(name)
        return tensor
    }

    func has(_ name: String) -> Bool { tensors[name] != nil }

    /// The leading dimension of a tensor already taken (its output width).
    func width(_ name: String) -> Int { tensors[name]?.shape.first ?? 0 }

    /// Throws when the checkpoint holds tensors nothing took.
    func finish() throws(GeneratorError) {
        let unused = tensors.keys.filter { !used.contains($0) }.sorted()
        if !unused.isEmpty { throw .unexpectedTensors(source: source, names: unused) }
    }
}
