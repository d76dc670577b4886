// Colour pairs on demand: (foreground, background) → curses pair number, allocated from 1 up to
// the terminal's COLOR_PAIRS − 1 (pair 0 is default on default). When the table is full the
// caller resets it and redraws everything, or — within one frame — takes the nearest pair.
struct PairKey: Hashable, Sendable {
    var foreground: Int32
    var background: Int32
}

struct PairTable: Sendable {
    /// Pairs available besides pair 0.
    let capacity: Int
    private(set) var numbers: [PairKey: Int32] = [:]

    init(capacity: Int) { self.capacity = max(0, capacity) }

    /// The pair for `key` and whether it is new (the caller must then `init_extended_pair` it);
    /// nil when the table is full.
    mutating func pair(for key: PairKey) -> (number: Int32, isNew: Bool)? {
        if key.foreground == -1 && key.background == -1 { return (0, false) }
        if let number = numbers[key] { return (number, false) }
        guard numbers.count < capacity else { return nil }
        let number = Int32(numbers.count + 1)
        numbers[key] = number
        return (number, true)
    }

    /// The allocated pair closest to `key` under `distance` (pair 0 when none is allocated).
    func nearest(to key: PairKey, distance: (PairKey, PairKey) -> Int) -> Int32 {
        var best: (number: Int32, distance: Int) = (0, distance(PairKey(foreground: -1, background: -1), key))
        for (candidate, number) in numbers {
            let d = distance(candidate, key)
            if d < best.distance { best = (number, d) }
        }
        return best.number
    }

    mutating func reset() { numbers.removeAll(keepingCapacity: true) }
}
