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
    /// Renders frames: asked by the user (`again` false), or again after an edit made rendered
    /// frames stale (`again` true: the renderer knows what it rendered before).
    public var render: (@Sendable (_ frames: Range<Int>, _ again: Bool, JobContext) throws -> String)?
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
    /// Called after a screen is presented (the crash test traps here after the first one).
    public var presented: (() -> Void)?
    public var images: CanvasImageSource? {
        didSet { images?.onReady = { [inbox] in inbox.post(.redraw) } }
    }

    let inbox = Inbox()
    private lazy var jobs = JobQueue(inbox: inbox)
    private let detector = DispatchQueue(label: "posestudio.suspects", qos: .userInitiated)
    /// The auto-clean proposal waiting for Enter or Esc (written by the background computation).
    private let pendingPreview = Locked<Proposal?>(nil)
    /// Render jobs queued or running, with their frames (an edit replaces them by one re-render).
    private var renderJobs: [Int: [(frames: Range<Int>, again: Bool)]] = [:]
    /// Fits and exports queued or running (`c` cancels them with the renders).
    private var userJobs: Set<Int> = []
    /// What render jobs an edit superseded were asked, waiting for the render after its follow-up.
    private var supersededRequests: [(frames: Range<Int>, again: Bool)] = []
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
            let id = jobs.start("render \(frames.lowerBound):\(frames.upperBound)", total: frames.count) { try render(frames, false, $0) }
            renderJobs[id] = [(frames, false)]
        case .fit(let frames):
            guard let fit = services.fit else { return notify("fitting is not available in this build", .warning) }
            userJobs.insert(jobs.start("fit", total: frames?.count ?? state.frameCount) { try fit(frames, $0) })
        case .export(let path):
            guard let export = services.export else { return notify("export is not available in this build", .warning) }
            userJobs.insert(jobs.start("export \(URL(fileURLWithPath: path).lastPathComponent)", total: state.frameCount) { try export(path, $0) })
        case .cancelJobs:
            let cancelling = userJobs.union(renderJobs.keys)
            guard !cancelling.isEmpty else { return notify("no background jobs to cancel") }
            jobs.cancel(cancelling)
            supersededRequests = []
            notify("cancelling \(cancelling.count) job\(cancelling.count == 1 ? "" : "s")…")
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
            // Renders in the queue would hold up the refit: they are superseded now and their
            // frames rendered after it.
            supersedeRenders()
            if !startFollowUp(frames: edit.touchedFrames) { renderStaleAgain() }
        } catch {
            notify("\(error)", .error)
        }
    }

    /// Starts the edit's follow-up work; false when there is none.
    private func startFollowUp(frames: [Int]?) -> Bool {
        guard let followUp = services.followUp else { return false }
        let sequence = file.sequence
        jobs.start("refit", total: frames?.count ?? sequence.frameCount) { [inbox] context in
            var store: (@Sendable (ProjectFile) throws -> String?)?
            // Posted however it ends: the stale renders wait for it.
            defer { inbox.post(.followedUp(store: store)) }
            store = try followUp(frames, sequence, context)
            return ""
        }
        return true
    }

    /// Cancels render jobs still queued or running (quietly); what they were asked joins the next render.
    private func supersedeRenders() {
        for (id, requests) in renderJobs.sorted(by: { $0.key < $1.key }) {
            jobs.supersede(id)
            for request in requests where !supersededRequests.contains(where: { $0 == request }) { supersededRequests.append(request) }
        }
        renderJobs = [:]
    }

    /// Renders what the superseded jobs were asked, then the frames the last change made stale
    /// (`again`: the renderer renders what it rendered of them before, through its cache).
    private func renderStaleAgain() {
        guard let render = services.render else { return }
        supersedeRenders()
        let stale = state.renderMarks.indices.filter { state.renderMarks[$0] == .stale }
        let requests = supersededRequests + (stale.first.map { [($0..<stale.last! + 1, true)] } ?? [])
        supersededRequests = []
        guard !requests.isEmpty else { return }
        let id = jobs.start("render again", total: requests.reduce(0) { $0 + $1.frames.count }) { context in
            var message = ""
            for request in requests { message = try render(request.frames, request.again, context) }
            return message
        }
        renderJobs = [id: requests]
    }

    private func journal(_ verb: String, _ step: () throws -> JournalEntry?) {
        do {
            guard let entry = try step() else { return notify("nothing to \(verb)", .warning) }
            changed("\(verb): \(entry.label)", frames: nil)
            renderStaleAgain()
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

    /// Applies what background work posted; returns how many actions that was.
    @discardableResult
    public func poll() -> Int {
        let actions = inbox.drain()
        for action in actions {
            if case let .suspectsComputed(queue, wanted) = action {
                detecting -= 1
                if wanted == generation { dispatch(.suspects(queue)) }
            } else if case .jobFinished(let id, _) = action {
                renderJobs[id] = nil
                userJobs.remove(id)
                dispatch(action)
                refreshFromDisk()
            } else if case .followedUp(let store) = action {
                do {
                    if let store {
                        if let message = try store(file) { dispatch(.notify(StatusMessage(message))) }
                        dispatch(.projectRefreshed(sequence: file.sequence, journal: file.journal))
                        images?.projectChanged(file.project)
                    }
                } catch {
                    notify("\(error)", .error)
                }
                renderStaleAgain()
            } else {
                dispatch(action)
            }
        }
        return actions.count
    }

    /// Jobs may change the project on their own connection (a fit): follow the file.
    private func refreshFromDisk() {
        do {
            guard try file.refresh() else { return }
            dispatch(.projectRefreshed(sequence: file.sequence, journal: file.journal))
            dispatch(.staleRenders(nil))
            images?.projectChanged(file.project)
            renderStaleAgain()
        } catch {
            notify("\(error)", .error)
        }
    }

    /// Waits for the queue detection, pictures and jobs, and applies their results, until they
    /// start no more work (tests, `debug screen`).
    public func settle() {
        repeat {
            detector.sync {}
            images?.settle()
            jobs.wait()
        } while poll() > 0
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
                presented?()
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
