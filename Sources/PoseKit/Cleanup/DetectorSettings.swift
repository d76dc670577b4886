// Thresholds of the detectors. Distances are fractions of the body's height (so they hold at any
// resolution and camera distance); noise multiples are relative to each joint's own jitter.

public struct DetectorSettings: Hashable, Sendable {
    /// A present point below this confidence is suspect.
    public var lowConfidence = 0.3
    /// A spike must sit this far from every prediction of its neighbours (fraction of body height)…
    public var spikeFraction = 0.06
    /// …and this many times the joint's typical prediction error.
    public var spikeNoiseMultiple = 5.0
    /// A jump (a step that does not come back) must exceed this fraction of body height…
    public var jumpFraction = 0.10
    /// …and this many times the median step of the same joint in the surrounding frames.
    public var jumpLocalMultiple = 3.0
    /// A bone longer than this multiple of its median length over the sequence is suspect.
    public var boneStretch = 1.6
    /// A point that lands within this fraction of body height of another body part "snapped" to it.
    public var snapDistance = 0.04
    /// Swap detection: cost of switching labels (fraction of body height of extra motion)…
    public var swapSwitchCost = 0.08
    /// …and the cost per frame of keeping labels swapped (so ambiguous frames stay as labelled).
    public var swapFrameCost = 0.005

    public init() {}
}
