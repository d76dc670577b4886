// The documents: OpenPose and BDMM pose JSON, the project file (a SQLite database image: opened,
// read, undone, redone, exported), and the studio's theme and key-map TOML.
import Foundation
import PoseKit
import ProjectStore
import Studio

enum DocumentTargets {
    static let all: [FuzzTarget] = [
        FuzzTarget(name: "openpose-json", summary: "OpenPoseFormat.readFile: one OpenPose keypoints document", maxLength: 8192) { bytes in
            _ = try? OpenPoseFormat.readFile(Scratch.write(bytes, as: "frame_000000000000_keypoints.json"))
        },
        FuzzTarget(name: "bdmm-json", summary: "BDMMFormat.readFile: one BDMM kptsmpls document", maxLength: 8192) { bytes in
            _ = try? BDMMFormat.readFile(Scratch.write(bytes, as: "000000.json"))
        },
        FuzzTarget(name: "project", summary: "a project file: open, history, settings, JSON and OpenPose export, undo, redo",
                   maxLength: 65536) { bytes in
            project(bytes)
        },
        FuzzTarget(name: "theme", summary: "ThemeFile.parse: a studio theme (TOML)", maxLength: 4096) { bytes in
            _ = ThemeFile.parse(String(decoding: bytes, as: UTF8.self), file: "theme.toml")
        },
        FuzzTarget(name: "keymap", summary: "KeyMapFile.parse: the user's key map (TOML)", maxLength: 4096) { bytes in
            _ = KeyMapFile.parse(String(decoding: bytes, as: UTF8.self), file: "keys.toml")
        },
    ]

    static func project(_ bytes: UnsafeRawBufferPointer) {
        let names = ["fuzz.bdmm", "fuzz.bdmm-wal", "fuzz.bdmm-shm", "fuzz.bdmm-journal", "export"]
        Scratch.remove(names)
        defer { Scratch.remove(names) }
        guard let file = try? ProjectFile.open(at: Scratch.write(bytes, as: "fuzz.bdmm")) else { return }
        defer { try? file.close() }
        let settings = (try? file.settings()) ?? [:]
        _ = try? file.history()
        _ = ProjectJSON.document(file.project, settings: settings)
        try? OpenPoseFormat.write(file.sequence, to: Scratch.path("export"), prefix: "fuzz")
        _ = try? file.undo()
        _ = try? file.redo()
        _ = try? file.refresh()
    }
}
