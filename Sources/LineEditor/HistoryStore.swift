internal import CLibEdit

/// The history list libedit's Up, Down and Ctrl-R walk: one per editor, at most `capacity` entries (the
/// oldest go first).
final class HistoryStore {
    let handle: OpaquePointer
    let capacity: Int

    init(capacity: Int) {
        handle = history_init()
        self.capacity = max(capacity, 0)
        _ = CLibEdit_history_setSize(handle, Int32(clamping: self.capacity))
    }

    deinit {
        history_end(handle)
    }

    /// Adds what was typed, unless it is blank or repeats the previous entry (Up should not step through
    /// the same command again and again).
    func remember(_ line: String) {
        guard capacity > 0, !line.allSatisfy(\.isWhitespace), line != last else { return }
        _ = CLibEdit_history_enter(handle, line)
    }

    /// Replaces the list with the newest `capacity` of `lines` (oldest first).
    func replace(with lines: [String]) {
        clear()
        for line in lines.suffix(capacity) {
            _ = CLibEdit_history_enter(handle, line)
        }
    }

    /// Oldest first.
    var entries: [String] {
        var result: [String] = []
        var entry = CLibEdit_history_oldest(handle)
        while let line = entry {
            result.append(String(cString: line))
            entry = CLibEdit_history_newer(handle)
        }
        return result
    }

    var last: String? {
        CLibEdit_history_newest(handle).map { String(cString: $0) }
    }

    func clear() {
        _ = CLibEdit_history_clear(handle)
    }
}
