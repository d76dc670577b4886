// Which OpenBLAS kernels posestudio asks for when OpenBLAS fell back to generic ones.
import Testing
import TensorEngine

@Suite struct OpenBLASCoreTests {
    static let avx512: Set<Substring> = ["sse3", "avx", "avx2", "fma", "avx512f", "avx512dq", "avx512cd", "avx512bw", "avx512vl"]
    static let avx2: Set<Substring> = ["sse3", "avx", "avx2", "fma"]

    @Test(arguments: [
        ("Prescott", avx512, "SkylakeX"),    // OpenBLAS 0.3.21 on an Emerald Rapids Xeon
        ("Prescott", avx2, "Haswell"),
        ("Nehalem", avx512, "SkylakeX"),
        ("Prescott", ["sse3", "avx"], nil),  // no AVX2: the generic kernels are the right ones
        ("Prescott", ["avx2"], nil),         // AVX2 without FMA
        ("SkylakeX", avx512, nil),           // OpenBLAS's own choice stands
        ("Haswell", avx512, nil),
        ("Zen", avx2, nil),
    ] as [(String, Set<Substring>, String?)])
    func override(_ current: String, _ flags: Set<Substring>, _ expected: String?) {
        #expect(OpenBLASCore.override(current: current, cpuFlags: flags) == expected)
    }

    @Test func namesTheKernelsInUse() {
        #expect(!OpenBLASCore.name.isEmpty)
        #expect(!OpenBLASCore.cpuFlags.isEmpty)
    }
}
