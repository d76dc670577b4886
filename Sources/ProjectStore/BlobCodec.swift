// Byte layout of the BLOB columns of a .bdmm file. Little-endian throughout; doubles as IEEE-754
// bit patterns so values round-trip bit for bit. Every blob starts with a one-byte layout version.
//   keypoint   = x f64, y f64, confidence f64, provenance u8, flags u8 (bit 0 missing, bit 1 pinned)
//   pose blob  = version u8, then 25 keypoints                                (651 bytes)
//   SMPL blob  = version u8, then 85 f64: cam 3, pose 72, shape 10            (681 bytes)
//   fit blob   = version u8, crop x, y, size f64, 25 errors f64 (NaN: not observed) (225 bytes)
//   edit blob  = version u8, tag u8, payload (see `encode(_ edit:)`)
import Foundation
import PoseKit

enum BlobCodec {
    static let layoutVersion: UInt8 = 1
    static let keypointBytes = 8 * 3 + 2
    static let poseBlobBytes = 1 + BODY25.jointCount * keypointBytes
    static let smplBlobBytes = 1 + SMPLParameters.vectorCount * 8

    enum DecodeError: Error, CustomStringConvertible {
        case truncated(what: String, offset: Int)
        case invalid(what: String, offset: Int)
        case trailingBytes(what: String, count: Int)
        var description: String {
            switch self {
            case let .truncated(what, offset): "\(what) ends early at byte \(offset)"
            case let .invalid(what, offset): "\(what) has an invalid value at byte \(offset)"
            case let .trailingBytes(what, count): "\(what) has \(count) unexpected trailing bytes"
            }
        }
    }

    // MARK: poses and SMPL

    static func encode(pose: some Collection<Keypoint>) -> Data {
        versioned { w in for point in pose { w.keypoint(point) } }
    }

    static func decodePose(_ data: Data, what: String) throws -> [Keypoint] {
        try decodeVersioned(data, what: what) { r in try (0..<BODY25.jointCount).map { _ in try r.keypoint() } }
    }

    static func encode(smpl: SMPLParameters) -> Data { versioned { $0.smpl(smpl) } }

    static func decodeSMPL(_ data: Data, what: String) throws -> SMPLParameters {
        try decodeVersioned(data, what: what) { try $0.smpl() }
    }

    static func encode(fit: SMPLFitRecord) -> Data { versioned { $0.fit(fit) } }

    static func decodeFit(_ data: Data, what: String) throws -> SMPLFitRecord {
        try decodeVersioned(data, what: what) { try $0.fit() }
    }

    /// A blob: the layout version, then what `write` writes.
    private static func versioned(_ write: (inout ByteWriter) -> Void) -> Data {
        var w = ByteWriter()
        w.u8(layoutVersion)
        write(&w)
        return w.data
    }

    /// Reads a blob written by `versioned`: checks the version, reads, and checks nothing is left.
    private static func decodeVersioned<T>(_ data: Data, what: String, _ read: (inout ByteReader) throws -> T) throws -> T {
        var r = ByteReader(data, what: what)
        try r.version()
        let value = try read(&r)
        try r.end()
        return value
    }

    // MARK: edits

    private enum Tag: UInt8 {
        case move = 1, place, setConfidence, setMissing, setPinned, swapLeftRight, replacePoints, replaceSequence
        /// setSMPL: count i64, then per value frame i64, smpl flag u8 [+ 85 f64], fit flag u8 [+ fit].
        case setSMPL
        /// replaceSequence of a sequence with fit records: the replaceSequence payload, then per frame a fit flag u8 [+ fit].
        case replaceFittedSequence
    }

