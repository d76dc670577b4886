// Each fast op against its direct reference, table-driven over sizes, padding, strides and 1×1
// edges; plus the properties the generator relies on.
import Foundation
import Testing
@testable import TensorEngine

@Suite struct OpTests {
    struct ConvCase: CustomStringConvertible, Sendable {
        let n, c, h, w, o, k, stride, padding: Int
        var description: String { "n\(n) c\(c) \(h)×\(w) → \(o) k\(k) s\(stride) p\(padding)" }
    }

    static let convCases: [ConvCase] = [
        .init(n: 1, c: 3, h: 8, w: 6, o: 4, k: 3, stride: 1, padding: 1),
        .init(n: 2, c: 5, h: 7, w: 9, o: 3, k: 4, stride: 2, padding: 1),
        .init(n: 1, c: 6, h: 5, w: 5, o: 7, k: 1, stride: 1, padding: 0),
        .init(n: 1, c: 2, h: 1, w: 1, o: 3, k: 1, stride: 1, padding: 0),
        .init(n: 1, c: 2, h: 1, w: 1, o: 3, k: 3, stride: 1, padding: 1),
        .init(n: 1, c: 4, h: 2, w: 3, o: 2, k: 4, stride: 2, padding: 1),
        .init(n: 1, c: 3, h: 9, w: 4, o: 5, k: 3, stride: 2, padding: 0),
        .init(n: 1, c: 16, h: 12, w: 10, o: 8, k: 3, stride: 1, padding: 1),
    ]

    @Test(arguments: convCases) func conv2dMatchesDirect(_ t: ConvCase) {
        let engine = Engine(threads: 2)
        let x = Tensor.random([t.n, t.c, t.h, t.w], seed: 1)
        let weight = Tensor.random([t.o, t.c, t.k, t.k], seed: 2)
        let bias = Tensor.random([t.o], seed: 3)
        for b in [bias, nil] {
            let fast = engine.conv2d(x, weight: weight, bias: b, stride: t.stride, padding: t.padding)
            let slow = Direct.conv2d(x, weight, b, stride: t.stride, padding: t.padding)
            #expect(fast.shape == slow.shape)
            #expect(fast.maxDifference(slow) <= 1e-5, "\(t)")
        }
    }

    struct UpsampleCase: CustomStringConvertible, Sendable {
        let n, c, h, w, o: Int
        var description: String { "n\(n) c\(c) \(h)×\(w) → \(o)" }
    }

    /// 1×1 and odd widths; the last map is large enough for Winograd's blocks of tile rows.
    static let upsampleCases: [UpsampleCase] = [
        .init(n: 1, c: 3, h: 4, w: 5, o: 2), .init(n: 2, c: 2, h: 1, w: 1, o: 3), .init(n: 1, c: 4, h: 1, w: 7, o: 2),
        .init(n: 1, c: 5, h: 3, w: 2, o: 4), .init(n: 1, c: 16, h: 9, w: 13, o: 8), .init(n: 1, c: 4, h: 70, w: 125, o: 3),
    ]

    /// The polyphase conv against its definition: transposed conv, blur with padding 1, bias, lrelu(0.2)·√2.
    @Test(arguments: upsampleCases) func upsampleMatchesTransposedConvAndBlur(_ t: UpsampleCase) {
        let x = Tensor.random([t.n, t.c, t.h, t.w], scale: 2, seed: 4), weight = Tensor.random([t.o, t.c, 3, 3], seed: 5)
        let bias = Tensor.random([t.o], seed: 6)
        let taps: [Float] = [1, 3, 3, 1]
        let symmetric = Tensor(shape: [4, 4], storage: taps.flatMap { a in taps.map { a * $0 / 16 } })
        for blur in [symmetric, Tensor.random([4, 4], seed: 7)] {
            var slow = Direct.blur(Direct.transposedConvStride2(x, weight), blur, padding: 1)
            slow.fusedLeakyReLU(bias: bias)
            let kernel = UpsampleKernel(weight: weight, blur: blur)
            let one = Engine(threads: 1).upsample(x, kernel: kernel, activationBias: bias)
            let two = Engine(threads: 2).upsample(x, kernel: kernel, activationBias: bias)
            #expect(one.shape == [t.n, t.o, 2 * t.h, 2 * t.w])
            #expect(one.maxDifference(slow) <= 1e-4 * slow.storage.map(abs).max()!, "\(t)")
            #expect(one.maxDifference(two) <= 1e-5, "\(t)")
        }
    }

