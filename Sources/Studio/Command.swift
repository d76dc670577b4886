// Every command a key, the palette or the `:` line can trigger. The raw value is the command's
// name in keys.toml and in the palette; `summary` is what help and the palette show.

public enum Command: String, CaseIterable, Sendable {
    case nextFrame = "next-frame", previousFrame = "previous-frame"
    case forwardTen = "forward-10", backTen = "back-10"
    case firstFrame = "first-frame", lastFrame = "last-frame", playPause = "play-pause"
    case nextJoint = "next-joint", previousJoint = "previous-joint", mirrorJoint = "mirror-joint", pickJoint = "pick-joint"
    case nudgeUp = "nudge-up", nudgeDown = "nudge-down", nudgeLeft = "nudge-left", nudgeRight = "nudge-right"
    case nudgeUp10 = "nudge-up-10", nudgeDown10 = "nudge-down-10", nudgeLeft10 = "nudge-left-10", nudgeRight10 = "nudge-right-10"
    case toggleMissing = "toggle-missing", togglePin = "toggle-pin", toggleRange = "toggle-range"
    case filterRange = "filter-range", fillRange = "fill-range", swapRange = "swap-range", interpolateRange = "interpolate-range"
    case nextSuspect = "next-suspect", previousSuspect = "previous-suspect", fixSuspect = "fix-suspect", autoClean = "auto-clean"
    case undo, redo
    case renderWindow = "render-window", renderAll = "render-all", cancelJobs = "cancel-jobs", toggleView = "toggle-view"
    case commandLine = "command-line", palette, help, quit

    public var summary: String {
        switch self {
        case .nextFrame: "next frame"
        case .previousFrame: "previous frame"
        case .forwardTen: "forward 10 frames"
        case .backTen: "back 10 frames"
        case .firstFrame: "first frame"
        case .lastFrame: "last frame"
        case .playPause: "play / pause"
        case .nextJoint: "next joint"
        case .previousJoint: "previous joint"
        case .mirrorJoint: "mirror joint (left ↔ right)"
        case .pickJoint: "pick a joint by name"
        case .nudgeUp: "nudge joint up 1 px"
        case .nudgeDown: "nudge joint down 1 px"
        case .nudgeLeft: "nudge joint left 1 px"
        case .nudgeRight: "nudge joint right 1 px"
        case .nudgeUp10: "nudge joint up 10 px"
        case .nudgeDown10: "nudge joint down 10 px"
        case .nudgeLeft10: "nudge joint left 10 px"
        case .nudgeRight10: "nudge joint right 10 px"
        case .toggleMissing: "mark joint missing / present"
        case .togglePin: "pin / unpin joint"
        case .toggleRange: "start / stop a frame range"
        case .filterRange: "filter the range (edit the :filter line)"
        case .fillRange: "fill gaps in the range"
        case .swapRange: "swap left/right over the range"
        case .interpolateRange: "interpolate joint from the range's ends"
        case .nextSuspect: "next suspect"
        case .previousSuspect: "previous suspect"
        case .fixSuspect: "apply the suggested fix"
        case .autoClean: "auto-clean (preview first)"
        case .undo: "undo"
        case .redo: "redo"
        case .renderWindow: "render the current window"
        case .renderAll: "render all frames"
        case .cancelJobs: "cancel background renders, fits, exports"
        case .toggleView: "view: skeleton / draft / neural / side by side"
        case .commandLine: "command line"
        case .palette: "command palette"
        case .help: "help: every key"
        case .quit: "quit"
        }
    }

    /// The `:` line equivalent, where one exists (shown in the palette).
    public var colonVerb: String? {
        switch self {
        case .undo: "undo"
        case .redo: "redo"
        case .autoClean: "clean"
        case .fixSuspect: "fix"
        case .renderAll: "render all"
        case .renderWindow: "render"
        case .cancelJobs: "cancel"
        case .quit: "q"
        default: nil
        }
    }
}
