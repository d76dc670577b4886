// Shared helpers of the weight-reader tests: fixture paths and tensor comparison.
import Foundation
import Testing
@testable import TensorEngine

enum WeightFixtures {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("Fixtures")
    static let bdmm = root.appendingPathComponent("bdmm")
    static let weights = root.appendingPathComponent("weights")
    static func weight(_ name: String) -> URL { weights.appendingPathComponent(name) }
}

/// Largest |a − b| over two tensors of the same shape (infinity when the shapes differ).
func weightsMaxAbsDifference(_ a: Tensor, _ b: Tensor) -> Float {
    guard a.shape == b.shape else { return .infinity }
    return zip(a.storage, b.storage).reduce(0) { max($0, abs($1.0 - $1.1)) }
}

/// True when both tensors have the same shape and bit-identical values (NaNs with equal payloads).
func sameBits(_ a: Tensor, _ b: Tensor) -> Bool {
    a.shape == b.shape && zip(a.storage, b.storage).allSatisfy { $0.bitPattern == $1.bitPattern }
}
