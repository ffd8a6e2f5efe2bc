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

extension Completion {
    /// The candidates in columns as wide as the longest plus two, filled down each column first (as `ls`
    /// and libedit list them), as many columns as fit `columns`.
    static func listing(_ candidates: [String], columns: Int) -> String {
        let sorted = candidates.sorted()
        let width = (sorted.map { $0.unicodeScalars.count }.max() ?? 0) + 2
        let perRow = max(1, columns / max(width, 1))
        let rows = (sorted.count + perRow - 1) / perRow
        var lines: [String] = []
        for row in 0..<rows {
            var line = ""
            for column in 0..<perRow {
                let index = column * rows + row
                guard index < sorted.count else { break }
                let item = sorted[index]
                let isLast = (column + 1) * rows + row >= sorted.count
                line += isLast ? item : item + String(repeating: " ", count: width - item.unicodeScalars.count)
            }
            lines.append(line)
        }
        return lines.joined(separator: "\n")
    }
}

extension Completion {
    /// The word the cursor is in: what follows the last blank (libedit's word breaks for completion).
    static func lastWord(of lineBeforeCursor: String) -> String {
        let scalars = lineBeforeCursor.unicodeScalars
        guard let blank = scalars.lastIndex(where: { $0 == " " || $0 == "\t" || $0 == "\n" }) else {
            return lineBeforeCursor
        }
        return String(scalars[scalars.index(after: blank)...])
    }
}
