// OpenBLASRestart: OpenBLAS picks its kernels as the process loads it, before any of our code runs.
// When it fell back to generic x86-64 kernels on a CPU it does not know (see OpenBLASCore), the
// command restarts itself once, at its very start, with OPENBLAS_CORETYPE naming the kernels the
// CPU can run. A core type the user set is left alone.
import Foundation
import TensorEngine

enum OpenBLASRestart {
    static func ifNeeded() {
        guard ProcessInfo.processInfo.environment["OPENBLAS_CORETYPE"] == nil,
              let core = OpenBLASCore.override(current: OpenBLASCore.name, cpuFlags: OpenBLASCore.cpuFlags)
        else { return }
        setenv("OPENBLAS_CORETYPE", core, 1)
        execv("/proc/self/exe", CommandLine.unsafeArgv)
        // execv returns only when it failed: carry on with the kernels already loaded.
    }
}
