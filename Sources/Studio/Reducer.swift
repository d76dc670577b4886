// The reducer: (state, action) → new state and reactions. Pure: no file, no thread, no clock.
// Keys are resolved per mode; in normal mode through the key map to a `Command`.
import PoseKit
import TerminalUI

public enum Reducer {
    public static func reduce(_ state: inout StudioState, _ action: Action) -> [Reaction] {
        switch action {
        case .key(let key): return key == .resize ? [] : handleKey(&state, key)
        case .command(let command): return perform(&state, command)
        case .resize(let size):
            state.size = size
            return []
        case .tick:
            guard state.playing else { return [] }
            if state.frame + 1 >= state.frameCount { state.playing = false } else { state.frame += 1 }
            return [.loadImages]
        case let .edited(sequence, journal, message):
            state.sequence = sequence
            state.journal = journal
            state.message = StatusMessage(message)
            state.suspectsPending = true
            return [.loadImages]
        case .suspects(let suspects):
            state.suspects = suspects
            state.suspectsPending = false
            state.queueCursor = nil
            return []
        case let .previewReady(summary, frames, points):
            if points == 0 {
                state.message = StatusMessage("auto-clean: nothing to change")
                return [.dropPreview]
            }
            state.mode = .preview(summary: summary, frames: frames, points: points)
            return []
        case .jobChanged(let job):
            if let i = state.jobs.firstIndex(where: { $0.id == job.id }) { state.jobs[i] = job } else { state.jobs.append(job) }
            return []
        case let .jobFinished(id, message):
            state.jobs.removeAll { $0.id == id }
            if !message.text.isEmpty { state.message = message }
            return []
        case let .markFrames(frames, mark):
            for f in frames where state.renderMarks.indices.contains(f) { state.renderMarks[f] = mark }
            // A finished render may be on the canvas.
            return mark == .rendered ? [.loadImages] : []
        case .staleRenders(let frames):
            for f in frames ?? Array(state.renderMarks.indices) where state.renderMarks.indices.contains(f) && state.renderMarks[f] != .none {
                state.renderMarks[f] = .stale
            }
            return []
        case .notify(let message):
            state.message = message
            return []
        case let .projectRefreshed(sequence, journal):
            state.sequence = sequence
            state.journal = journal
            return [.loadImages]
        case .redraw, .suspectsComputed, .followedUp:
            return []
        }
    }

    // MARK: keys by mode

    static func handleKey(_ state: inout StudioState, _ key: Key) -> [Reaction] {
        switch state.mode {
        case .normal:
            if key == .escape {
                state.rangeAnchor = nil
                state.rangeEnd = nil
                state.message = nil
                return []
            }
            guard let command = state.keyMap.command(for: key) else {
                state.message = StatusMessage("\(key) is not bound — ? shows every key", .warning)
                return []
            }
            return perform(&state, command)
        case .command(let text):
            switch key {
            case .escape:
                state.mode = .normal
            case .enter:
                state.mode = .normal
                return ColonCommands.run(text, &state)
            case .backspace:
                state.mode = text.isEmpty ? .normal : .command(String(text.dropLast()))
            case .character(let c):
                state.mode = .command(text + String(c))
            default: break
            }
            return []
        case let .palette(query, selected):
            let matches = paletteMatches(query, state.keyMap)
            switch key {
            case .escape: state.mode = .normal
            case .enter:
                state.mode = .normal
                if matches.indices.contains(selected) { return perform(&state, matches[selected]) }
            case .down, .tab, .control("n"): state.mode = .palette(query: query, selected: min(selected + 1, max(0, matches.count - 1)))
            case .up, .backTab, .control("p"): state.mode = .palette(query: query, selected: max(0, selected - 1))
            case .backspace: state.mode = .palette(query: String(query.dropLast()), selected: 0)
            case .character(let c): state.mode = .palette(query: query + String(c), selected: 0)
            default: break
            }
            return []
        case let .jointPicker(query, selected):
            let matches = jointMatches(query)
            switch key {
            case .escape: state.mode = .normal
            case .enter:
                state.mode = .normal
                if matches.indices.contains(selected) { state.joint = matches[selected] }
            case .down, .tab: state.mode = .jointPicker(query: query, selected: min(selected + 1, max(0, matches.count - 1)))
            case .up, .backTab: state.mode = .jointPicker(query: query, selected: max(0, selected - 1))
            case .backspace: state.mode = .jointPicker(query: String(query.dropLast()), selected: 0)
            case .character(let c): state.mode = .jointPicker(query: query + String(c), selected: 0)
            default: break
            }
            return []
        case .help(let scroll):
            switch key {
            case .down, .character("j"), .pageDown: state.mode = .help(scroll: scroll + (key == .pageDown ? 10 : 1))
            case .up, .character("k"), .pageUp: state.mode = .help(scroll: max(0, scroll - (key == .pageUp ? 10 : 1)))
            default: state.mode = .normal
            }
            return []
        case .preview:
            switch key {
            case .enter, .character("y"):
                state.mode = .normal
                return [.applyPreview]
            case .escape, .character("n"), .character("q"):
                state.mode = .normal
                state.message = StatusMessage("auto-clean dropped")
                return [.dropPreview]
            default:
                state.message = StatusMessage("Enter applies the auto-clean, Esc drops it", .warning)
                return []
            }
        }
    }