    static func encode(_ edit: Edit) -> Data {
        var w = ByteWriter()
        w.u8(layoutVersion)
        switch edit {
        case let .move(frames, joints, dx, dy):
            w.u8(Tag.move.rawValue); w.range(frames); w.joints(joints); w.f64(dx); w.f64(dy)
        case let .place(frame, joint, x, y):
            w.u8(Tag.place.rawValue); w.i64(frame); w.u8(UInt8(joint.rawValue)); w.f64(x); w.f64(y)
        case let .setConfidence(frames, joints, confidence):
            w.u8(Tag.setConfidence.rawValue); w.range(frames); w.joints(joints); w.f64(confidence)
        case let .setMissing(frames, joints, missing):
            w.u8(Tag.setMissing.rawValue); w.range(frames); w.joints(joints); w.u8(missing ? 1 : 0)
        case let .setPinned(frames, joints, pinned):
            w.u8(Tag.setPinned.rawValue); w.range(frames); w.joints(joints); w.u8(pinned ? 1 : 0)
        case let .swapLeftRight(frames, pairs):
            w.u8(Tag.swapLeftRight.rawValue); w.range(frames); w.joints(pairs)
        case let .replacePoints(points):
            w.u8(Tag.replacePoints.rawValue)
            w.i64(points.count)
            for p in points { w.i64(p.frame); w.u8(UInt8(p.joint.rawValue)); w.keypoint(p.keypoint) }
        case let .replaceSequence(sequence):
            let fitted = sequence.fits.contains { $0 != nil }
            w.u8(fitted ? Tag.replaceFittedSequence.rawValue : Tag.replaceSequence.rawValue)
            w.f64(sequence.fps); w.i64(sequence.frameSize.width); w.i64(sequence.frameSize.height)
            w.i64(sequence.frameCount)
            for point in sequence.keypoints { w.keypoint(point) }
            for smpl in sequence.smpl {
                if let smpl { w.u8(1); w.smpl(smpl) } else { w.u8(0) }
            }
            if fitted {
                for fit in sequence.fits {
                    if let fit { w.u8(1); w.fit(fit) } else { w.u8(0) }
                }
            }
        case let .setSMPL(values):
            w.u8(Tag.setSMPL.rawValue)
            w.i64(values.count)
            for value in values {
                w.i64(value.frame)
                if let smpl = value.smpl { w.u8(1); w.smpl(smpl) } else { w.u8(0) }
                if let fit = value.fit { w.u8(1); w.fit(fit) } else { w.u8(0) }
            }
        }
        return w.data
    }

    static func decodeEdit(_ data: Data, what: String) throws -> Edit {
        var r = ByteReader(data, what: what)
        try r.version()
        let tagOffset = r.offset
        guard let tag = Tag(rawValue: try r.u8()) else { throw DecodeError.invalid(what: what, offset: tagOffset) }
        let edit: Edit
        switch tag {
        case .move:
            edit = .move(frames: try r.range(), joints: try r.joints(), dx: try r.f64(), dy: try r.f64())
        case .place:
            edit = .place(frame: try r.i64(), joint: try r.joint(), x: try r.f64(), y: try r.f64())
        case .setConfidence:
            edit = .setConfidence(frames: try r.range(), joints: try r.joints(), confidence: try r.f64())
        case .setMissing:
            edit = .setMissing(frames: try r.range(), joints: try r.joints(), missing: try r.bool())
        case .setPinned:
            edit = .setPinned(frames: try r.range(), joints: try r.joints(), pinned: try r.bool())
        case .swapLeftRight:
            edit = .swapLeftRight(frames: try r.range(), pairs: try r.joints())
        case .replacePoints:
            let count = try r.count(elementBytes: 9 + keypointBytes)
            edit = .replacePoints(try (0..<count).map { _ in
                PointValue(frame: try r.i64(), joint: try r.joint(), keypoint: try r.keypoint())
            })
        case .replaceSequence, .replaceFittedSequence:
            let fps = try r.f64()
            let size = FrameSize(width: try r.i64(), height: try r.i64())
            let frameCount = try r.count(elementBytes: BODY25.jointCount * keypointBytes + 1)
            let frames = try (0..<frameCount).map { _ in try (0..<BODY25.jointCount).map { _ in try r.keypoint() } }
            let smpl = try (0..<frameCount).map { _ in try r.bool() ? try r.smpl() : nil }
            let fits = tag == .replaceFittedSequence ? try (0..<frameCount).map { _ in try r.bool() ? try r.fit() : nil } : nil
            edit = .replaceSequence(PoseSequence(fps: fps, frameSize: size, frames: frames, smpl: smpl, fits: fits))
        case .setSMPL:
            let count = try r.count(elementBytes: 10)
            edit = .setSMPL(try (0..<count).map { _ in
                SMPLValue(frame: try r.i64(), smpl: try r.bool() ? try r.smpl() : nil, fit: try r.bool() ? try r.fit() : nil)
            })
        }
        try r.end()
        return edit
    }
}

