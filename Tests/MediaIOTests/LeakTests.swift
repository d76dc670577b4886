// Every FFmpeg owner created while decoding and encoding is freed (debug builds count them).
import Foundation
import Imaging
import MediaIO
import Testing

@Suite struct LeakTests {
    @Test(.enabled(if: MediaObjectLedger.isCounting)) func decodingAndEncodingFreeEveryOwner() throws {
        let ledger = MediaObjectLedger()
        let dir = TemporaryDirectory()
        var liveWhileOpen = 0
        try ledger.track {
            let reader = try VideoReader(path: Media.demoVideo)
            let first = try #require(try reader.nextFrame())
            _ = try reader.frame(at: 57)
            _ = try reader.frame(at: 2)
            liveWhileOpen = ledger.live
            let small = first.resized(width: 108, height: 192)
            let writer = try VideoWriter(path: dir.file("clip.mp4"), size: small.size, fps: 60)
            for _ in 0..<5 { try writer.append(small) }
            try writer.finish()
            let again = try VideoReader(path: dir.file("clip.mp4"))
            while try again.nextFrame() != nil {}
            _ = try ImageFile.read(path: Media.demoImage)
            try ImageFile.writePNG(small, to: dir.file("a.png"))
            let frames = try PNGSequenceWriter(directory: dir.file("seq"), size: small.size)
            try frames.write(small, number: 0)
            try frames.finish()
            _ = try FileDigest.sha256(path: dir.file("a.png"))
            // Failure paths free too.
            #expect(throws: MediaError.self) { try VideoReader(path: dir.file("a.png") + ".missing") }
            #expect(throws: MediaError.self) { try VideoWriter(path: dir.file("no/x.mp4"), size: small.size, fps: 60) }
        }
        #expect(liveWhileOpen >= 5, "an open reader holds its demuxer, decoder, packet, frames and scaler")
        #expect(ledger.created > 20)
        #expect(ledger.live == 0, "\(ledger.live) FFmpeg owners were not freed")
    }
}
