// posestudio-fuzz: the libFuzzer driver (built only by `make fuzz`, with -sanitize=fuzzer,address).
// POSESTUDIO_FUZZ_TARGET names the target (Tests/Fuzz/Targets); libFuzzer owns main and the
// command line; POSESTUDIO_FUZZ_LIST=1 lists the targets (name, -max_len, what). Run `posestudio-fuzz -help=1` for libFuzzer's options.
import Foundation
import FuzzTargets

nonisolated(unsafe) var selected: FuzzTarget?

@_cdecl("LLVMFuzzerInitialize")
public func initialize(_ argc: UnsafeMutablePointer<CInt>, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?>) -> CInt {
    if ProcessInfo.processInfo.environment["POSESTUDIO_FUZZ_LIST"] == "1" {   // scripts/fuzz.sh's listing
        for target in FuzzTargets.all { print(target.name, target.maxLength, target.summary) }
        exit(0)
    }
    let name = ProcessInfo.processInfo.environment["POSESTUDIO_FUZZ_TARGET"] ?? ""
    guard let target = FuzzTargets.named(name) else {
        let names = FuzzTargets.all.map(\.name).joined(separator: ", ")
        FileHandle.standardError.write(Data("posestudio-fuzz: set POSESTUDIO_FUZZ_TARGET to one of: \(names)\n".utf8))
        exit(2)
    }
    selected = target
    return 0
}

@_cdecl("LLVMFuzzerTestOneInput")
public func testOneInput(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    selected?.run(UnsafeRawBufferPointer(start: data, count: size))
    return 0
}
