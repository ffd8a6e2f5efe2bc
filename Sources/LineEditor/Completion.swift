/// Tab-completion logic that needs no terminal, so the shell and the tests can use it directly.
public enum Completion {
    /// The longest prefix every candidate shares.
    ///
    /// Compared by Unicode scalar rather than by byte (libedit's own `rl_completion_matches` compares bytes
    /// and can cut a UTF-8 sequence in half) and rather than by `Character` (so a prefix of a candidate is
    /// always a prefix of what the user could type, one key at a time).
    public static func commonPrefix(_ candidates: [String]) -> String {
        guard var prefix = candidates.first?.unicodeScalars[...] else { return "" }
        for candidate in candidates.dropFirst() {
            var shared = 0
            for (a, b) in zip(prefix, candidate.unicodeScalars) {
                guard a == b else { break }
                shared += 1
            }
            prefix = prefix.prefix(shared)
            if prefix.isEmpty { break }
        }
        return String(String.UnicodeScalarView(prefix))
    }

    /// The candidates that can replace `word`, without duplicates, in the completer's order.
    ///
    /// The completer is the shell's and may hand back words that do not extend what was typed; libedit would
    /// then replace the typed word with their common prefix and delete text, so those are dropped here.
    static func matches(for word: String, among candidates: [String]) -> [String] {
        var seen = Set<String>()
        return candidates.filter { candidate in
            candidate.utf8.starts(with: word.utf8) && seen.insert(candidate).inserted
        }
    }
}
