// The media readers and the render cache: PNG / JPEG decoding (a project's source image, `new`,
// `import`), video probing and decoding (the driving video), and the window files of the neural
// render's cache.
import Foundation
import Imaging
import MediaIO
import Rendering

enum MediaTargets {
    static let all: [FuzzTarget] = [
        FuzzTarget(name: "image", summary: "ImageFile.decode: PNG or JPEG bytes through FFmpeg", maxLength: 16384) { bytes in
            _ = try? ImageFile.decode([UInt8](bytes), name: "image")
        },
        FuzzTarget(name: "video", summary: "VideoReader: probe, then decode up to 8 frames", maxLength: 65536) { bytes in
            guard let reader = try? VideoReader(path: Scratch.write(bytes, as: "video.mp4")) else { return }
            for _ in 0..<8 {
                guard let frame = try? reader.nextFrame() else { break }
                _ = frame.size
            }
        },
        FuzzTarget(name: "window-cache", summary: "RenderCache.load: a cached window of the neural render", maxLength: 16384) { bytes in
            let cache = RenderCache(directory: Scratch.directory)
            _ = Scratch.write(bytes, as: "window.safetensors")
            _ = cache.load("window")
        },
    ]
}
