// Parsing of the small value types the commands share: frame ranges, points, joint lists.
import ArgumentParser
import PoseKit

/// Frame numbers the command line accepts (far beyond any real sequence; keeps arithmetic safe).
let maxFrameNumber = 1 << 40

/// START:END (half-open), or a single frame N meaning N:N+1.
struct FrameRangeArgument: ExpressibleByArgument {
    var range: Range<Int>
    init?(argument: String) {
        let parts = argument.split(separator: ":", omittingEmptySubsequences: false)
        if parts.count == 1, let f = Int(parts[0]), (0..<maxFrameNumber).contains(f) {
            range = f..<(f + 1)
        } else if parts.count == 2, let a = Int(parts[0]), let b = Int(parts[1]), a >= 0, b > a, b <= maxFrameNumber {
            range = a..<b
        } else {
            return nil
        }
    }
    static var defaultValueDescription: String { "START:END" }

    /// `argument`'s range (all frames when nil) checked against a sequence of `frameCount` frames.
    /// - Throws: `ValidationError` naming the project and the frames it has.
    static func range(_ argument: FrameRangeArgument?, frameCount: Int, project: String) throws -> Range<Int> {
        let range = argument?.range ?? 0..<frameCount
        guard range.lowerBound < frameCount, range.upperBound <= frameCount, !range.isEmpty else {
            throw ValidationError("--frames \(range.lowerBound):\(range.upperBound): \(project) has frames 0–\(frameCount - 1)")
        }
        return range
    }
}

/// X,Y in pixels, both finite.
struct PointArgument: ExpressibleByArgument {
    var x: Double
    var y: Double
    init?(argument: String) {
        let parts = argument.split(separator: ",", omittingEmptySubsequences: false)
        guard parts.count == 2, let x = Double(parts[0]), let y = Double(parts[1]), x.isFinite, y.isFinite else { return nil }
        self.x = x
        self.y = y
    }
}

/// Comma-separated BODY_25 joint names (or indices); `all` for every joint.
struct JointsArgument: ExpressibleByArgument {
    var joints: [Joint]
    init?(argument: String) {
        if argument.lowercased() == "all" {
            joints = Joint.allCases
            return
        }
        var joints: [Joint] = []
        for name in argument.split(separator: ",") {
            guard let joint = Joint(name: String(name)) else { return nil }
            joints.append(joint)
        }
        guard !joints.isEmpty else { return nil }
        self.joints = joints
    }
    static var defaultValueDescription: String { "NAME[,NAME…]" }
}

/// A positive, finite frame rate.
struct FPSArgument: ExpressibleByArgument {
    var value: Double
    init?(argument: String) {
        guard let v = Double(argument), PoseSequence.fpsRange.contains(v) else { return nil }
        value = v
    }
}

struct FrameSizeArgument: ExpressibleByArgument {
    var size: FrameSize
    init?(argument: String) {
        guard let size = FrameSize(parsing: argument), size.width <= 65536, size.height <= 65536 else { return nil }
        self.size = size
    }
    static var defaultValueDescription: String { "WxH" }
}

enum PoseFormatArgument: String, ExpressibleByArgument, CaseIterable {
    case auto, openpose, bdmm
}