    /// Commands in palette order for a query.
    public static func paletteMatches(_ query: String, _ keyMap: KeyMap) -> [Command] {
        Fuzzy.rank(query, Command.allCases) { "\($0.summary) \($0.rawValue)" }
    }

    public static func jointMatches(_ query: String) -> [Joint] {
        Fuzzy.rank(query, Joint.allCases) { $0.name }
    }

    // MARK: commands

    static func perform(_ state: inout StudioState, _ command: Command) -> [Reaction] {
        state.message = nil
        let last = max(0, state.frameCount - 1)
        func go(_ frame: Int) -> [Reaction] {
            state.frame = min(max(0, frame), last)
            return [.loadImages]
        }
        func nudge(_ dx: Double, _ dy: Double) -> [Reaction] {
            [.apply(.move(frames: state.frame..<state.frame + 1, joints: [state.joint], dx: dx, dy: dy))]
        }
        switch command {
        case .nextFrame: return go(state.frame + 1)
        case .previousFrame: return go(state.frame - 1)
        case .forwardTen: return go(state.frame + 10)
        case .backTen: return go(state.frame - 10)
        case .firstFrame: return go(0)
        case .lastFrame: return go(last)
        case .playPause:
            state.playing.toggle()
            if state.playing && state.frame >= last { state.frame = 0 }
            return []
        case .nextJoint:
            state.joint = Joint(rawValue: (state.joint.rawValue + 1) % BODY25.jointCount)!
        case .previousJoint:
            state.joint = Joint(rawValue: (state.joint.rawValue + BODY25.jointCount - 1) % BODY25.jointCount)!
        case .mirrorJoint:
            state.joint = state.joint.mirrored
        case .pickJoint:
            state.mode = .jointPicker(query: "", selected: 0)
        case .nudgeUp: return nudge(0, -1)
        case .nudgeDown: return nudge(0, 1)
        case .nudgeLeft: return nudge(-1, 0)
        case .nudgeRight: return nudge(1, 0)
        case .nudgeUp10: return nudge(0, -10)
        case .nudgeDown10: return nudge(0, 10)
        case .nudgeLeft10: return nudge(-10, 0)
        case .nudgeRight10: return nudge(10, 0)
        case .toggleMissing:
            let f = state.frame
            return [.apply(.setMissing(frames: f..<f + 1, joints: [state.joint], missing: !state.keypoint.isMissing))]
        case .togglePin:
            let frames = state.range ?? state.frame..<state.frame + 1
            return [.apply(.setPinned(frames: frames, joints: [state.joint], pinned: !state.keypoint.isPinned))]
        case .toggleRange:
            if state.rangeAnchor == nil {
                state.rangeAnchor = state.frame
                state.message = StatusMessage("range from frame \(state.frame): move, then v to fix its end")
            } else if state.rangeEnd == nil {
                state.rangeEnd = state.frame
                let r = state.range!
                state.message = StatusMessage("range \(r.lowerBound):\(r.upperBound) — = filter, o fill, | swap, i interpolate")
            } else {
                state.rangeAnchor = nil
                state.rangeEnd = nil
            }
        case .filterRange:
            let r = state.range ?? 0..<state.frameCount
            state.mode = .command("filter median 5 joints=\(state.joint.name) frames=\(r.lowerBound):\(r.upperBound)")
        case .fillRange:
            guard let r = needRange(&state) else { return [] }
            return [.propose(.fill(maxGap: r.count, method: .cubic, joints: Joint.allCases, frames: r))]
        case .swapRange:
            guard let r = needRange(&state) else { return [] }
            return [.apply(.swapLeftRight(frames: r, pairs: BODY25.rightJoints))]
        case .interpolateRange:
            guard let r = needRange(&state) else { return [] }
            guard r.count >= 3 else {
                state.message = StatusMessage("interpolation needs a range of at least 3 frames (its ends are kept)", .warning)
                return []
            }
            return [.propose(.interpolate(joints: [state.joint], frames: r.lowerBound + 1..<r.upperBound - 1))]
        case .nextSuspect, .previousSuspect:
            return stepQueue(&state, forward: command == .nextSuspect)
        case .fixSuspect:
            guard let suspect = suspectUnderCursor(state) else {
                state.message = StatusMessage("no suspect at frame \(state.frame) — n goes to the next one", .warning)
                return []
            }
            return [.propose(.fix(suspect))]
        case .autoClean:
            state.message = StatusMessage("auto-clean: computing the proposal…")
            return [.previewAutoClean]
        case .undo: return [.undo]
        case .redo: return [.redo]
        case .renderWindow:
            let start = state.frame / 6 * 6
            return [.render(frames: start..<min(state.frameCount, start + 6))]
        case .renderAll: return [.render(frames: 0..<state.frameCount)]
        case .cancelJobs: return [.cancelJobs]
        case .toggleView:
            let all = ViewMode.allCases
            state.view = all[(all.firstIndex(of: state.view)! + 1) % all.count]
            state.message = StatusMessage("view: \(state.view.label)")
            return [.loadImages]
        case .commandLine: state.mode = .command("")
        case .palette: state.mode = .palette(query: "", selected: 0)
        case .help: state.mode = .help(scroll: 0)
        case .quit:
            state.quit = true
            return [.quit]
        }
        return []
    }

