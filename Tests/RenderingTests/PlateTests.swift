// The background plate, the person's matte and the fidelity scores: a synthetic static-camera
// video with a moving object gives back its true background; holes are filled from around them;
// mattes grow, feather and composite as documented; SSIM's separable window equals the direct one.
import Foundation
import Imaging
import Testing
@testable import Rendering

@Suite struct PlateTests {
    /// A textured static background (no two neighbours alike) with a moving box over it.
    static func background(_ w: Int, _ h: Int) -> RGBImage {
        var image = RGBImage(width: w, height: h)
        for y in 0..<h { for x in 0..<w { image[x, y] = RGB(UInt8((x * 7 + y * 3) % 256), UInt8((x * x + y) % 251), UInt8((x ^ y) % 256)) } }
        return image
    }

    static func box(_ t: Int) -> (x: Int, y: Int, w: Int, h: Int) { (4 + 3 * t, 10 + (t % 3), 12, 20) }

    @Test func movingObjectLeavesTheTrueBackground() throws {
        let (w, h) = (80, 48)
        let truth = Self.background(w, h)
        func frame(_ t: Int) -> RGBImage {
            var image = truth
            let b = Self.box(t)
            image.fill(x: b.x, y: b.y, width: b.w, height: b.h, color: RGB(250, 10, 200))
            return image
        }
        // The person's region as the renderer would give it: the box, grown by 2 pixels.
        func occluded(_ t: Int) -> [Bool]? {
            let b = Self.box(t)
            var mask = [Bool](repeating: false, count: w * h)
            for y in max(0, b.y - 2)..<min(h, b.y + b.h + 2) { for x in max(0, b.x - 2)..<min(w, b.x + b.w + 2) { mask[y * w + x] = true } }
            return mask
        }
        let plate = try BackgroundPlate.median(frames: 0..<20, size: PixelSize(width: w, height: h), frame: frame, occluded: occluded)
        #expect(plate.image == truth)
        #expect(plate.unseen == 0 && plate.framesUsed == 20)

        // Without masks the median still finds the background wherever the object covers a pixel
        // in fewer than half of the frames.
        let unmasked = try BackgroundPlate.median(frames: 0..<20, size: PixelSize(width: w, height: h), frame: frame) { _ in
            [Bool](repeating: false, count: w * h)
        }
        #expect(unmasked.image == truth)
        // A frame without a body is not used; none at all is an error.
        #expect(throws: RenderError.self) {
            try BackgroundPlate.median(frames: 0..<3, size: PixelSize(width: w, height: h), frame: frame) { _ in nil }
        }
    }

    @Test func neverSeenPixelsAreFilledFromAroundThem() throws {
        let (w, h) = (40, 30)
        let grey = RGBImage(width: w, height: h, fill: RGB(90, 120, 150))
        // The same 10 × 8 hole in every frame.
        let hole = (0..<w * h).map { p in (15..<25).contains(p % w) && (10..<18).contains(p / w) }
        let plate = try BackgroundPlate.median(frames: 0..<5, size: PixelSize(width: w, height: h), frame: { _ in grey }, occluded: { _ in hole })
        #expect(plate.image == grey, "a hole in a flat background is filled with its colour")
        #expect(abs(plate.unseen - 80.0 / 1200) < 1e-12)
        // Left half black, right half white: the filled hole shades from one to the other.
        var split = RGBImage(width: w, height: h, fill: .black)
        split.fill(x: 20, y: 0, width: 20, height: h, color: .white)
        let shaded = try BackgroundPlate.median(frames: 0..<1, size: PixelSize(width: w, height: h), frame: { _ in split }, occluded: { _ in hole })
        #expect(shaded.image[15, 14].r < shaded.image[24, 14].r)
        #expect(shaded.image[5, 14] == .black && shaded.image[35, 14] == .white)
    }

    @Test func matteGrowsFeathersAndComposites() {
        let (w, h) = (9, 7)
        var covered = [Bool](repeating: false, count: w * h)
        covered[3 * w + 4] = true
        let grown = Matte.dilate(covered, width: w, height: h, radius: 2)
        for y in 0..<h { for x in 0..<w { #expect(grown[y * w + x] == (abs(x - 4) <= 2 && abs(y - 3) <= 2), "(\(x), \(y))") } }
        let blurred = Matte.boxBlur(grown.map { $0 ? 1 : 0 }, width: w, height: h, size: 3)
        #expect(blurred[3 * w + 4] == 1 && blurred[3 * w + 7] == 1.0 / 3 && blurred[0] == 0)
        let matte = Matte(silhouette: covered, width: w, height: h, dilation: 1, feather: 1)
        let person = RGBImage(width: w, height: h, fill: .white), back = RGBImage(width: w, height: h, fill: .black)
        let out = matte.composite(person, over: back)
        #expect(out[4, 3] == .white && out[5, 4] == .white && out[6, 3] == .black)
        let half = Matte(width: w, height: h, alpha: [Float](repeating: 0.5, count: w * h)).composite(person, over: back)
        #expect(half[0, 0] == RGB(128, 128, 128))
    }

    /// Placing a crop's person back changes only the pixels under the matte.
    @Test func placingWithAMatteLeavesTheRestOfTheFrame() {
        let crop = RenderCrop(x: 10, y: 5, side: 20, size: 10)
        var alpha = [Float](repeating: 0, count: 100)
        for y in 3..<7 { for x in 3..<7 { alpha[y * 10 + x] = 1 } }
        var canvas = Self.background(50, 40)
        let before = canvas
        crop.place(RGBImage(width: 10, height: 10, fill: .white), matte: Matte(width: 10, height: 10, alpha: alpha), onto: &canvas)
        #expect(canvas[10 + 10, 5 + 10] == .white, "the middle of the matte")
        for (x, y) in [(0, 0), (11, 6), (29, 24), (45, 30)] { #expect(canvas[x, y] == before[x, y], "(\(x), \(y)) outside the matte") }
    }

    @Test func ssimWindowEqualsTheDirectSumAndScoresBehave() {
        let (w, h) = (23, 17)
        var generator = SystemRandomNumberGenerator()
        let values = (0..<w * h).map { _ in Double.random(in: 0...255, using: &generator) }
        let fast = Fidelity.blur(values, w, h), slow = Fidelity.blurReference(values, w, h)
        #expect(zip(fast, slow).allSatisfy { abs($0 - $1) < 1e-9 })
        let a = Self.background(w, h)
        #expect(abs(Fidelity.ssim(a, a) - 1) < 1e-12 && Fidelity.psnr(mse: Fidelity.mse(a, a)) == .infinity)
        var b = a
        b.fill(x: 0, y: 0, width: w, height: h, color: .white, opacity: 0.3)
        #expect(Fidelity.ssim(a, b) < 0.99)
        // One level off everywhere: MSE 1, PSNR 20·log10(255).
        let c = RGBImage(width: 4, height: 4, fill: RGB(10, 10, 10)), d = RGBImage(width: 4, height: 4, fill: RGB(11, 11, 11))
        #expect(abs(Fidelity.psnr(mse: Fidelity.mse(c, d)) - 20 * log10(255.0)) < 1e-9)
        // A vertical step of 100 levels: mean gradient 50 on its two sides, 0 elsewhere.
        var step = RGBImage(width: 8, height: 5, fill: .black)
        step.fill(x: 4, y: 0, width: 4, height: 5, color: RGB(100, 100, 100))
        let mask = (0..<40).map { $0 % 8 == 3 || $0 % 8 == 4 }
        #expect(abs(Fidelity.sharpness(step, mask: mask) - 50) < 1e-9)
        #expect(Fidelity.sharpness(RGBImage(width: 8, height: 5, fill: .white)) == 0)
    }

    @Test func renderSettingsParseAndResolve() throws {
        let s = try RenderSettings(settings: ["render.size": "256x128", "render.background": "plate", "render.normalise": "false",
                                              "render.weights": "weights/demo.safetensors"], project: "/data/p/demo.bdmm")
        #expect(s.size?.width == 128 && s.size?.height == 256 && s.backdrop == .plate && s.normalise == false)
        #expect(s.weights == "/data/p/weights/demo.safetensors")
        #expect(try RenderSettings(settings: ["render.weights": "/abs/w.pth"], project: "x.bdmm").weights == "/abs/w.pth")
        #expect(Backdrop(text: "ff8000") == .colour(RGB(255, 128, 0)) && Backdrop(text: "teal") == nil)
        for (key, value) in [("render.size", "100"), ("render.background", "teal"), ("render.normalise", "maybe")] {
            let error = #expect(throws: RenderError.self) { try RenderSettings(settings: [key: value], project: "demo.bdmm") }
            #expect(error?.message.contains(key) == true && error?.message.contains("demo.bdmm") == true)
        }
    }
}
