// A synthetic project for benchmarks: a small real PNG (stored deflate blocks, no zlib needed)
// and a random-walk BODY_25 sequence with SMPL on every frame.
import Foundation
import PoseKit
import ProjectStore

enum SyntheticProject {
    static func make(frames: Int, rng: inout SplitMix64) -> Project {
        let size = FrameSize(width: 1080, height: 1920)
        var pose = (0..<BODY25.jointCount).map { j in
            Keypoint(x: 400 + Double(j % 5) * 60, y: 300 + Double(j) * 50, confidence: 0.9)
        }
        var allFrames: [[Keypoint]] = []
        var smpl: [SMPLParameters?] = []
        for _ in 0..<frames {
            for j in pose.indices {
                pose[j].x += Double.random(in: -3...3, using: &rng)
                pose[j].y += Double.random(in: -3...3, using: &rng)
                pose[j].confidence = Double.random(in: 0.3...1, using: &rng)
            }
            allFrames.append(pose)
            smpl.append(SMPLParameters(vector: (0..<SMPLParameters.vectorCount).map { _ in Double.random(in: -1...1, using: &rng) }))
        }
        let sequence = PoseSequence(fps: 30, frameSize: size, frames: allFrames, smpl: smpl)
        // A 64×64 grey PNG: the bench measures the project file, not images.
        let image = try! SourceImage(bytes: png(width: 64, height: 64, grey: 128), path: "<synthetic>")
        return Project(sourceImage: image, sourcePose: SourcePose(keypoints: allFrames[0]), sourceFrame: 0, sequence: sequence)
    }

    /// An 8-bit greyscale PNG of one flat value, with a zlib stream of stored blocks.
    static func png(width: Int, height: Int, grey: UInt8) -> Data {
        var raw = [UInt8]()
        for _ in 0..<height { raw.append(0); raw.append(contentsOf: repeatElement(grey, count: width)) }
        var zlib: [UInt8] = [0x78, 0x01]
        var offset = 0
        repeat {
            let n = min(65535, raw.count - offset)
            zlib.append(offset + n == raw.count ? 1 : 0)
            zlib += [UInt8(n & 0xFF), UInt8(n >> 8), UInt8(~n & 0xFF), UInt8((~n >> 8) & 0xFF)]
            zlib += raw[offset..<offset + n]
            offset += n
        } while offset < raw.count
        var a: UInt32 = 1, b: UInt32 = 0
        for byte in raw { a = (a + UInt32(byte)) % 65521; b = (b + a) % 65521 }
        zlib += be32(b << 16 | a)
        var ihdr = be32(UInt32(width)) + be32(UInt32(height))
        ihdr += [8, 0, 0, 0, 0]
        return Data([0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A] + chunk("IHDR", ihdr) + chunk("IDAT", zlib) + chunk("IEND", []))
    }

    private static func be32(_ v: UInt32) -> [UInt8] { [UInt8(v >> 24), UInt8(v >> 16 & 0xFF), UInt8(v >> 8 & 0xFF), UInt8(v & 0xFF)] }

    private static func chunk(_ type: String, _ body: [UInt8]) -> [UInt8] {
        let typed = Array(type.utf8) + body
        var crc: UInt32 = 0xFFFF_FFFF
        for byte in typed {
            crc ^= UInt32(byte)
            for _ in 0..<8 { crc = crc & 1 != 0 ? (crc >> 1) ^ 0xEDB8_8320 : crc >> 1 }
        }
        return be32(UInt32(body.count)) + typed + be32(~crc)
    }
}
