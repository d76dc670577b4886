// Shapes, skeletons and labels: coverage where it should be, nothing outside, translucency
// applied exactly once per pixel, colours by side, markers by origin, opacity by confidence.
import Imaging
import Testing

func count(_ image: RGBImage, where predicate: (RGB) -> Bool) -> Int {
    var n = 0
    for y in 0..<image.height { for x in 0..<image.width where predicate(image[x, y]) { n += 1 } }
    return n
}

@Suite struct DrawTests {
    @Test func discCoversItsArea() {
        var image = RGBImage(width: 100, height: 100)
        image.fillDisc(cx: 50, cy: 50, radius: 20, color: .white)
        let covered = Double(count(image) { $0 == .white })
        #expect(abs(covered - Double.pi * 400) < 40)
        #expect(image[50, 50] == .white && image[50, 71] == .black && image[29, 50] == .black)
    }

    @Test func translucentLineBlendsEveryPixelOnce() {
        var image = RGBImage(width: 120, height: 80)
        image.strokeLine(x0: 10, y0: 10, x1: 100, y1: 70, width: 9, color: .white, opacity: 0.5)
        // Round caps and a diagonal body overlap: still only one value inside.
        let values = Set(stride(from: 0, to: image.pixels.count, by: 3).map { image.pixels[$0] })
        #expect(values == [0, 128])
        #expect(image[10, 10].r == 128 && image[55, 40].r == 128 && image[100, 70].r == 128)
        #expect(image[100, 10] == .black)
    }

    @Test func zeroLengthLineIsADot() {
        var image = RGBImage(width: 20, height: 20)
        image.strokeLine(x0: 10, y0: 10, x1: 10, y1: 10, width: 6, color: .white)
        #expect(image[10, 10] == .white && image[10, 15] == .black)
    }

    @Test func shapesStayInsideTheImage() {
        var image = RGBImage(width: 10, height: 10)
        for shape in MarkerShape.allCases { image.drawMarker(shape, cx: -2, cy: 11, size: 12, color: .white) }
        image.strokeLine(x0: -50, y0: -50, x1: 60, y1: 60, width: 3, color: .white)
        image.fillDisc(cx: .nan, cy: 3, radius: 4, color: .white)
        #expect(image[0, 9] == .white && image[5, 5] == .white)
    }

    @Test func markersDifferByShape() {
        func draw(_ shape: MarkerShape) -> RGBImage {
            var image = RGBImage(width: 41, height: 41)
            image.drawMarker(shape, cx: 20.5, cy: 20.5, size: 30, color: .white)
            return image
        }
        let images = MarkerShape.allCases.map(draw)
        #expect(Set(images.map { $0.pixels }).count == MarkerShape.allCases.count)
        #expect(draw(.ring)[20, 20] == .black, "a ring is hollow")
        #expect(draw(.disc)[20, 20] == .white)
        #expect(draw(.square)[7, 7] == .white && draw(.disc)[7, 7] == .black, "a square fills its corners")
        #expect(draw(.plus)[9, 9] == .black && draw(.plus)[20, 6] == .white)
    }

    @Test func labelDigitsAreLegible() {
        var image = RGBImage(width: 40, height: 20)
        image.drawText("18", x: 1, y: 1, scale: 2, color: .white)
        // "1": the middle column of its stem is lit on every row; "8": its top bar.
        for row in 0..<7 { #expect(image[1 + 2 * 2, 1 + row * 2] == .white) }
        #expect(image[1 + 12 + 2, 1] == .white)
        #expect(RGBImage.textSize("18", scale: 2) == PixelSize(width: 22, height: 14))
        // "1" has 10 dots and "8" 17, each 2×2 pixels.
        #expect(count(image) { $0 == .white } == 27 * 4)
    }
}

@Suite struct SkeletonDrawingTests {
    /// Neck (0) → right hand (1) going left, neck → left hand (2) going right, hip (3) below.
    func figure(confidence: Double = 1, origin: PointOrigin = .detected, rightPresent: Bool = true) -> SkeletonFigure {
        SkeletonFigure(points: [
            SkeletonPoint(x: 100, y: 50, confidence: confidence, origin: origin, side: .centre),
            SkeletonPoint(x: 20, y: 50, confidence: confidence, origin: origin, side: .right, isPresent: rightPresent),
            SkeletonPoint(x: 180, y: 50, confidence: confidence, origin: origin, side: .left),
            SkeletonPoint(x: 100, y: 150, confidence: confidence, origin: origin, side: .centre),
            SkeletonPoint(x: 40, y: 150, confidence: confidence, origin: origin, side: .left),   // no limbs
        ], limbs: [
            SkeletonLimb(from: 0, to: 1, side: .right), SkeletonLimb(from: 0, to: 2, side: .left),
            SkeletonLimb(from: 0, to: 3, side: .centre),
        ])
    }
    let style = SkeletonStyle(lineWidth: 6, markerSize: 12)

    @Test func limbsAreColouredBySide() {
        var image = RGBImage(width: 200, height: 200)
        image.drawSkeleton(figure(), style: style)
        #expect(image[60, 50] == BodySide.right.color)
        #expect(image[140, 50] == BodySide.left.color)
        #expect(image[100, 100] == BodySide.centre.color)
        #expect(image[60, 100] == .black)
    }

    @Test func missingPointsAndTheirLimbsAreNotDrawn() {
        var image = RGBImage(width: 200, height: 200)
        image.drawSkeleton(figure(rightPresent: false), style: style)
        #expect(image[60, 50] == .black && image[20, 50] == .black)
        #expect(image[140, 50] == BodySide.left.color)
    }

    @Test func confidenceIsOpacity() {
        var sure = RGBImage(width: 200, height: 200), unsure = sure
        sure.drawSkeleton(figure(confidence: 1), style: style)
        unsure.drawSkeleton(figure(confidence: 0.2), style: style)
        let red = BodySide.right.color
        #expect(sure[60, 50] == red)
        let faint = unsure[60, 50]
        #expect(faint != red && faint != .black)
        let expected = SkeletonStyle.opacity(confidence: 0.2) * Double(red.r)
        #expect(abs(Double(faint.r) - expected) <= 1.5)
    }

    @Test func originChangesTheJointMarker() {
        var detected = RGBImage(width: 200, height: 200), interpolated = detected
        detected.drawSkeleton(figure(origin: .detected), style: style)
        interpolated.drawSkeleton(figure(origin: .interpolated), style: style)
        #expect(detected[40, 150] == BodySide.left.color)
        #expect(interpolated[40, 150] == .black, "a ring leaves the joint's centre open")
        #expect(interpolated[40 + 5, 150] == BodySide.left.color)
    }
}
