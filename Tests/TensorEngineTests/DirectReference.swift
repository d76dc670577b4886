// Slow, obvious references for the fast ops: straight loops over the definitions, in Double.
import Foundation
import PoseKit
@testable import TensorEngine

enum Direct {
    static func conv2d(_ x: Tensor, _ weight: Tensor, _ bias: Tensor?, stride: Int, padding: Int) -> Tensor {
        let (n, c, h, w) = (x.shape[0], x.shape[1], x.shape[2], x.shape[3])
        let (o, k) = (weight.shape[0], weight.shape[2])
        let ho = (h + 2 * padding - k) / stride + 1, wo = (w + 2 * padding - k) / stride + 1
        var out = Tensor(zeros: [n, o, ho, wo])
        for b in 0..<n { for oc in 0..<o { for y in 0..<ho { for v in 0..<wo {
            var sum = Double(bias?.storage[oc] ?? 0)
            for ic in 0..<c { for i in 0..<k { for j in 0..<k {
                let iy = y * stride - padding + i, ix = v * stride - padding + j
                guard iy >= 0, iy < h, ix >= 0, ix < w else { continue }
                sum += Double(x.storage[((b * c + ic) * h + iy) * w + ix]) * Double(weight.storage[((oc * c + ic) * k + i) * k + j])
            } } }
            out.storage[((b * o + oc) * ho + y) * wo + v] = Float(sum)
        } } } }
        return out
    }

    static func transposedConvStride2(_ x: Tensor, _ weight: Tensor) -> Tensor {
        let (n, c, h, w) = (x.shape[0], x.shape[1], x.shape[2], x.shape[3])
        let (o, k) = (weight.shape[0], weight.shape[2])
        let (th, tw) = ((h - 1) * 2 + k, (w - 1) * 2 + k)
        var sums = [Double](repeating: 0, count: n * o * th * tw)
        for b in 0..<n { for oc in 0..<o { for ic in 0..<c { for y in 0..<h { for v in 0..<w { for a in 0..<k { for t in 0..<k {
            sums[((b * o + oc) * th + 2 * y + a) * tw + 2 * v + t] +=
                Double(weight.storage[((oc * c + ic) * k + a) * k + t]) * Double(x.storage[((b * c + ic) * h + y) * w + v])
        } } } } } } }
        return Tensor(shape: [n, o, th, tw], storage: sums.map(Float.init))
    }

    static func blur(_ x: Tensor, _ kernel: Tensor, padding: Int) -> Tensor {
        let (n, c, h, w) = (x.shape[0], x.shape[1], x.shape[2], x.shape[3])
        let k = kernel.shape[0]
        let (oh, ow) = (h + 2 * padding - k + 1, w + 2 * padding - k + 1)
        var out = Tensor(zeros: [n, c, oh, ow])
        for p in 0..<(n * c) { for y in 0..<oh { for v in 0..<ow {
            var sum = 0.0
            for u in 0..<k { for t in 0..<k {
                let iy = y + u - padding, ix = v + t - padding
                guard iy >= 0, iy < h, ix >= 0, ix < w else { continue }
                // correlation with the flipped kernel
                sum += Double(kernel.storage[(k - 1 - u) * k + (k - 1 - t)]) * Double(x.storage[(p * h + iy) * w + ix])
            } }
            out.storage[(p * oh + y) * ow + v] = Float(sum)
        } } }
        return out
    }

    static func instanceNorm(_ x: Tensor, _ gamma: Tensor, _ beta: Tensor, slope: Float?) -> Tensor {
        let (n, c) = (x.shape[0], x.shape[1]), plane = x.shape[2] * x.shape[3]
        var out = x
        for p in 0..<(n * c) {
            let values = (0..<plane).map { Double(x.storage[p * plane + $0]) }
            let mean = values.reduce(0, +) / Double(plane)
            let variance = values.map { ($0 - mean) * ($0 - mean) }.reduce(0, +) / Double(plane)
            for i in 0..<plane {
                var y = Float((values[i] - mean) / (variance + 1e-5).squareRoot() * Double(gamma.storage[p % c]) + Double(beta.storage[p % c]))
                if let slope, y < 0 { y *= slope }
                out.storage[p * plane + i] = y
            }
        }
        return out
    }

