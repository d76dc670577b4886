// Pixel size and format from a PNG or JPEG header, without decoding the image (decoding is
// MediaIO's job). PNG: IHDR right after the signature. JPEG: the first SOFn marker's frame header.
import Foundation
import PoseKit

enum ImageHeader {
    static func read(_ data: Data) -> (format: SourceImage.Format, size: FrameSize)? {
        let b = [UInt8](data)
        if let size = png(b) { return (.png, size) }
        if let size = jpeg(b) { return (.jpeg, size) }
        return nil
    }

    private static func be32(_ b: [UInt8], _ i: Int) -> Int {
        Int(b[i]) << 24 | Int(b[i + 1]) << 16 | Int(b[i + 2]) << 8 | Int(b[i + 3])
    }
    private static func be16(_ b: [UInt8], _ i: Int) -> Int { Int(b[i]) << 8 | Int(b[i + 1]) }

    private static func png(_ b: [UInt8]) -> FrameSize? {
        let signature: [UInt8] = [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A]
        guard b.count >= 24, Array(b[0..<8]) == signature, Array(b[12..<16]) == Array("IHDR".utf8) else { return nil }
        let w = be32(b, 16), h = be32(b, 20)
        return w > 0 && h > 0 ? FrameSize(width: w, height: h) : nil
    }

    private static func jpeg(_ b: [UInt8]) -> FrameSize? {
        guard b.count >= 4, b[0] == 0xFF, b[1] == 0xD8 else { return nil }
        var i = 2
        while i + 4 <= b.count {
            guard b[i] == 0xFF else { return nil }
            let marker = b[i + 1]
            if marker == 0xFF { i += 1; continue }                       // fill byte
            if marker == 0xD8 || marker == 0x01 || (0xD0...0xD7).contains(marker) { i += 2; continue }
            if marker == 0xD9 || marker == 0xDA { return nil }           // end or scan before a frame header
            let length = be16(b, i + 2)
            guard length >= 2 else { return nil }
            let isSOF = (0xC0...0xCF).contains(marker) && ![0xC4, 0xC8, 0xCC].contains(marker)
            if isSOF {
                guard i + 9 <= b.count else { return nil }
                let h = be16(b, i + 5), w = be16(b, i + 7)
                return w > 0 && h > 0 ? FrameSize(width: w, height: h) : nil
            }
            i += 2 + length
        }
        return nil
    }
}