    @Test(arguments: [(1, 3, 5, 4), (2, 2, 1, 2), (1, 1, 2, 1), (1, 4, 16, 8)])
    func instanceNormMatchesDirect(_ n: Int, _ c: Int, _ h: Int, _ w: Int) {
        let engine = Engine(threads: 2)
        let x = Tensor.random([n, c, h, w], scale: 3, seed: 8)
        let gamma = Tensor.random([c], seed: 9), beta = Tensor.random([c], seed: 10)
        for slope: Float? in [nil, 0.1] {
            let fast = engine.instanceNorm(x, gamma: gamma, beta: beta, leakySlope: slope)
            #expect(fast.maxDifference(Direct.instanceNorm(x, gamma, beta, slope: slope)) <= 1e-5)
        }
    }

    struct DeformCase: CustomStringConvertible, Sendable {
        let n, c, h, w, o: Int
        /// Largest |offset| in pixels.
        let reach: Float
        /// Zero the mask of every third (tap, pixel).
        var zeroMasks = false
        /// Largest |x|. Sample positions are float32 (as in torchvision's kernel): at x ≈ 95 one is
        /// off by up to 4e-6 pixels, which moves a 108-term sum of values in ±1 by ~6e-5, with this
        /// code as with the plan-based one before it; smaller values keep that under the 1e-5 bound.
        var inputScale: Float = 1
        var description: String { "n\(n) c\(c) \(h)×\(w) → \(o) reach \(reach)\(zeroMasks ? " zero masks" : "")" }
    }

    static let deformCases: [DeformCase] = [
        .init(n: 1, c: 3, h: 6, w: 5, o: 4, reach: 3),
        .init(n: 1, c: 2, h: 1, w: 1, o: 2, reach: 2),
        .init(n: 2, c: 4, h: 4, w: 7, o: 3, reach: 5),
        .init(n: 1, c: 8, h: 9, w: 3, o: 8, reach: 0.5),
        .init(n: 1, c: 13, h: 1, w: 1, o: 5, reach: 0.8),            // eight channels at a time and a tail of five
        .init(n: 1, c: 21, h: 7, w: 6, o: 4, reach: 2, zeroMasks: true),
        .init(n: 1, c: 6, h: 5, w: 8, o: 3, reach: 40),              // nearly every sample far outside the map
        .init(n: 1, c: 12, h: 48, w: 100, o: 8, reach: 4, inputScale: 0.1),   // several blocks of pixels, the last one partial
    ]

    static func deformInputs(_ t: DeformCase) -> (x: Tensor, offset: Tensor, mask: Tensor, weight: Tensor) {
        let x = Tensor.random([t.n, t.c, t.h, t.w], scale: t.inputScale, seed: 11)
        let weight = Tensor.random([t.o, t.c, 3, 3], seed: 12)
        let offset = Tensor.random([t.n, 18, t.h, t.w], scale: t.reach, seed: 13)
        var mask = Tensor.random([t.n, 9, t.h, t.w], scale: 3, seed: 14); mask.sigmoid(scale: 2)
        if t.zeroMasks { for i in stride(from: 0, to: mask.count, by: 3) { mask.storage[i] = 0 } }
        return (x, offset, mask, weight)
    }

    @Test(arguments: deformCases) func deformableConvMatchesDirect(_ t: DeformCase) {
        let (x, offset, mask, weight) = Self.deformInputs(t)
        let fast = Engine(threads: 2).deformableConv2d(x, offset: offset, mask: mask, weight: weight)
        #expect(fast.maxDifference(Direct.deformableConv2d(x, offset, mask, weight)) <= 1e-5, "\(t)")
    }

