// A studio session: the project file, the state, and the loop that turns keys into actions,
// actions into reactions (committed to the project at once: nothing to save) and the state into
// a screen. Slow work — the cleanup queue, auto-clean proposals, pictures, renders, fits,
// exports — runs off this thread and comes back through the inbox as actions.
import Dispatch
import Foundation
import PoseKit
import ProjectStore
import TerminalUI

/// What the app plugs in for work the Studio target cannot do itself (bodies, renders, media).
/// Each runs on the job thread; its return value is the message shown when it finishes.
public struct StudioServices: Sendable {
    public var fit: (@Sendable (_ frames: Range<Int>?, JobContext) throws -> String)?
    public var render: (@Sendable (_ frames: Range<Int>, JobContext) throws -> String)?
    public var export: (@Sendable (_ path: String, JobContext) throws -> String)?
    /// After an edit (not undo or redo), on the job thread, with the frames it touched (nil: all)
    /// and the sequence after it: work that follows the edit (a refit), returning what to store
    /// on the file's thread afterwards, or nil.
    public var followUp: (@Sendable (_ frames: [Int]?, PoseSequence, JobContext) throws -> (@Sendable (ProjectFile) throws -> String?)?)?
    /// Whether a journal entry is such follow-up work: undo and redo take it together with the
    /// edit before it, so one `u` undoes what one key did.
    public var isFollowUp: (@Sendable (JournalEntry) -> Bool)?
    public init() {}
}

public final class StudioSession {
    public let file: ProjectFile
    public private(set) var state: StudioState
    public var renderer: ScreenRenderer
    public var services = StudioServices()
    public var config: StudioConfig?
    /// Called with the time from a key press to the finished screen update.
    public var latencyProbe: ((Duration) -> Void)?
    public var images: CanvasImageSource? {
        didSet { images?.onReady = { [inbox] in inbox.post(.redraw) } }
    }

    let inbox = Inbox()
    private lazy var jobs = JobQueue(inbox: inbox)
    private let detector = DispatchQueue(label: "posestudio.suspects", qos: .userInitiated)
    /// The auto-clean proposal waiting for Enter or Esc (written by the background computation).
    private let pendingPreview = Locked<Proposal?>(nil)
    private var generation = 0
    private var detecting = 0
    private var dirty = true

    public init(file: ProjectFile, size: TerminalSize, theme: Theme, keyMap: KeyMap = .defaults, hasVideo: Bool = false) {
        self.file = file
        renderer = ScreenRenderer(theme: theme)
        state = StudioState(projectName: URL(fileURLWithPath: file.path).lastPathComponent, sequence: file.sequence,
                            journal: file.journal, size: size, keyMap: keyMap, hasVideo: hasVideo)
        state.suspectsPending = true
        detectSuspects()
    }

    // MARK: actions and reactions

    public func dispatch(_ action: Action) {
        let reactions = Reducer.reduce(&state, action)
        dirty = true
        for reaction in reactions { perform(reaction) }
    }

    func perform(_ reaction: Reaction) {
        switch reaction {
        case .apply(let edit):
            commit(edit, label: nil)
        case .propose(let request):
            propose(request)
        case .previewAutoClean:
            let sequence = state.sequence
            detector.async { [inbox, pendingPreview] in
                let proposal = Cleanup.auto(sequence)
                pendingPreview.value = proposal
                inbox.post(.previewReady(summary: proposal.summary, frames: proposal.frames.count, points: proposal.changes.count))
            }
        case .applyPreview:
            if let proposal = takePreview() { commit(proposal.edit, label: proposal.summary) }
        case .dropPreview:
            _ = takePreview()
        case .undo:
            journal("undo") {
                guard let entry = try self.file.undo() else { return nil }
                if self.services.isFollowUp?(entry) == true, self.file.journal.canUndo { return try self.file.undo() ?? entry }
                return entry
            }
        case .redo:
            journal("redo") {
                guard let entry = try self.file.redo() else { return nil }
                if let next = try self.file.history().first(where: { !$0.isApplied }), self.services.isFollowUp?(next) == true {
                    _ = try self.file.redo()
                }
                return entry
            }
        case .render(let frames):
            guard let render = services.render else { return notify("rendering is not available in this build", .warning) }
            jobs.start("render \(frames.lowerBound):\(frames.upperBound)", total: frames.count) { try render(frames, $0) }
        case .fit(let frames):
            guard let fit = services.fit else { return notify("fitting is not available in this build", .warning) }
            jobs.start("fit", total: frames?.count ?? state.frameCount) { try fit(frames, $0) }
        case .export(let path):
            guard let export = services.export else { return notify("export is not available in this build", .warning) }
            jobs.start("export \(URL(fileURLWithPath: path).lastPathComponent)", total: state.frameCount) { try export(path, $0) }
        case .loadTheme(let name):
            guard let config else { return notify("no theme directories known", .warning) }
            let (theme, problems) = config.loadTheme(name)
            renderer.theme = theme
            if let first = problems.first {
                notify(problems.count == 1 ? first.description : "\(first) (+\(problems.count - 1) more)", .error)
            } else {
                notify("theme \(theme.name)")
            }
        case .loadImages:
            requestImages()
        case .quit:
            break
        }
    }

    private func notify(_ text: String, _ kind: StatusMessage.Kind = .info) {
        dispatch(.notify(StatusMessage(text, kind)))
    }

    private func commit(_ edit: Edit, label: String?) {
        do {
            let entry = try file.apply(edit, label: label)
            changed("✓ \(entry.label)", frames: edit.touchedFrames)
            startFollowUp(frames: edit.touchedFrames)
        } catch {
            notify("\(error)", .error)
        }
    }

