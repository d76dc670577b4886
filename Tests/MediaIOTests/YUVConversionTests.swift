// The encoder's RGB → yuv420p conversion against its slow definition (BT.601 limited range,
// chroma from 2×2 means), on random pixels and on the extremes.
import Imaging
import Testing
@testable import MediaIO

@Suite struct YUVConversionTests {
    static func randomImage(width: Int, height: Int, seed: UInt64) -> RGBImage {
        var state = seed
        var image = RGBImage(width: width, height: height)
        for i in image.pixels.indices {
            state = state &* 6364136223846793005 &+ 1442695040888963407
            image.pixels[i] = UInt8(truncatingIfNeeded: state >> 56)
        }
        return image
    }

    static func maxDifference(_ a: [UInt8], _ b: [UInt8]) -> Int {
        zip(a, b).map { abs(Int($0) - Int($1)) }.max() ?? 0
    }

    @Test func fastConversionMatchesTheDefinition() {
        for (w, h, seed) in [(64, 48, 1), (30, 18, 2), (2, 2, 3)] as [(Int, Int, UInt64)] {
            let image = Self.randomImage(width: w, height: h, seed: seed)
            let fast = YUVConversion.planes(image), slow = YUVConversion.referenceYUV420(image)
            #expect(fast.y.count == slow.y.count && fast.u.count == slow.u.count && fast.v.count == slow.v.count)
            #expect(Self.maxDifference(fast.y, slow.y) <= 1, "Y \(w)x\(h)")
            #expect(Self.maxDifference(fast.u, slow.u) <= 1, "U \(w)x\(h)")
            #expect(Self.maxDifference(fast.v, slow.v) <= 1, "V \(w)x\(h)")
        }
    }

    @Test func extremesLandOnTheLimitedRange() {
        let black = YUVConversion.planes(RGBImage(width: 4, height: 2, fill: .black))
        let white = YUVConversion.planes(RGBImage(width: 4, height: 2, fill: .white))
        #expect(Set(black.y) == [16] && Set(black.u) == [128] && Set(black.v) == [128])
        #expect(Set(white.y) == [235] && Set(white.u) == [128] && Set(white.v) == [128])
        let red = YUVConversion.planes(RGBImage(width: 2, height: 2, fill: RGB(255, 0, 0)))
        #expect(red.y == [81, 81, 81, 81] && red.u == [90] && red.v == [240])
    }
}
