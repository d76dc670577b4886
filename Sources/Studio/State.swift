// Everything the screen shows, as one value. The reducer changes it; panes only read it. The
// pose sequence is a copy of the project's (copy-on-write: free until an edit replaces it).
import PoseKit
import ProjectStore
import TerminalUI

public enum ViewMode: String, CaseIterable, Sendable {
    case skeleton, draft, neural, sideBySide = "side-by-side"
    public var label: String { self == .sideBySide ? "side by side" : rawValue }
}

/// What keys mean right now.
public enum Mode: Equatable, Sendable {
    case normal
    /// The `:` line being typed.
    case command(String)
    /// The fuzzy command palette: the query and the highlighted row.
    case palette(query: String, selected: Int)
    /// Joint by name: the query and the highlighted row.
    case jointPicker(query: String, selected: Int)
    case help(scroll: Int)
    /// An auto-clean proposal waiting for Enter (apply) or Esc (drop).
    case preview(summary: String, frames: Int, points: Int)

    public var name: String {
        switch self {
        case .normal: "NORMAL"
        case .command: "COMMAND"
        case .palette: "PALETTE"
        case .jointPicker: "JOINT"
        case .help: "HELP"
        case .preview: "PREVIEW"
        }
    }
}

public struct StatusMessage: Equatable, Sendable {
    public enum Kind: Sendable { case info, warning, error }
    public var text: String
    public var kind: Kind
    public init(_ text: String, _ kind: Kind = .info) {
        self.text = text
        self.kind = kind
    }
}

/// A background job as the status line shows it.
public struct JobStatus: Equatable, Sendable {
    public var id: Int
    public var title: String
    public var done: Int
    public var total: Int
    /// Seconds left, when known.
    public var eta: Double?
    public init(id: Int, title: String, done: Int, total: Int, eta: Double? = nil) {
        self.id = id
        self.title = title
        self.done = done
        self.total = total
        self.eta = eta
    }
}

/// A frame's render state on the timeline.
public enum RenderMark: UInt8, Sendable { case none, rendered, stale, rendering }

/// The part of the frame the canvas shows (pixels): the sequence's extent with a margin, so a
/// small person in a large video fills the canvas.
public struct ViewBox: Hashable, Sendable {
    public var x: Double, y: Double, width: Double, height: Double
    public init(x: Double, y: Double, width: Double, height: Double) {
        self.x = x
        self.y = y
        self.width = width
        self.height = height
    }

    /// The box around every present point of `sequence` (1st–99th percentile, so stray points do
    /// not blow it up), 15% margin each side, clamped to the frame.
    public static func around(_ sequence: PoseSequence) -> ViewBox {
        let w = Double(sequence.frameSize.width), h = Double(sequence.frameSize.height)
        var xs: [Double] = [], ys: [Double] = []
        let step = max(1, sequence.frameCount / 2000)
        for f in stride(from: 0, to: sequence.frameCount, by: step) {
            for p in sequence.pose(at: f) where !p.isMissing {
                xs.append(p.x)
                ys.append(p.y)
            }
        }
        guard xs.count >= 2 else { return ViewBox(x: 0, y: 0, width: w, height: h) }
        xs.sort()
        ys.sort()
        func q(_ a: [Double], _ p: Double) -> Double { a[min(a.count - 1, Int(p * Double(a.count - 1)))] }
        let (x0, x1, y0, y1) = (q(xs, 0.01), q(xs, 0.99), q(ys, 0.01), q(ys, 0.99))
        let mx = max(20, (x1 - x0) * 0.15), my = max(20, (y1 - y0) * 0.15)
        let left = max(0, x0 - mx), top = max(0, y0 - my)
        return ViewBox(x: left, y: top, width: min(w, x1 + mx) - left, height: min(h, y1 + my) - top)
    }
}

public struct StudioState: Sendable {
    public var projectName: String
    public var sequence: PoseSequence
    public var frame = 0
    public var joint: Joint = .rWrist
    /// Where `v` started a range; the range runs from here to the current frame until a second
    /// `v` fixes its end (`rangeEnd`); a third clears it.
    public var rangeAnchor: Int?
    public var rangeEnd: Int?
    /// The queue entry `n`/`N` last landed on (index into `suspects`); nil after the queue changes.
    public var queueCursor: Int?
    public var playing = false
    public var view: ViewMode = .skeleton
    public var mode: Mode = .normal
    public var suspects: [Suspect] = []
    /// True while the queue is being recomputed after an edit (marks may be out of date).
    public var suspectsPending = false
    public var journal: JournalState
    public var message: StatusMessage?
    public var jobs: [JobStatus] = []
    public var renderMarks: [RenderMark]
    public var size: TerminalSize
    public var keyMap: KeyMap
    public var viewBox: ViewBox
    public var hasVideo: Bool
    public var quit = false

    public init(projectName: String, sequence: PoseSequence, journal: JournalState, size: TerminalSize,
                keyMap: KeyMap = .defaults, hasVideo: Bool = false) {
        self.projectName = projectName
        self.sequence = sequence
        self.journal = journal
        self.size = size
        self.keyMap = keyMap
        self.hasVideo = hasVideo
        renderMarks = Array(repeating: .none, count: sequence.frameCount)
        viewBox = .around(sequence)
    }

    public var frameCount: Int { sequence.frameCount }

    /// The selected frame range (half-open), when `v` has been pressed.
    public var range: Range<Int>? {
        guard let a = rangeAnchor else { return nil }
        let b = rangeEnd ?? frame
        return min(a, b)..<(max(a, b) + 1)
    }

    public var keypoint: Keypoint { sequence[frame, joint] }

    /// The queue entries whose frames include the current frame, best first.
    public var suspectsHere: [Suspect] { suspects.filter { $0.frames.contains(frame) }.sorted { $0.score > $1.score } }
}