    private func startFollowUp(frames: [Int]?) {
        guard let followUp = services.followUp else { return }
        let sequence = file.sequence
        jobs.start("refit", total: frames?.count ?? sequence.frameCount) { [inbox] context in
            if let store = try followUp(frames, sequence, context) { inbox.post(.onFile(store)) }
            return ""
        }
    }

    private func journal(_ verb: String, _ step: () throws -> JournalEntry?) {
        do {
            guard let entry = try step() else { return notify("nothing to \(verb)", .warning) }
            changed("\(verb): \(entry.label)", frames: nil)
        } catch {
            notify("\(verb): \(error)", .error)
        }
    }

    /// After any committed change: new state, queue recomputed, renders and fits told.
    private func changed(_ message: String, frames: [Int]?) {
        dispatch(.edited(sequence: file.sequence, journal: file.journal, message: message))
        dispatch(.staleRenders(frames))
        images?.projectChanged(file.project)
        detectSuspects()
        requestImages()
    }

    private func propose(_ request: ProposalRequest) {
        let s = state.sequence
        let proposal: Proposal?
        switch request {
        case let .filter(filter, joints, frames, weighted): proposal = Cleanup.filter(s, filter, joints: joints, frames: frames, weighted: weighted)
        case let .fill(maxGap, method, joints, frames): proposal = Cleanup.fillGaps(s, maxGap: maxGap, method: method, joints: joints, frames: frames)
        case let .interpolate(joints, frames): proposal = Cleanup.interpolate(s, joints: joints, frames: frames)
        case .fixSwaps: proposal = Cleanup.fixSwaps(s)
        case .fix(let suspect):
            proposal = Cleanup.fix(suspect, in: s)
            if proposal == nil { return notify("no automatic fix for: \(suspect.reason)", .warning) }
        }
        guard let proposal, !proposal.isEmpty else { return notify("\(proposal?.summary ?? "nothing"): nothing to change") }
        commit(proposal.edit, label: proposal.summary)
    }

    private func takePreview() -> Proposal? {
        pendingPreview.exchange(nil)
    }

    private func detectSuspects() {
        generation += 1
        let wanted = generation
        let sequence = state.sequence
        detecting += 1
        detector.async { [inbox] in
            let queue = Detect.suspects(in: sequence)
            inbox.post(.suspectsComputed(queue, generation: wanted))
        }
    }

    // MARK: pictures

    /// Asks for the current frame's pictures, then its neighbours (scrubbing runs into them).
    func requestImages() {
        guard let images, state.size.columns >= ScreenRenderer.minimum.columns, state.size.rows >= ScreenRenderer.minimum.rows else { return }
        let parts = CanvasPane.layout(state, in: ScreenRenderer.canvasArea(state.size).inset(1))
        var keys: [ImageKey] = []
        for offset in [0, 1, -1, 2, 3, -2] {
            let f = state.frame + offset
            guard f >= 0, f < state.frameCount else { continue }
            keys += parts.map { ImageKey(frame: f, kind: $0.kind, placement: $0.placement) }
        }
        images.request(keys)
    }

    // MARK: the loop

    /// Applies what background work posted.
    public func poll() {
        for action in inbox.drain() {
            if case let .suspectsComputed(queue, wanted) = action {
                detecting -= 1
                if wanted == generation { dispatch(.suspects(queue)) }
            } else if case .jobFinished = action {
                dispatch(action)
                refreshFromDisk()
            } else if case .onFile(let work) = action {
                do {
                    if let message = try work(file) { dispatch(.notify(StatusMessage(message))) }
                    dispatch(.projectRefreshed(sequence: file.sequence, journal: file.journal))
                    images?.projectChanged(file.project)
                } catch {
                    notify("\(error)", .error)
                }
            } else {
                dispatch(action)
            }
        }
    }

    /// Jobs may change the project on their own connection (a fit): follow the file.
    private func refreshFromDisk() {
        do {
            guard try file.refresh() else { return }
            dispatch(.projectRefreshed(sequence: file.sequence, journal: file.journal))
            images?.projectChanged(file.project)
        } catch {
            notify("\(error)", .error)
        }
    }

    /// Waits for the queue detection, pictures and jobs, then applies their results (tests).
    public func settle() {
        detector.sync {}
        images?.settle()
        jobs.wait()
        poll()
    }

    public func screen() -> CellGrid { renderer.render(state, images: images) }

    /// Runs until quit. With `exitWhenIdle` it also returns when the terminal has no more keys
    /// (the test terminal's script ran out), after letting background work finish.
    public func run<T: TerminalScreen & ~Copyable>(_ terminal: inout T, exitWhenIdle: Bool = false) {
        dispatch(.resize(terminal.size))
        requestImages()
        while !state.quit {
            poll()
            if dirty {
                terminal.present(screen())
                dirty = false
            }
            let busy = jobs.isBusy || detecting > 0
            let timeout = state.playing ? max(1, Int(1000 / state.sequence.fps)) : busy ? 50 : 200
            guard let key = terminal.readKey(timeoutMilliseconds: timeout) else {
                if exitWhenIdle {
                    settle()
                    terminal.present(screen())
                    return
                }
                if state.playing { dispatch(.tick) }
                continue
            }
            let start = ContinuousClock.now
            if key == .resize {
                dispatch(.resize(terminal.size))
                requestImages()
            } else {
                dispatch(.key(key))
            }
            poll()
            terminal.present(screen())
            dirty = false
            latencyProbe?(ContinuousClock.now - start)
        }
    }

    /// Cancels running jobs at their next check and waits for them (quitting).
    public func shutdown() {
        jobs.cancelAll()
        jobs.wait()
        detector.sync {}
        images?.settle()
    }
}
