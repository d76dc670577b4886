// swift-tools-version:6.0
// posestudio: one target per concern (see Docs/ARCHITECTURE.md); arrows in that table are the only imports.
import PackageDescription
import Foundation

/// TensorEngine's register-tile GEMM wants wide fused multiply-adds. On x86-64 they need AVX2 and
/// FMA, so when the machine building posestudio has them (it is also the one running it: `make`
/// builds from source) TensorEngine is compiled for Haswell-level CPUs, or for AVX-512 ones (16-lane
/// tiles, HARDWARE_AVX512) when it has those. Elsewhere on x86-64 it stays generic and multiplies
/// and adds separately; arm64 always has fused multiply-add.
let tensorEngineSettings: [SwiftSetting] = {
    #if arch(arm64)
    return [.define("HARDWARE_FMA")]
    #elseif arch(x86_64) && os(Linux)
    let info = (try? String(contentsOfFile: "/proc/cpuinfo", encoding: .utf8)) ?? ""
    guard let line = info.split(separator: "\n").first(where: { $0.hasPrefix("flags") }) else { return [] }
    let flags = Set(line.split(whereSeparator: { $0 == " " || $0 == "\t" }))
    if flags.contains("avx512f") && flags.contains("avx512vl") && flags.contains("fma") {
        return [.unsafeFlags(["-target-cpu", "skylake-avx512"]), .define("HARDWARE_FMA"), .define("HARDWARE_AVX512")]
    }
    return flags.contains("avx2") && flags.contains("fma") ? [.unsafeFlags(["-target-cpu", "haswell"]), .define("HARDWARE_FMA")] : []
    #else
    return []
    #endif
}()

