// One joint's trajectory over the whole sequence, as plain arrays: what detectors and filters read.
// A point is usable when present; it is locked (never changed by a fix or filter) when pinned or
// edited by hand.
import Foundation

struct Track {
    let joint: Joint
    var x: [Double]
    var y: [Double]
    var confidence: [Double]
    var present: [Bool]
    var locked: [Bool]

    init(_ sequence: PoseSequence, _ joint: Joint) {
        self.joint = joint
        let n = sequence.frameCount
        x = []; y = []; confidence = []; present = []; locked = []
        x.reserveCapacity(n); y.reserveCapacity(n); confidence.reserveCapacity(n)
        present.reserveCapacity(n); locked.reserveCapacity(n)
        for frame in 0..<n {
            let p = sequence[frame, joint]
            x.append(p.x)
            y.append(p.y)
            confidence.append(p.confidence)
            present.append(!p.isMissing)
            locked.append(p.isLocked)
        }
    }

    var count: Int { x.count }

    func distance(_ a: Int, _ b: Int) -> Double { length(x[a] - x[b], y[a] - y[b]) }
}

extension Keypoint {
    /// Pinned or edited by hand: fixes and filters read it but never change it.
    public var isLocked: Bool { isPinned || provenance == .edited }
}