    /// Each block of pixels is computed the same way whichever worker takes it.
    @Test(arguments: deformCases) func deformableConvOneThreadEqualsTwo(_ t: DeformCase) {
        let (x, offset, mask, weight) = Self.deformInputs(t)
        let one = Engine(threads: 1).deformableConv2d(x, offset: offset, mask: mask, weight: weight)
        let two = Engine(threads: 2).deformableConv2d(x, offset: offset, mask: mask, weight: weight)
        #expect(one.storage == two.storage, "\(t)")
    }

    @Test func deformableConvWithZeroOffsetsAndUnitMaskIsConv() {
        let engine = Engine(threads: 2)
        let x = Tensor.random([1, 5, 9, 7], seed: 15), weight = Tensor.random([6, 5, 3, 3], seed: 16)
        let deformed = engine.deformableConv2d(x, offset: Tensor(zeros: [1, 18, 9, 7]),
                                               mask: Tensor(shape: [1, 9, 9, 7], repeating: 1), weight: weight)
        #expect(deformed.maxDifference(engine.conv2d(x, weight: weight, bias: nil, padding: 1)) <= 1e-5)
    }

    @Test func deformableConvIntegerOffsetShiftsTheSample() {
        // Every tap displaced by exactly one row down equals the plain conv of the map shifted up.
        let engine = Engine(threads: 1)
        let x = Tensor.random([1, 2, 6, 6], seed: 17), weight = Tensor.random([3, 2, 3, 3], seed: 18)
        var offset = Tensor(zeros: [1, 18, 6, 6])
        for tap in 0..<9 { for p in 0..<36 { offset.storage[(2 * tap) * 36 + p] = 1 } }
        let deformed = engine.deformableConv2d(x, offset: offset, mask: Tensor(shape: [1, 9, 6, 6], repeating: 1), weight: weight)
        var shifted = Tensor(zeros: x.shape)
        for c in 0..<2 { for y in 0..<5 { for v in 0..<6 { shifted.storage[(c * 6 + y) * 6 + v] = x.storage[(c * 6 + y + 1) * 6 + v] } } }
        // Output row 0 reads x's row 0 through its top tap, which the shifted map has dropped.
        let plain = engine.conv2d(shifted, weight: weight, bias: nil, padding: 1)
        for o in 0..<3 { for y in 1..<6 { for v in 0..<6 {
            let index = (o * 6 + y) * 6 + v
            #expect(abs(deformed.storage[index] - plain.storage[index]) <= 1e-5)
        } } }
    }

    @Test(arguments: [(1, 3, 8, 6, 5, 7), (2, 2, 1, 1, 3, 2), (1, 1, 4, 4, 4, 4)])
    func gridSampleMatchesDirect(_ n: Int, _ c: Int, _ h: Int, _ w: Int, _ ho: Int, _ wo: Int) {
        let engine = Engine(threads: 2)
        let x = Tensor.random([n, c, h, w], seed: 19)
        var grid = Tensor.random([n, ho, wo, 2], scale: 1.3, seed: 20)
        grid.storage[0] = -2; grid.storage[1] = -2   // the mesh flow's background value
        let fast = engine.gridSample(x, grid: grid)
        #expect(fast.maxDifference(Direct.gridSample(x, grid)) <= 1e-5)
        #expect(fast.storage[0] == 0)
    }

    @Test func gridSampleIdentityGridReturnsTheImage() {
        let engine = Engine(threads: 2)
        let (h, w) = (6, 5)
        let x = Tensor.random([1, 2, h, w], seed: 21)
        var grid = Tensor(zeros: [1, h, w, 2])
        for i in 0..<h { for j in 0..<w {
            grid.storage[(i * w + j) * 2] = (2 * Float(j) + 1) / Float(w) - 1
            grid.storage[(i * w + j) * 2 + 1] = (2 * Float(i) + 1) / Float(h) - 1
        } }
        #expect(engine.gridSample(x, grid: grid).maxDifference(x) <= 1e-6)
    }

