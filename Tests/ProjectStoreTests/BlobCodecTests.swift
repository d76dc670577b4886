import Foundation
import PoseKit
import Testing
@testable import ProjectStore

@Suite struct BlobCodecTests {
    @Test func editsRoundTripBitForBit() throws {
        var rng = SplitMix64(seed: 11)
        let sequence = Sample.sequence(frames: 8, smpl: true)
        var edits: [Edit] = (0..<300).map { _ in RandomEdits.make(for: sequence, rng: &rng) }
        edits.append(.replaceSequence(sequence))
        edits.append(.move(frames: 0..<1, joints: [.nose], dx: -0.0, dy: 1e-300))
        for edit in edits {
            let data = BlobCodec.encode(edit)
            #expect(try BlobCodec.decodeEdit(data, what: "edit") == edit)
        }
    }

    @Test func posesAndSMPLRoundTrip() throws {
        let s = Sample.sequence(frames: 3, smpl: true)
        let pose = s.pose(at: 1)
        let data = BlobCodec.encode(pose: pose)
        #expect(data.count == BlobCodec.poseBlobBytes)
        #expect(try BlobCodec.decodePose(data, what: "pose") == pose)
        let smpl = try #require(s.smpl[1])
        #expect(try BlobCodec.decodeSMPL(BlobCodec.encode(smpl: smpl), what: "smpl") == smpl)
    }

    /// Every prefix of a valid blob, and every single-byte corruption of its header, fails with an
    /// error (never a trap).
    @Test func damagedBlobsThrow() throws {
        let edit = Edit.replaceSequence(Sample.sequence(frames: 2, smpl: true))
        let data = BlobCodec.encode(edit)
        for length in stride(from: 0, to: data.count, by: 7) {
            #expect(throws: BlobCodec.DecodeError.self) { try BlobCodec.decodeEdit(data.prefix(length), what: "edit") }
        }
        var bad = data
        bad[1] = 200   // unknown tag
        #expect(throws: BlobCodec.DecodeError.self) { try BlobCodec.decodeEdit(bad, what: "edit") }
        var huge = BlobCodec.encode(Edit.replacePoints([]))
        huge.replaceSubrange(2..<10, with: [0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0x7F])   // absurd count
        #expect(throws: BlobCodec.DecodeError.self) { try BlobCodec.decodeEdit(huge, what: "edit") }
        #expect(throws: BlobCodec.DecodeError.self) { try BlobCodec.decodePose(data.prefix(10) + Data(count: 700), what: "pose") }
    }
}
