// The weight and body-model readers: the unpickler, zip and inflate, PyTorch checkpoints (zip and
// legacy; WeightFile also sniffs safetensors and .npz), safetensors with the window and mesh-flow
// inputs built on it, .npy / .npz, and SMPL model files (.pkl or .npz).
import BodyKit
import Foundation
import PoseTransfer
import TensorEngine

enum WeightTargets {
    static let all: [FuzzTarget] = [
        FuzzTarget(name: "pickle", summary: "the unpickler (Pickle.load) and a walk of the value", maxLength: 4096) { bytes in
            guard let value = try? Pickle.load([UInt8](bytes)) else { return }
            _ = walk(value, budget: 100_000)
        },
        FuzzTarget(name: "zip", summary: "ZipArchive's directory, every entry lent and CRC-checked (inflate included)",
                   maxLength: 16384) { bytes in
            guard let archive = try? ZipArchive(bytes) else { return }
            for entry in archive.entries {
                _ = try? archive.withContents(of: entry, in: bytes, verify: true) { $0.count }
            }
        },
        FuzzTarget(name: "inflate", summary: "a raw DEFLATE stream (first 3 bytes: the declared size)", maxLength: 8192) { bytes in
            guard bytes.count >= 3 else { return }
            let declared = Int(bytes[0]) | Int(bytes[1]) << 8 | Int(bytes[2]) << 16
            _ = try? Inflate.decompress(UnsafeRawBufferPointer(rebasing: bytes[3...]), expectedSize: declared)
        },
        FuzzTarget(name: "torch-checkpoint", summary: "WeightFile.read: .pth (zip and legacy), safetensors, .npz", maxLength: 16384) { bytes in
            _ = try? WeightFile.read(contentsOf: URL(fileURLWithPath: Scratch.write(bytes, as: "weights.pth")))
        },
        FuzzTarget(name: "safetensors", summary: "Safetensors.read, then the render-input windows and mesh-flow scene in it",
                   maxLength: 16384) { bytes in
            guard let file = try? Safetensors.read(contentsOf: URL(fileURLWithPath: Scratch.write(bytes, as: "inputs.safetensors"))) else { return }
            _ = try? WindowFile.windows(in: file.tensors, source: "inputs.safetensors", heatmapChannels: 25)
            _ = try? MeshFlowFile.scene(in: file.tensors, source: "inputs.safetensors")
        },
        FuzzTarget(name: "numpy", summary: "NumPy.read (.npy) or NumPy.readArchive (.npz), by the first bytes", maxLength: 8192) { bytes in
            let url = URL(fileURLWithPath: Scratch.write(bytes, as: "array.np"))
            if bytes.starts(with: [0x50, 0x4B]) {
                for array in ((try? NumPy.readArchive(contentsOf: url)) ?? [:]).values { _ = try? array.floats() }
            } else if let array = try? NumPy.read(contentsOf: url) {
                _ = try? array.floats()
                _ = try? array.integers()
            }
        },
        FuzzTarget(name: "smpl", summary: "SMPLFile.load: a SMPL model .pkl or .npz", maxLength: 65536) { bytes in
            _ = try? SMPLFile.load(path: Scratch.write(bytes, as: "model.pkl"))
        },
    ]

    /// Visits every node of a value (as readers do), counting them; stops after `budget`.
    static func walk(_ value: PickleValue, budget: Int) -> Int {
        var stack = [value], seen = 0
        while let next = stack.popLast(), seen < budget {
            seen += 1
            switch next {
            case let .list(items), let .tuple(items), let .set(items): stack.append(contentsOf: items)
            case let .dict(entries): for entry in entries { stack += [entry.key, entry.value] }
            case let .persistentID(inner): stack.append(inner)
            case let .object(object):
                stack += [object.callable] + object.arguments + object.listItems
                stack += [object.keywordArguments, object.state].compactMap { $0 }
                for entry in object.dictItems { stack += [entry.key, entry.value] }
            default: _ = next.stringValue
            }
        }
        return seen
    }
}
