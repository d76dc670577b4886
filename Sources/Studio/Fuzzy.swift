// Fuzzy matching for the palette and the joint picker: the query's characters must appear in
// order (case-insensitive); earlier, consecutive and word-start matches score higher.

public enum Fuzzy {
    /// The score of `candidate` for `query`, or nil when it does not match. An empty query matches
    /// everything with score 0.
    public static func score(_ query: String, _ candidate: String) -> Int? {
        let q = Array(query.lowercased()), c = Array(candidate.lowercased())
        guard !q.isEmpty else { return 0 }
        var score = 0, qi = 0, previous = -2
        for (i, ch) in c.enumerated() where qi < q.count && ch == q[qi] {
            score += 10
            if i == previous + 1 { score += 15 }
            if i == 0 || " -_:".contains(c[i - 1]) || (candidate[candidate.index(candidate.startIndex, offsetBy: i)].isUppercase) { score += 20 }
            score -= min(i, 10)
            previous = i
            qi += 1
        }
        return qi == q.count ? score : nil
    }

    /// The candidates matching `query`, best first (ties keep their original order).
    public static func rank<T>(_ query: String, _ candidates: [T], by text: (T) -> String) -> [T] {
        candidates.enumerated()
            .compactMap { i, item in score(query, text(item)).map { (item, $0, i) } }
            .sorted { $0.1 != $1.1 ? $0.1 > $1.1 : $0.2 < $1.2 }
            .map(\.0)
    }
}
