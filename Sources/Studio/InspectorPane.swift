// The inspector: the selected joint at this frame (position, confidence, provenance, pin), the
// suspects under the cursor and why each was flagged, the range, the journal and the jobs.
import PoseKit
import TerminalUI

struct InspectorPane {
    let theme: Theme
    static let width = 30

    func draw(_ state: StudioState, in area: Rect, on grid: inout CellGrid) {
        grid.box(area, theme[.border], title: "inspector", titleStyle: theme[.title])
        let inner = area.inset(1)
        var y = inner.y
        func line(_ text: String, _ role: Role = .text) {
            guard y < inner.maxY else { return }
            grid.text(inner.x, y, text, theme[role], width: inner.width)
            y += 1
        }
        func wrapped(_ text: String, _ role: Role) {
            var rest = Substring(text)
            while !rest.isEmpty && y < inner.maxY {
                var cut = rest.prefix(inner.width)
                if cut.count < rest.count, let space = cut.lastIndex(of: " ") { cut = rest[rest.startIndex..<space] }
                line(String(cut), role)
                rest = rest[cut.endIndex...].drop { $0 == " " }
            }
        }
        let p = state.keypoint
        line("\(state.joint.name)  (joint \(state.joint.rawValue))", .accent)
        if p.isMissing {
            line("missing", .warning)
        } else {
            line(String(format: "x %.1f  y %.1f", p.x, p.y))
        }
        line(String(format: "conf %.2f  %@", p.confidence, p.provenance.name), CanvasPane.role(p.provenance))
        line(p.isPinned ? "pinned (filters skip it)" : "not pinned", p.isPinned ? .pointPinned : .dim)
        y += 1
        let here = state.suspectsHere
        if here.isEmpty {
            line(state.suspectsPending ? "queue: recomputing…" : "no suspect here", .dim)
        } else {
            for s in here.prefix(2) {
                line("\(s.kind.rawValue) · \(s.joints.map(\.name).joined(separator: ",")) · \(String(format: "%.2f", s.score))", .suspect)
                wrapped(s.reason, .text)
            }
        }
        line("queue: \(state.suspects.count) suspect\(state.suspects.count == 1 ? "" : "s")", .dim)
        y += 1
        if let r = state.range { line("range \(r.lowerBound):\(r.upperBound) (\(r.count) frames)", .accent) }
        line("journal \(state.journal.position)/\(state.journal.length)", .dim)
        for job in state.jobs { line(JobText.describe(job), .rendering) }
    }
}

enum JobText {
    static func describe(_ job: JobStatus) -> String {
        var text = "\(job.title) \(job.done)/\(job.total)"
        if let eta = job.eta, eta.isFinite { text += " · \(Int(eta.rounded()))s left" }
        return text
    }
}