struct ByteWriter {
    private(set) var data = Data()
    mutating func u8(_ v: UInt8) { data.append(v) }
    mutating func u64(_ v: UInt64) { withUnsafeBytes(of: v.littleEndian) { data.append(contentsOf: $0) } }
    mutating func i64(_ v: Int) { u64(UInt64(bitPattern: Int64(v))) }
    mutating func f64(_ v: Double) { u64(v.bitPattern) }
    mutating func range(_ r: Range<Int>) { i64(r.lowerBound); i64(r.upperBound) }
    mutating func joints(_ joints: [Joint]) {
        i64(joints.count)
        for j in joints { u8(UInt8(j.rawValue)) }
    }
    mutating func keypoint(_ p: Keypoint) {
        f64(p.x); f64(p.y); f64(p.confidence)
        u8(p.provenance.rawValue)
        u8((p.isMissing ? 1 : 0) | (p.isPinned ? 2 : 0))
    }
    mutating func smpl(_ s: SMPLParameters) {
        for v in s.vector { f64(v) }
    }
    mutating func fit(_ fit: SMPLFitRecord) {
        f64(fit.cropX); f64(fit.cropY); f64(fit.cropSize)
        for e in fit.errors { f64(e ?? .nan) }
    }
}

struct ByteReader {
    private let bytes: [UInt8]
    private let what: String
    private(set) var offset = 0

    init(_ data: Data, what: String) {
        self.bytes = [UInt8](data)
        self.what = what
    }

    private mutating func take(_ n: Int) throws -> ArraySlice<UInt8> {
        guard n >= 0, bytes.count - offset >= n else { throw BlobCodec.DecodeError.truncated(what: what, offset: offset) }
        defer { offset += n }
        return bytes[offset ..< offset + n]
    }

    private func invalid(at position: Int) -> BlobCodec.DecodeError { .invalid(what: what, offset: position) }

    mutating func version() throws {
        let at = offset
        guard try u8() == BlobCodec.layoutVersion else { throw invalid(at: at) }
    }
    mutating func end() throws {
        guard offset == bytes.count else { throw BlobCodec.DecodeError.trailingBytes(what: what, count: bytes.count - offset) }
    }
    mutating func u8() throws -> UInt8 { try take(1).first! }
    mutating func bool() throws -> Bool {
        let at = offset
        switch try u8() {
        case 0: return false
        case 1: return true
        default: throw invalid(at: at)
        }
    }
    mutating func u64() throws -> UInt64 {
        var value: UInt64 = 0
        for (i, byte) in try take(8).enumerated() { value |= UInt64(byte) << (8 * i) }
        return value
    }
    mutating func i64() throws -> Int { Int(Int64(bitPattern: try u64())) }
    mutating func f64() throws -> Double { Double(bitPattern: try u64()) }
    /// A non-negative element count that the remaining bytes can hold.
    mutating func count(elementBytes: Int) throws -> Int {
        let at = offset
        let n = try i64()
        guard n >= 0, n <= (bytes.count - offset) / max(elementBytes, 1) else { throw invalid(at: at) }
        return n
    }
    mutating func range() throws -> Range<Int> {
        let at = offset
        let lower = try i64(), upper = try i64()
        guard lower <= upper else { throw invalid(at: at) }
        return lower..<upper
    }
    mutating func joint() throws -> Joint {
        let at = offset
        guard let j = Joint(rawValue: Int(try u8())) else { throw invalid(at: at) }
        return j
    }
    mutating func joints() throws -> [Joint] {
        try (0..<count(elementBytes: 1)).map { _ in try joint() }
    }
    mutating func keypoint() throws -> Keypoint {
        let x = try f64(), y = try f64(), c = try f64()
        let at = offset
        guard let provenance = Provenance(rawValue: try u8()) else { throw invalid(at: at) }
        let flags = try u8()
        guard flags & ~3 == 0 else { throw invalid(at: at + 1) }
        return Keypoint(x: x, y: y, confidence: c, provenance: provenance,
                        isMissing: flags & 1 != 0, isPinned: flags & 2 != 0)
    }
    mutating func smpl() throws -> SMPLParameters {
        let at = offset
        let vector = try (0..<SMPLParameters.vectorCount).map { _ in try f64() }
        guard let s = SMPLParameters(vector: vector) else { throw invalid(at: at) }
        return s
    }
    mutating func fit() throws -> SMPLFitRecord {
        let at = offset
        let x = try f64(), y = try f64(), size = try f64()
        let errors = try (0..<BODY25.jointCount).map { _ -> Double? in
            let e = try f64()
            return e.isNaN ? nil : e
        }
        guard let fit = SMPLFitRecord(cropX: x, cropY: y, cropSize: size, errors: errors) else { throw invalid(at: at) }
        return fit
    }
}
