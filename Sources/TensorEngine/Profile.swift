// Profile: optional wall-clock accounting of where a forward pass spends its time, by op phase
// (Winograd transforms, GEMMs, sampling, norms, …) and by the layer the caller names. Off unless
// `Engine.profile` is set (`posestudio bench render --profile`); when off, each op pays one branch.
import Dispatch

public final class Profile {
    public struct Entry: Sendable {
        public var seconds = 0.0
        public var calls = 0
    }
    /// Time per op phase (leaf regions: they never nest).
    public private(set) var ops: [String: Entry] = [:]
    /// Wall time per layer, including whatever glue runs between its ops.
    public private(set) var layers: [String: Entry] = [:]
    /// Layers in the order they first ran.
    public private(set) var layerOrder: [String] = []

    public init() {}

    func add(op: String, seconds: Double) {
        ops[op, default: Entry()].seconds += seconds
        ops[op, default: Entry()].calls += 1
    }

    func add(layer: String, seconds: Double) {
        if layers[layer] == nil { layerOrder.append(layer) }
        layers[layer, default: Entry()].seconds += seconds
        layers[layer, default: Entry()].calls += 1
    }

    public func reset() { ops = [:]; layers = [:]; layerOrder = [] }

    static func now() -> UInt64 { DispatchTime.now().uptimeNanoseconds }
}

extension Engine {
    /// Runs `body`, charging its wall time to op phase `name` when profiling.
    @inline(__always)
    public func measure<T>(_ name: String, _ body: () throws -> T) rethrows -> T {
        guard let profile else { return try body() }
        let start = Profile.now()
        defer { profile.add(op: name, seconds: Double(Profile.now() - start) / 1e9) }
        return try body()
    }

    /// Runs `body`, charging its wall time to layer `name` when profiling.
    @inline(__always)
    public func layer<T>(_ name: String, _ body: () throws -> T) rethrows -> T {
        guard let profile else { return try body() }
        let start = Profile.now()
        defer { profile.add(layer: name, seconds: Double(Profile.now() - start) / 1e9) }
        return try body()
    }
}
