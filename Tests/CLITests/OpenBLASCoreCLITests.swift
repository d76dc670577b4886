// posestudio restarts itself once when OpenBLAS chose generic kernels for a CPU it does not know,
// so that its GEMMs run with the kernels the CPU can run; a core type the user set is kept.
import Foundation
import Testing
import TensorEngine

@Suite struct OpenBLASCoreCLITests {
    /// The cores OpenBLAS reported as it loaded (OPENBLAS_VERBOSE=2 prints "Core: NAME" then).
    static func loadedCores(_ result: CLI.Result) -> [String] {
        result.err.split(separator: "\n").compactMap { line in
            line.hasPrefix("Core: ") ? String(line.dropFirst("Core: ".count)) : nil
        }
    }

    @Test func runsWithKernelsTheCPUCanRun() throws {
        let result = try CLI.run(["--version"], environment: ["OPENBLAS_VERBOSE": "2"])
        #expect(result.status == 0)
        #expect(result.out.hasPrefix("0."), "\(result.out)")
        let cores = Self.loadedCores(result)
        try #require(!cores.isEmpty, "OpenBLAS printed no core: \(result.err)")
        // At most one restart, and the kernels finally loaded need no override.
        #expect(cores.count <= 2, "\(cores)")
        #expect(OpenBLASCore.override(current: cores.last!, cpuFlags: OpenBLASCore.cpuFlags) == nil, "\(cores)")
        if let first = cores.first, let wanted = OpenBLASCore.override(current: first, cpuFlags: OpenBLASCore.cpuFlags) {
            #expect(cores == [first, wanted])
        } else {
            #expect(cores.count == 1)
        }
    }

    @Test func keepsTheCoreTypeTheUserSet() throws {
        let result = try CLI.run(["--version"], environment: ["OPENBLAS_VERBOSE": "2", "OPENBLAS_CORETYPE": "Prescott"])
        #expect(result.status == 0)
        #expect(Self.loadedCores(result) == ["Prescott"])
    }
}