    @Test func modulationFollowsTheDefinition() {
        let weight = Tensor.random([1, 3, 2, 3, 3], seed: 22), scales = Tensor.random([2], seed: 23)
        let plain = Modulation.modulatedWeight(weight, scales: scales, demodulate: false)
        let demodulated = Modulation.modulatedWeight(weight, scales: scales, demodulate: true)
        let base = 1 / Float(18).squareRoot()
        #expect(abs(plain.storage[10] - weight.storage[10] * base * scales.storage[10 / 9 % 2]) <= 1e-6)
        for o in 0..<3 {
            let norm = (0..<18).map { demodulated.storage[o * 18 + $0] }.reduce(0) { $0 + $1 * $1 }
            #expect(abs(norm - 1) <= 1e-5)
        }
        let style = Tensor.random([4], seed: 24), linear = Tensor.random([2, 4], seed: 25), bias = Tensor([0.5, 1])
        let s = Modulation.equalLinear(style, weight: linear, bias: bias)
        let expected = (0..<4).map { style.storage[$0] * linear.storage[4 + $0] }.reduce(0, +) / 2 + 1
        #expect(abs(s.storage[1] - expected) <= 1e-6)
    }

    @Test func elementwiseOpsFollowTheirFormulas() {
        let x = Tensor(shape: [1, 2, 1, 2], storage: [-2, -0.5, 0.5, 3])
        var leaky = x; leaky.leakyReLU(0.1)
        #expect(leaky.storage == [-0.2, -0.05, 0.5, 3])
        var relu = x; relu.relu()
        #expect(relu.storage == [0, 0, 0.5, 3])
        var fused = x; fused.fusedLeakyReLU(bias: Tensor([1, -1]))   // + bias per channel, lrelu(0.2)·√2
        let root2 = Float(2).squareRoot()
        #expect(zip(fused.storage, [-1 * 0.2 * root2, 0.5 * root2, -0.5 * 0.2 * root2, 2 * root2]).allSatisfy { abs($0 - $1) < 1e-6 })
        var mask = x; mask.sigmoid(scale: 2)
        #expect(abs(mask.storage[3] - 2 / (1 + exp(-3))) < 1e-6)
        var t = x; t.tanh()
        #expect(abs(t.storage[0] - Foundation.tanh(-2)) < 1e-6)
        #expect(x.globalAveragePool().storage == [-1.25, 1.75])
        let joined = Tensor.concatChannels([x, Tensor(shape: [1, 1, 1, 2], storage: [7, 8])])
        #expect(joined.shape == [1, 3, 1, 2] && joined.storage == [-2, -0.5, 0.5, 3, 7, 8])
    }

    /// The fused epilogues do exactly what the separate passes do.
    @Test func fusedEpiloguesEqualSeparatePasses() {
        let engine = Engine(threads: 2)
        let x = Tensor.random([1, 6, 37, 41], scale: 2, seed: 40)
        let bias = Tensor.random([6], seed: 42), weight = Tensor.random([6, 6, 3, 3], seed: 43)
        let winograd = WinogradKernel(weight)
        var plain = engine.conv3x3(x, kernel: winograd, bias: bias)
        let residual = Tensor.random(plain.shape, seed: 44)
        plain.add(residual)
        #expect(engine.conv3x3(x, kernel: winograd, bias: bias, adding: residual).storage == plain.storage)
        var relu = plain; relu.relu()
        #expect(engine.conv3x3(x, kernel: winograd, bias: bias, adding: residual, activation: .relu).storage == relu.storage)
        var lrelu = engine.conv3x3(x, kernel: winograd, bias: nil)
        lrelu.fusedLeakyReLU(bias: bias)
        #expect(engine.conv3x3(x, kernel: winograd, bias: bias, activation: .scaledLeakyReLU).storage == lrelu.storage)

        var sum = x, twice = x
        sum.add(residual); sum.add(x)
        engine.add([residual, x], into: &twice)
        #expect(sum.storage == twice.storage)
    }

