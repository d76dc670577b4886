// The neural render's window cache, outside the project file: one safetensors file per window
// under `$XDG_CACHE_HOME/posestudio/render/` (default ~/.cache), holding the window's generated
// frames (`out`, [1, N, 3, H, W], as the generator returned them) and the state it carries to the
// next window (`carry.*`). A window's key hashes everything that went into it: the weights' and the
// source's identity, its heatmaps, flows, pre and post flows, and the previous window's key (the
// carried state depends on every earlier window). So an edit changes the key of the first window
// that reads an edited frame and of every window after it; the windows before it are reused and
// rendering resumes from the last reused window's carried state (we keep every window's state:
// at 256 × 256 full width that is about 7.5 MB per window on disk). The cache keeps to a budget
// (4 GB by default, `POSESTUDIO_RENDER_CACHE_MB`): after each store the least recently used windows
// (reads refresh a file's date) are deleted until it is back under 90 % of it.
import Foundation
import Imaging
import PoseTransfer
import TensorEngine

public struct RenderCache: Sendable {
    public let directory: String
    /// The most the cache's files may take, in bytes.
    public let budget: Int64

    public static let defaultBudget: Int64 = 4 << 30

    public init(directory: String, budget: Int64 = RenderCache.defaultBudget) {
        self.directory = directory
        self.budget = budget
    }

    /// `$XDG_CACHE_HOME/posestudio/render` (default `~/.cache/posestudio/render`), with the budget
    /// from `POSESTUDIO_RENDER_CACHE_MB` when set to a positive number.
    public static func standard(environment: [String: String]) -> RenderCache {
        let base = cacheHome(environment: environment)
        let budget = environment["POSESTUDIO_RENDER_CACHE_MB"].flatMap(Int64.init).flatMap { $0 > 0 ? $0 << 20 : nil } ?? defaultBudget
        return RenderCache(directory: (base as NSString).appendingPathComponent("posestudio/render"), budget: budget)
    }

    /// `$XDG_CACHE_HOME`, or `~/.cache`: where posestudio's caches (windows, plates) live.
    public static func cacheHome(environment: [String: String]) -> String {
        environment["XDG_CACHE_HOME"].flatMap { $0.isEmpty ? nil : $0 }
            ?? ((environment["HOME"] ?? NSHomeDirectory()) as NSString).appendingPathComponent(".cache")
    }

    func file(_ key: String) -> URL { URL(fileURLWithPath: (directory as NSString).appendingPathComponent(key + ".safetensors")) }

    func contains(_ key: String) -> Bool { FileManager.default.fileExists(atPath: file(key).path) }

    /// A cached window, or nil when it is missing or unreadable (then it is simply recomputed).
    /// Reading it marks it as recently used.
    package func load(_ key: String) -> (frames: [Tensor], carried: CarriedState)? {
        guard let tensors = try? Safetensors.read(contentsOf: file(key)).tensors,
              let out = tensors["out"], out.rank == 5, let style = tensors["carry.style"], let last = tensors["carry.last_frame"],
              let structure = tensors["carry.structure"], let quarter = tensors["carry.forward_quarter"],
              let half = tensors["carry.forward_half"] else { return nil }
        let count = out.shape[1], plane = out.shape[2] * out.shape[3] * out.shape[4]
        let frames = (0..<count).map {
            Tensor(shape: [1] + Array(out.shape[2...]), storage: Array(out.storage[$0 * plane ..< ($0 + 1) * plane]))
        }
        utimes(file(key).path, nil)
        return (frames, CarriedState(style: style, lastFrame: last, structure: structure, forwardQuarter: quarter, forwardHalf: half))
    }

    /// Deletes the least recently used windows until the cache is under 90 % of its budget
    /// (never `keeping`, the window just stored). Files another process is writing are left alone.
    func prune(keeping: String? = nil) {
        let fileManager = FileManager.default
        guard let names = try? fileManager.contentsOfDirectory(atPath: directory) else { return }
        var files: [(path: String, size: Int64, used: Date)] = []
        for name in names where name.hasSuffix(".safetensors") && name != keeping.map({ $0 + ".safetensors" }) {
            let path = (directory as NSString).appendingPathComponent(name)
            guard let attributes = try? fileManager.attributesOfItem(atPath: path) else { continue }
            files.append((path, (attributes[.size] as? NSNumber)?.int64Value ?? 0, attributes[.modificationDate] as? Date ?? .distantPast))
        }
        let kept = keeping.flatMap { try? fileManager.attributesOfItem(atPath: file($0).path)[.size] as? NSNumber }?.int64Value ?? 0
        var total = files.reduce(kept) { $0 + $1.size }
        guard total > budget else { return }
        for entry in files.sorted(by: { $0.used < $1.used }) where total > budget / 10 * 9 {
            if (try? fileManager.removeItem(atPath: entry.path)) != nil { total -= entry.size }
        }
    }

    /// A cached window's generated frames as images, or nil when it is not (or no longer) stored.
    public func frames(_ key: String) -> [RGBImage]? {
        load(key)?.frames.map(NeuralRenderer.image)
    }

    /// Stores a window (written to a temporary name, then renamed: readers see all or nothing).
    func store(_ key: String, frames: [Tensor], carried: CarriedState) throws {
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        let out = Tensor(shape: [1, frames.count] + Array(frames[0].shape.dropFirst()), storage: frames.flatMap(\.storage))
        let temporary = URL(fileURLWithPath: file(key).path + ".\(getpid()).tmp")
        try Safetensors.write(["out": out, "carry.style": carried.style, "carry.last_frame": carried.lastFrame,
                               "carry.structure": carried.structure, "carry.forward_quarter": carried.forwardQuarter,
                               "carry.forward_half": carried.forwardHalf], to: temporary)
        guard rename(temporary.path, file(key).path) == 0 else {
            let why = String(cString: strerror(errno))
            try? FileManager.default.removeItem(at: temporary)
            throw RenderError("\(file(key).path): cannot store the rendered window: \(why)")
        }
        prune(keeping: key)
    }
}

/// A stable 128-bit hash (two FNV-1a 64 lanes with different offsets) of bytes fed in order; the
/// same in every process, unlike `Hasher`. Not cryptographic: a cache key, not a signature.
struct StableHash {
    private var a: UInt64 = 0xcbf2_9ce4_8422_2325
    private var b: UInt64 = 0x8422_2325_cbf2_9ce4
    private static let prime: UInt64 = 0x0000_0100_0000_01B3

    mutating func add(_ bytes: UnsafeRawBufferPointer) {
        for byte in bytes {
            a = (a ^ UInt64(byte)) &* Self.prime
            b = (b ^ UInt64(byte ^ 0x5A)) &* Self.prime
        }
    }
    mutating func add(_ text: String) { var t = text; t.withUTF8 { add(UnsafeRawBufferPointer($0)) }; add([UInt8(0)]) }
    mutating func add(_ values: [Float]) { values.withUnsafeBytes { add($0) } }
    mutating func add(_ values: [UInt8]) { values.withUnsafeBytes { add($0) } }
    mutating func add(_ tensor: Tensor) { add(tensor.shape.map(String.init).joined(separator: ",")); add(tensor.storage) }

    var hex: String { String(format: "%016llx%016llx", a, b) }
}