let package = Package(
    name: "posestudio",
    platforms: [.macOS(.v13)],
    products: [
        .executable(name: "posestudio", targets: ["posestudio"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
        .package(url: "https://github.com/groue/GRDB.swift", from: "7.10.0"),
    ],
    targets: [
        // C libraries: module map + shim.h only. No pkgConfig for ncurses: its .pc only carries
        // -D flags, which SwiftPM drops with a warning; the shim defines NCURSES_WIDECHAR itself.
        .systemLibrary(name: "CNcurses", providers: [.apt(["libncurses-dev"])]),
        .systemLibrary(name: "COpenBLAS", pkgConfig: "openblas", providers: [.apt(["libopenblas-dev"])]),
        .systemLibrary(name: "CFFmpeg", pkgConfig: "libavformat libavcodec libswscale libavutil",
                       providers: [.apt(["libavformat-dev", "libavcodec-dev", "libswscale-dev", "libavutil-dev"])]),
        .systemLibrary(name: "CChafa", pkgConfig: "chafa", providers: [.apt(["libchafa-dev", "libglib2.0-dev"])]),

        .target(name: "PoseKit"),
        .target(name: "ProjectStore", dependencies: [
            "PoseKit",
            .product(name: "GRDB", package: "GRDB.swift"),
        ]),
        // Dense float32 tensors, the ops of the BDMM generator, and the weight readers.
        .target(name: "TensorEngine", dependencies: ["COpenBLAS"], swiftSettings: tensorEngineSettings),
        // Body models with the SMPL 24-joint interface, posing, projection and fitting to keypoints.
        .target(name: "BodyKit", dependencies: ["PoseKit", "TensorEngine"]),
        // A project's fits: read its poses, fit/refit with BodyKit, store them journaled (CLI and studio).
        .target(name: "ProjectFitting", dependencies: ["BodyKit", "ProjectStore", "PoseKit"]),
        // The render pipeline: the BDMM generator and its windows, heatmaps, mesh flow.
        .target(name: "PoseTransfer", dependencies: ["TensorEngine", "PoseKit"]),
        // Media: RGB images and drawing; decode/encode through FFmpeg; chafa previews as cells.
        .target(name: "Imaging"),
        .target(name: "MediaIO", dependencies: ["CFFmpeg", "Imaging"]),
        // A project's renders: bodies per frame, crops, pose normalisation, the draft (mesh-flow warp).
        .target(name: "Rendering", dependencies: ["PoseTransfer", "TensorEngine", "BodyKit", "ProjectStore", "Imaging", "MediaIO", "PoseKit"]),
        .target(name: "TerminalUI"),
        // The ncurses terminal session behind the studio: the only importer of CNcurses.
        .target(name: "NcursesBackend", dependencies: ["CNcurses", "TerminalUI"]),
        .target(name: "TerminalPreview", dependencies: ["CChafa", "Imaging", "TerminalUI"]),
        // The studio: state, reducer, panes, key map, themes and the session loop (terminal-agnostic).
        .target(name: "Studio", dependencies: [
            "PoseKit", "ProjectStore", "Imaging", "TerminalUI", "TerminalPreview",
        ]),
        .executableTarget(name: "posestudio", dependencies: [
            "PoseKit", "ProjectStore", "BodyKit", "ProjectFitting", "TensorEngine", "PoseTransfer", "Rendering", "Imaging", "MediaIO", "TerminalUI", "TerminalPreview", "Studio", "NcursesBackend",
            .product(name: "ArgumentParser", package: "swift-argument-parser"),
        ]),

        .target(name: "TestSupport", path: "Tests/TestSupport"),
        // Every reader of outside bytes as a fuzz target: libFuzzer drives them (`make fuzz`), the
        // regression tests replay the inputs that once broke them.
        .target(name: "FuzzTargets", dependencies: [
            "TensorEngine", "BodyKit", "PoseTransfer", "PoseKit", "ProjectStore", "Studio", "Imaging", "MediaIO", "Rendering",
        ], path: "Tests/Fuzz/Targets"),
        // Synthetic SMPL-layout bodies and writers of SMPL file layouts (random arrays, never SMPL data).
        .target(name: "BodyTestSupport", dependencies: ["BodyKit", "PoseKit"], path: "Tests/BodyTestSupport"),
        .testTarget(name: "CShimTests", dependencies: ["CNcurses", "COpenBLAS", "CFFmpeg", "CChafa"]),
        .testTarget(name: "TensorEngineTests", dependencies: ["TensorEngine", "PoseKit", "TestSupport"]),
        .testTarget(name: "BodyKitTests", dependencies: ["BodyKit", "PoseKit", "TestSupport", "BodyTestSupport"]),
        .testTarget(name: "ProjectFittingTests", dependencies: ["ProjectFitting", "BodyKit", "ProjectStore", "PoseKit", "TestSupport", "BodyTestSupport"]),
        .testTarget(name: "PoseTransferTests", dependencies: ["PoseTransfer", "TensorEngine", "PoseKit", "TestSupport"]),
        .testTarget(name: "RenderingTests", dependencies: [
            "Rendering", "PoseTransfer", "BodyKit", "ProjectStore", "Imaging", "MediaIO", "PoseKit", "TensorEngine", "TestSupport",
        ]),
        .testTarget(name: "ImagingTests", dependencies: ["Imaging", "TestSupport"]),
        .testTarget(name: "MediaIOTests", dependencies: ["MediaIO", "Imaging", "TestSupport"]),
        .testTarget(name: "TerminalPreviewTests", dependencies: ["TerminalPreview", "TerminalUI", "Imaging", "TestSupport"]),
        .testTarget(name: "StudioTests", dependencies: ["Studio", "TerminalUI", "PoseKit", "ProjectStore", "Imaging", "TestSupport"]),
        .testTarget(name: "NcursesBackendTests", dependencies: ["NcursesBackend", "TerminalUI"]),
        .testTarget(name: "PoseKitTests", dependencies: ["PoseKit", "TestSupport"]),
        .testTarget(name: "ProjectStoreTests", dependencies: [
            "PoseKit", "ProjectStore", "TestSupport",
            .product(name: "GRDB", package: "GRDB.swift"),
        ]),
        .testTarget(name: "FuzzRegressionTests", dependencies: ["FuzzTargets", "TestSupport"]),
        // Runs the built `posestudio` binary as a user would (exit codes, stderr, files).
        .testTarget(name: "CLITests", dependencies: [
            "posestudio", "PoseKit", "ProjectStore", "TensorEngine", "MediaIO", "Imaging", "TestSupport",
            .product(name: "GRDB", package: "GRDB.swift"),
        ]),
    ],
    swiftLanguageModes: [.v6]
)

// The libFuzzer driver exists only in `make fuzz`'s build (POSESTUDIO_FUZZ=1, -sanitize=fuzzer):
// libFuzzer supplies its main, so no other build could link it.
if ProcessInfo.processInfo.environment["POSESTUDIO_FUZZ"] == "1" {
    package.products.append(.executable(name: "posestudio-fuzz", targets: ["posestudio-fuzz"]))
    package.targets.append(.executableTarget(name: "posestudio-fuzz", dependencies: ["FuzzTargets"], path: "Tests/Fuzz/Driver",
                                             swiftSettings: [.unsafeFlags(["-parse-as-library"])]))
}