    @Test func oneThreadEqualsTwoThreads() {
        let x = Tensor.random([1, 8, 12, 10], seed: 26), weight = Tensor.random([6, 8, 3, 3], seed: 27)
        let offset = Tensor.random([1, 18, 12, 10], scale: 2, seed: 28), mask = Tensor(shape: [1, 9, 12, 10], repeating: 0.7)
        func run(_ threads: Int) -> [Tensor] {
            let engine = Engine(threads: threads)
            return [engine.conv2d(x, weight: weight, bias: nil, padding: 1),
                    engine.deformableConv2d(x, offset: offset, mask: mask, weight: Tensor.random([6, 8, 3, 3], seed: 29)),
                    engine.instanceNorm(x, gamma: Tensor(shape: [8], repeating: 1), beta: Tensor(zeros: [8])),
                    engine.upsample(x, kernel: UpsampleKernel(weight: weight, blur: Tensor.random([4, 4], seed: 41)),
                                    activationBias: Tensor.random([6], seed: 42))]
        }
        for (a, b) in zip(run(1), run(2)) { #expect(a.maxDifference(b) <= 1e-5) }
    }
}

extension Tensor {
    init(_ values: [Float]) { self.init(shape: [values.count], storage: values) }
}

@Suite struct WinogradTests {
    @Test(arguments: [(1, 3, 8, 8, 4), (1, 5, 7, 9, 3), (2, 4, 1, 1, 2), (1, 2, 2, 3, 5), (1, 16, 13, 6, 8), (1, 32, 16, 16, 16)])
    func matchesDirectConvolution(_ n: Int, _ c: Int, _ h: Int, _ w: Int, _ o: Int) {
        let engine = Engine(threads: 2)
        let x = Tensor.random([n, c, h, w], scale: 2, seed: 30), weight = Tensor.random([o, c, 3, 3], seed: 31)
        let bias = Tensor.random([o], seed: 32)
        let fast = engine.conv3x3(x, kernel: WinogradKernel(weight), bias: bias)
        let slow = Direct.conv2d(x, weight, bias, stride: 1, padding: 1)
        #expect(fast.shape == slow.shape)
        // F(4,3)'s transforms scale values by up to ~100 before they cancel: the float32 error is
        // relative to the output's size (measured ≤ 4e-6 of max |y| on these cases).
        #expect(fast.maxDifference(slow) <= 1e-5 * slow.storage.map(abs).max()!)
    }

    /// Maps large enough for blocks of tile rows (the last one partial, widths not a multiple of 4).
    @Test(arguments: [(1, 8, 70, 125, 5), (1, 3, 17, 509, 2), (2, 4, 33, 250, 6)])
    func blockedMatchesDirectConvolution(_ n: Int, _ c: Int, _ h: Int, _ w: Int, _ o: Int) {
        #expect(Winograd.blockTileRows(tilesY: (h + 3) / 4, tilesX: (w + 3) / 4) != nil)
        let x = Tensor.random([n, c, h, w], scale: 2, seed: 33), weight = Tensor.random([o, c, 3, 3], seed: 34)
        let bias = Tensor.random([o], seed: 35)
        let slow = Direct.conv2d(x, weight, bias, stride: 1, padding: 1)
        let one = Engine(threads: 1).conv3x3(x, kernel: WinogradKernel(weight), bias: bias)
        let two = Engine(threads: 2).conv3x3(x, kernel: WinogradKernel(weight), bias: bias)
        #expect(one.maxDifference(slow) <= 1e-5 * slow.storage.map(abs).max()!)
        #expect(one.storage == two.storage)
    }

    /// 4×4 stride-2 padding-1 convolutions through the pixel phases: small maps (one Winograd
    /// tile), maps large enough for the blocked path, widths whose halves are not multiples of 4.
    @Test(arguments: [(1, 3, 2, 2, 4), (2, 5, 6, 10, 3), (1, 28, 16, 16, 8), (1, 4, 34, 18, 6), (1, 3, 140, 258, 5)])
    func strideTwoMatchesDirectConvolution(_ n: Int, _ c: Int, _ h: Int, _ w: Int, _ o: Int) {
        let x = Tensor.random([n, c, h, w], scale: 2, seed: 36), weight = Tensor.random([o, c, 4, 4], seed: 37)
        let bias = Tensor.random([o], seed: 38)
        let slow = Direct.conv2d(x, weight, bias, stride: 2, padding: 1)
        let one = Engine(threads: 1).convStride2(x, kernel: StrideTwoKernel(weight), bias: bias)
        let two = Engine(threads: 2).convStride2(x, kernel: StrideTwoKernel(weight), bias: bias)
        #expect(one.shape == slow.shape)
        #expect(one.maxDifference(slow) <= 1e-5 * slow.storage.map(abs).max()!)
        #expect(one.storage == two.storage)
    }
}
