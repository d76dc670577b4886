// Heatmaps against the spec §1.3 formula evaluated directly per pixel in Double (|Δ| ≤ 1e-6),
// including the missing-point rule (x == 0 or y == 0), points off the canvas, non-square maps,
// windows of several frames and the keypoint entry point (missing flag, confidence ignored).
import Foundation
import Testing
import PoseKit
@testable import PoseTransfer
import TensorEngine

@Suite struct HeatmapTests {
    /// The slow obvious reference: exp(-((r - y)² + (c - x)²) / (2·6²)) for every pixel, in Double.
    static func reference(_ points: [(x: Double, y: Double)], height: Int, width: Int) -> [Float] {
        var out: [Float] = []
        for point in points {
            for r in 0..<height {
                for c in 0..<width {
                    if point.x == 0 || point.y == 0 { out.append(0); continue }
                    let d2 = (Double(r) - point.y) * (Double(r) - point.y) + (Double(c) - point.x) * (Double(c) - point.x)
                    out.append(Float(exp(-d2 / (2 * 6.0 * 6.0))))
                }
            }
        }
        return out
    }

    static func randomPose(_ rng: inout SplitMix64, height: Int, width: Int) -> [(x: Double, y: Double)] {
        (0..<25).map { j in
            switch j {
            case 3: (x: 0, y: Double.random(in: 1..<Double(height), using: &rng))     // missing: x == 0
            case 7: (x: Double.random(in: 1..<Double(width), using: &rng), y: 0)      // missing: y == 0
            case 11: (x: 0, y: 0)                                                      // OpenPose's undetected point
            case 19: (x: -30.5, y: Double(height) + 12.25)                             // off the canvas, still drawn
            case 20: (x: 12, y: 40)                                                    // on a pixel centre: peak exactly 1
            default: (x: Double.random(in: -20...Double(width + 20), using: &rng), y: Double.random(in: -20...Double(height + 20), using: &rng))
            }
        }
    }

    @Test(arguments: [(height: 64, width: 64), (height: 96, width: 48), (height: 256, width: 256)])
    func matchesTheFormula(height: Int, width: Int) {
        var rng = SplitMix64(seed: UInt64(height * 1000 + width))
        let points = Self.randomPose(&rng, height: height, width: width)
        let maps = Heatmaps.render(points: points, height: height, width: width)
        #expect(maps.shape == [1, 25, height, width])
        let want = Self.reference(points, height: height, width: width)
        let diff = zip(maps.storage, want).map { abs($0 - $1) }.max() ?? 1
        #expect(diff <= 1e-6, "max |Δ| \(diff)")
        let plane = height * width
        for missing in [3, 7, 11] {
            #expect(maps.storage[(missing * plane)..<((missing + 1) * plane)].allSatisfy { $0 == 0 }, "channel \(missing)")
        }
        #expect(maps.storage[20 * plane + 40 * width + 12] == 1)
        #expect(maps.storage[(19 * plane)..<(20 * plane)].contains { $0 > 0 }, "an off-canvas point still has a tail on the canvas")
    }

    @Test func windowsStackFramesInOrder() {
        var rng = SplitMix64(seed: 7)
        let frames = (0..<6).map { _ in Self.randomPose(&rng, height: 40, width: 32) }
        let maps = Heatmaps.render(frames: frames, height: 40, width: 32)
        #expect(maps.count == 6)
        for (t, frame) in frames.enumerated() {
            #expect(maps[t].shape == [1, 25, 40, 32])
            #expect((zip(maps[t].storage, Self.reference(frame, height: 40, width: 32)).map { abs($0 - $1) }.max() ?? 1) <= 1e-6, "frame \(t)")
        }
    }

    @Test func keypointsUseTheirPositionsAndMissingFlag() {
        var keypoints: [Keypoint] = []
        for j in 0..<25 {
            keypoints.append(Keypoint(x: Double(10 + j), y: Double(20 + j), confidence: Double(j) / 25))
        }
        keypoints[4].isMissing = true
        let maps = Heatmaps.render(keypoints: keypoints, height: 64, width: 48)
        var points = keypoints.map { (x: $0.x, y: $0.y) }
        points[4] = (x: 0, y: 0)
        #expect(maps == Heatmaps.render(points: points, height: 64, width: 48))
        #expect(maps.storage[(4 * 64 * 48)..<(5 * 64 * 48)].allSatisfy { $0 == 0 })
        #expect((zip(maps.storage, Self.reference(points, height: 64, width: 48)).map { abs($0 - $1) }.max() ?? 1) <= 1e-6)
        // Non-finite coordinates are treated as missing rather than poisoning the map.
        points[5] = (x: Double.nan, y: 3)
        #expect(Heatmaps.render(points: points, height: 64, width: 48).storage[(5 * 64 * 48)..<(6 * 64 * 48)].allSatisfy { $0 == 0 })
    }
}

extension HeatmapTests {
    @Test func renderingIntoAReusedTensorOverwritesEverything() {
        var rng = SplitMix64(seed: 11)
        let first = Self.randomPose(&rng, height: 48, width: 40), second = Self.randomPose(&rng, height: 48, width: 40)
        var maps = Heatmaps.render(points: first, height: 48, width: 40)
        Heatmaps.render(points: second, into: &maps)
        #expect(maps == Heatmaps.render(points: second, height: 48, width: 40))
        #expect((zip(maps.storage, Self.reference(second, height: 48, width: 40)).map { abs($0 - $1) }.max() ?? 1) <= 1e-6)
    }
}
