internal import CLibEdit

/// The history list of libedit's readline layer (one per process), which Up/Down and Ctrl-R walk, and the
/// file it is kept in between runs.
///
/// The file is libedit's format (`_HiStOrY_V2_` header, vis(3)-encoded lines, UTF-8 kept raw), written
/// with mode 0600 by libedit: it can hold PSKs typed on `set psk`.
enum HistoryStore {
    static let capacity: Int32 = 1000

    /// Creates libedit's editor and history if needed (`using_history` runs `rl_initialize`), so call it
    /// after the locale and the readline globals are set.
    static func prepare() {
        using_history()
        stifle_history(capacity)
    }

    /// Adds what was typed, unless it is blank or repeats the previous entry (Up should not step through
    /// the same command again and again).
    static func remember(_ line: String) {
        guard !line.allSatisfy(\.isWhitespace), line != last else { return }
        _ = add_history(line)
    }

    /// A missing file is the normal first run, so failures are only reported, never raised.
    @discardableResult
    static func load(from path: String) -> Bool {
        read_history(path) == 0
    }

    @discardableResult
    static func save(to path: String) -> Bool {
        write_history(path) == 0
    }

    static var entries: [String] {
        (0..<CLibEdit_history_length()).compactMap(entry)
    }

    static var last: String? {
        entry(CLibEdit_history_length() - 1)
    }

    /// `index` from 0, oldest first; libedit numbers entries from `history_base`.
    private static func entry(_ index: Int32) -> String? {
        guard index >= 0 else { return nil }
        return history_get(CLibEdit_history_base() + index)?.pointee.line.map { String(cString: $0) }
    }

    static func clear() {
        clear_history()
    }
}