    /// torchvision's bilinear_interpolate for deform_conv2d.
    static func deformBilinear(_ plane: ArraySlice<Float>, _ h: Int, _ w: Int, _ y: Double, _ x: Double) -> Double {
        if y <= -1 || y >= Double(h) || x <= -1 || x >= Double(w) { return 0 }
        let yl = Int(y.rounded(.down)), xl = Int(x.rounded(.down))
        let ly = y - Double(yl), lx = x - Double(xl)
        func at(_ r: Int, _ c: Int) -> Double {
            r >= 0 && r < h && c >= 0 && c < w ? Double(plane[plane.startIndex + r * w + c]) : 0
        }
        return (1 - ly) * (1 - lx) * at(yl, xl) + (1 - ly) * lx * at(yl, xl + 1) + ly * (1 - lx) * at(yl + 1, xl) + ly * lx * at(yl + 1, xl + 1)
    }

    static func deformableConv2d(_ x: Tensor, _ offset: Tensor, _ mask: Tensor, _ weight: Tensor) -> Tensor {
        let (n, c, h, w) = (x.shape[0], x.shape[1], x.shape[2], x.shape[3])
        let (o, k) = (weight.shape[0], weight.shape[2])
        let pad = k / 2
        var out = Tensor(zeros: [n, o, h, w])
        for b in 0..<n { for y in 0..<h { for v in 0..<w {
            var sampled = [Double](repeating: 0, count: c * k * k)
            for i in 0..<k { for j in 0..<k {
                let tap = i * k + j
                let dy = Double(offset.storage[((b * 2 * k * k) + 2 * tap) * h * w + y * w + v])
                let dx = Double(offset.storage[((b * 2 * k * k) + 2 * tap + 1) * h * w + y * w + v])
                let m = Double(mask.storage[((b * k * k) + tap) * h * w + y * w + v])
                for ic in 0..<c {
                    let plane = x.storage[((b * c + ic) * h * w)..<((b * c + ic + 1) * h * w)]
                    sampled[ic * k * k + tap] = m * deformBilinear(plane, h, w, Double(y - pad + i) + dy, Double(v - pad + j) + dx)
                }
            } }
            for oc in 0..<o {
                var sum = 0.0
                for r in 0..<(c * k * k) { sum += Double(weight.storage[oc * c * k * k + r]) * sampled[r] }
                out.storage[((b * o + oc) * h + y) * w + v] = Float(sum)
            }
        } } }
        return out
    }

    /// PyTorch's grid_sample, bilinear, zeros, align_corners = false.
    static func gridSample(_ x: Tensor, _ grid: Tensor) -> Tensor {
        let (n, c, h, w) = (x.shape[0], x.shape[1], x.shape[2], x.shape[3])
        let (ho, wo) = (grid.shape[1], grid.shape[2])
        var out = Tensor(zeros: [n, c, ho, wo])
        for b in 0..<n { for i in 0..<ho { for j in 0..<wo {
            let gx = Double(grid.storage[((b * ho + i) * wo + j) * 2]), gy = Double(grid.storage[((b * ho + i) * wo + j) * 2 + 1])
            let ix = ((gx + 1) * Double(w) - 1) / 2, iy = ((gy + 1) * Double(h) - 1) / 2
            let x0 = Int(ix.rounded(.down)), y0 = Int(iy.rounded(.down))
            let lx = ix - Double(x0), ly = iy - Double(y0)
            for ch in 0..<c {
                func at(_ r: Int, _ q: Int) -> Double {
                    r >= 0 && r < h && q >= 0 && q < w ? Double(x.storage[((b * c + ch) * h + r) * w + q]) : 0
                }
                let value = (1 - ly) * (1 - lx) * at(y0, x0) + (1 - ly) * lx * at(y0, x0 + 1) + ly * (1 - lx) * at(y0 + 1, x0) + ly * lx * at(y0 + 1, x0 + 1)
                out.storage[((b * c + ch) * ho + i) * wo + j] = Float(value)
            }
        } } }
        return out
    }
}

extension Tensor {
    static func random(_ shape: [Int], scale: Float = 1, seed: UInt64) -> Tensor {
        var rng = SplitMix64(seed: seed)
        return Tensor(shape: shape, storage: (0..<shape.reduce(1, *)).map { _ in Float.random(in: -scale...scale, using: &rng) })
    }

    func maxDifference(_ other: Tensor) -> Float {
        precondition(shape == other.shape, "\(shape) vs \(other.shape)")
        return zip(storage, other.storage).map { abs($0 - $1) }.max() ?? 0
    }
}
