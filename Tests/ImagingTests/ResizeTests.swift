// The separable resampler against the per-pixel reference, and properties that need no reference.
import Imaging
import Testing

func randomImage(_ w: Int, _ h: Int, seed: UInt64) -> RGBImage {
    var state = seed
    let pixels = (0..<(w * h * 3)).map { _ -> UInt8 in
        state = state &* 6364136223846793005 &+ 1442695040888963407
        return UInt8(truncatingIfNeeded: state >> 56)
    }
    return RGBImage(width: w, height: h, pixels: pixels)
}

func maxDelta(_ a: RGBImage, _ b: RGBImage) -> Int {
    zip(a.pixels, b.pixels).map { abs(Int($0) - Int($1)) }.max() ?? 0
}

@Suite struct ResizeTests {
    @Test(arguments: [
        (37, 23, 11, 7, ResizeFilter.automatic),   // area both ways, non-integer ratios
        (30, 20, 10, 5, .area),                     // integer ratios
        (9, 7, 31, 22, .automatic),                 // bilinear both ways
        (9, 7, 31, 22, .bicubic),
        (40, 6, 13, 19, .automatic),                // shrink x (area), grow y (bilinear)
        (12, 12, 5, 30, .bicubic),
        (16, 9, 7, 4, .bilinear),
        (108, 192, 27, 24, .automatic),             // a portrait frame to a preview: y pass first
    ])
    func fastPathEqualsReference(w: Int, h: Int, ow: Int, oh: Int, filter: ResizeFilter) {
        let image = randomImage(w, h, seed: UInt64(w * 1000 + h))
        let fast = image.resized(width: ow, height: oh, filter: filter)
        let reference = image.resizedReference(width: ow, height: oh, filter: filter)
        #expect(fast.size == PixelSize(width: ow, height: oh))
        #expect(maxDelta(fast, reference) <= 1, "\(w)x\(h) → \(ow)x\(oh) \(filter)")
    }

    @Test func areaOfTwoByTwoBlocksIsTheirMean() {
        var image = RGBImage(width: 4, height: 2)
        let values: [UInt8] = [10, 20, 30, 40, 200, 100, 0, 255]
        for (i, v) in values.enumerated() { image[i % 4, i / 4] = RGB(v, v, v) }
        let small = image.resized(width: 2, height: 1)
        #expect(small[0, 0].r == UInt8((10 + 20 + 200 + 100 + 2) / 4))
        #expect(small[1, 0].r == UInt8(((30 + 40 + 0 + 255) as Double / 4).rounded()))
    }

    @Test(arguments: [ResizeFilter.automatic, .area, .bilinear, .bicubic])
    func flatImageStaysFlat(filter: ResizeFilter) {
        let image = RGBImage(width: 13, height: 9, fill: RGB(12, 200, 77))
        for (w, h) in [(5, 4), (40, 31), (13, 2)] {
            let out = image.resized(width: w, height: h, filter: filter)
            #expect(Set(stride(from: 0, to: out.pixels.count, by: 3).map { out.pixels[$0 + 1] }) == [200])
        }
    }

    @Test func bicubicOvershootIsClamped() {
        var image = RGBImage(width: 4, height: 1)
        image[1, 0] = .white
        image[2, 0] = .white
        let out = image.resized(width: 16, height: 1, filter: .bicubic)
        #expect(out.pixels.max() == 255 && out.pixels.min() == 0)
    }

    @Test func fittedLetterboxesAndKeepsAspect() {
        let tall = RGBImage(width: 100, height: 200, fill: .white)
        let box = tall.fitted(width: 80, height: 80, background: .black)
        #expect(box.size == PixelSize(width: 80, height: 80))
        #expect(box[39, 40] == .white && box[10, 40] == .black && box[69, 40] == .black)
        // Cells twice as tall as wide: the same image needs half the rows.
        let cells = tall.fitted(width: 80, height: 80, background: .black, pixelAspect: 2)
        #expect(cells.size == PixelSize(width: 80, height: 80))
        #expect(cells == RGBImage(width: 80, height: 80, fill: .white), "a 1:2 image fills square-looking cells")
    }
}

@Suite struct CropPasteTests {
    @Test func cropThenPasteRestoresTheImage() {
        let image = randomImage(20, 15, seed: 3)
        let part = image.cropped(x: 4, y: 3, width: 9, height: 8)
        #expect(part.size == PixelSize(width: 9, height: 8))
        #expect(part[0, 0] == image[4, 3] && part[8, 7] == image[12, 10])
        var blank = RGBImage(width: 20, height: 15)
        blank.paste(part, x: 4, y: 3)
        #expect(blank.cropped(x: 4, y: 3, width: 9, height: 8) == part)
        #expect(blank[3, 3] == .black)
    }

    @Test func pasteAndCropClipAtTheEdges() {
        var canvas = RGBImage(width: 10, height: 10)
        canvas.paste(RGBImage(width: 6, height: 6, fill: .white), x: -3, y: 7)
        #expect(canvas[0, 7] == .white && canvas[2, 9] == .white && canvas[3, 9] == .black && canvas[0, 6] == .black)
        #expect(canvas.cropped(x: 8, y: 8, width: 5, height: 5).size == PixelSize(width: 2, height: 2))
    }
}
