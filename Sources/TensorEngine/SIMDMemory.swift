// SIMDMemory: unaligned loads and stores of Float vectors (any width) for the hand-vectorised
// kernels (PackedGEMM, the Winograd transforms).
enum SIMDMemory {
    @inline(__always) static func load<V: SIMD>(_ p: UnsafePointer<Float>) -> V where V.Scalar == Float {
        UnsafeRawPointer(p).loadUnaligned(as: V.self)
    }
    @inline(__always) static func store<V: SIMD>(_ v: V, _ p: UnsafeMutablePointer<Float>) where V.Scalar == Float {
        UnsafeMutableRawPointer(p).storeBytes(of: v, as: V.self)
    }
}
