// What goes into the reducer (actions: keys, commands, results of work the session did) and what
// comes out (reactions: work for the session — edits to commit, jobs to start, quitting). The
// reducer never touches the project file or a thread; the session never decides what a key means.
import PoseKit
import ProjectStore
import TerminalUI

public enum Action: Sendable {
    case key(Key)
    case command(Command)
    case resize(TerminalSize)
    /// A playback tick: one frame forward while playing.
    case tick
    /// An edit, undo or redo was committed: the project's new sequence and journal.
    case edited(sequence: PoseSequence, journal: JournalState, message: String)
    /// Work done on another connection's behalf changed the project without a user edit (a
    /// refit): new sequence and journal, message kept.
    case projectRefreshed(sequence: PoseSequence, journal: JournalState)
    /// The work following an edit (a refit) finished: what it left to store on the thread that owns
    /// the project file, if anything; then stale renders are rendered again. The session handles
    /// it, the reducer never sees it.
    case followedUp(store: (@Sendable (ProjectFile) throws -> String?)?)
    /// The cleanup queue was recomputed.
    case suspects([Suspect])
    /// A queue computed in the background for the `generation`-th change (the session keeps only
    /// the latest one; the reducer never sees this).
    case suspectsComputed([Suspect], generation: Int)
    case previewReady(summary: String, frames: Int, points: Int)
    case jobChanged(JobStatus)
    case jobFinished(id: Int, message: StatusMessage)
    /// These frames' renders are now in this state.
    case markFrames([Int], RenderMark)
    /// A change touched these frames (nil: all): their renders are stale.
    case staleRenders([Int]?)
    case notify(StatusMessage)
    /// Something drawn changed outside the state (a canvas picture became ready).
    case redraw
}

/// A change the cleanup engine computes from the current sequence, committed as one entry.
public enum ProposalRequest: Equatable, Sendable {
    case filter(SmoothingFilter, joints: [Joint], frames: Range<Int>, weighted: Bool)
    case fill(maxGap: Int, method: GapMethod, joints: [Joint], frames: Range<Int>)
    case interpolate(joints: [Joint], frames: Range<Int>)
    case fix(Suspect)
    case fixSwaps
}

public enum Reaction: Equatable, Sendable {
    case apply(Edit)
    case propose(ProposalRequest)
    /// Compute the auto-clean proposal in the background and show it for confirmation.
    case previewAutoClean
    case applyPreview
    case dropPreview
    case undo
    case redo
    case render(frames: Range<Int>)
    case fit(frames: Range<Int>?)
    case export(path: String)
    case loadTheme(String)
    /// Cancel the user's background jobs (renders, fits, exports; not an edit's refit).
    case cancelJobs
    /// The canvas needs images for the current frame and view (the session loads them off-thread).
    case loadImages
    case quit
}
