/// The history list and the file it is kept in across runs: what is loaded at start, what is said about
/// the file once, and whether it may be written at the end (never over a file it could not read).
final class HistoryKeeper {
    let store: HistoryStore
    private let file: HistoryFile?
    private var saves = true

    init(path: String?, size: Int) {
        store = HistoryStore(capacity: size)
        file = path.map(HistoryFile.init(path:))
    }

    /// Loads the file; returns what the user should be told about it (at most one line).
    func load() -> [String] {
        guard let file else { return [] }
        let shown = Self.shown(file.path)
        switch file.load() {
        case .missing:
            return []
        case let .entries(lines):
            store.replace(with: lines)
            guard lines.count > store.capacity else { return [] }
            return ["history: \(shown) holds \(lines.count) entries; keeping the newest \(store.capacity) (DTLSH_HISTSIZE sets how many)"]
        case .unrecognised:
            if let aside = file.moveAside() {
                return ["history: \(shown) was not a history file; moved it to \(Self.shown(aside)) and started a new one"]
            }
            saves = false
            return ["history: \(shown) is not a history file; left it as it is, and this session's history will not be saved"]
        case let .unusable(reason):
            saves = false
            return ["history: cannot use \(shown) (\(reason)); this session's history will not be saved"]
        }
    }

    /// Writes the list to the file; what went wrong, if anything.
    func save() -> String? {
        guard let file, saves, store.capacity > 0 else { return nil }
        guard let reason = file.save(store.entries) else { return nil }
        return "history: could not save \(Self.shown(file.path)): \(reason)"
    }

    /// `~/…` for a path in the home directory, as the user would write it.
    static func shown(_ path: String) -> String {
        guard let home = Home.directory, !home.isEmpty, path.hasPrefix(home + "/") else { return path }
        return "~" + path.dropFirst(home.count)
    }
}