    static func needRange(_ state: inout StudioState) -> Range<Int>? {
        guard let r = state.range else {
            state.message = StatusMessage("select a frame range first: v, move, v", .warning)
            return nil
        }
        return r
    }

    /// The entry `f` fixes: the one `n` landed on if it covers this frame, else the best one here.
    static func suspectUnderCursor(_ state: StudioState) -> Suspect? {
        if let i = state.queueCursor, state.suspects.indices.contains(i), state.suspects[i].frames.contains(state.frame) {
            return state.suspects[i]
        }
        return state.suspectsHere.first
    }

    /// n/N walk the queue in its order (highest score first), landing on each entry's frame and
    /// first joint.
    static func stepQueue(_ state: inout StudioState, forward: Bool) -> [Reaction] {
        guard !state.suspects.isEmpty else {
            state.message = StatusMessage(state.suspectsPending ? "the queue is being recomputed…" : "the queue is empty", .warning)
            return []
        }
        let count = state.suspects.count
        let next: Int
        if let i = state.queueCursor { next = forward ? (i + 1) % count : (i + count - 1) % count } else { next = forward ? 0 : count - 1 }
        state.queueCursor = next
        let s = state.suspects[next]
        state.frame = s.frame
        if let j = s.joints.first { state.joint = j }
        state.message = StatusMessage("suspect \(next + 1)/\(count): \(s.kind.rawValue) — f fixes")
        return [.loadImages]
    }
}
