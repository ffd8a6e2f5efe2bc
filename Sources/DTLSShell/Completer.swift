import DTLSPlex
import Glibc

/// Tab completion from the command table: command names, then each
/// argument by its kind (peer and socket names, in|out, on|off, settings,
/// file paths).
public struct Completer {
    unowned let shell: Shell

    public init(shell: Shell) { self.shell = shell }

    /// Candidates for the word being typed at the end of `line`.
    public func candidates(_ line: String) -> [String] {
        var words = line.split(separator: " ", omittingEmptySubsequences: true).map(String.init)
        let prefix = line.hasSuffix(" ") || line.isEmpty ? "" : (words.popLast() ?? "")
        let pool: [String]
        if words.isEmpty {
            pool = CommandTable.all.map(\.name)
        } else if case let .found(spec) = CommandTable.lookup(words[0]) {
            pool = argumentPool(spec, Array(words.dropFirst()), prefix: prefix)
        } else {
            pool = []
        }
        return Array(Set(pool.filter { $0.hasPrefix(prefix) })).sorted()
    }

    private func argumentPool(_ spec: CommandSpec, _ args: [String], prefix: String) -> [String] {
        // The value of a setting after `set NAME`, from its row of the settings table.
        if spec.name == "set", args.count >= 1 {
            guard case let .found(setting) = SettingTable.lookup(args[0]) else { return [] }
            return (args.count == 1 ? setting.keywords : []) + (setting.completesFiles ? files(prefix) : [])
        }
        if spec.name == "wait", let first = args.first {
            if first == "for" { return [] }
            switch args.count {
            case 1: return ["established", "closed", "data"]
            case 2: return peers()
            case 3: return ["for"]
            default: return []
            }
        }
        if spec.name == "expect", args.first == "peers", args.count == 1 { return sockets() }
        // A relay's leg has the queues up and down where a peer has in and out.
        if ["flush", "drop", "dup", "swap"].contains(spec.name), args.count == 1, shell.relays.leg(named: args[0]) != nil {
            return ["up", "down"]
        }
        guard let kind = spec.kind(at: args.count) else { return [] }
        switch kind {
        case .peer: return peers()
        case .socket: return sockets()
        case .peerOrSocket: return peers() + sockets()
        case let .choice(options): return options
        case .setting: return SettingTable.all.map(\.name)
        case .command: return CommandTable.all.map(\.name)
        case .file: return files(prefix)
        case .address: return shell.engine.sockets.map(\.name)
        case .number, .duration, .text: return []
        }
    }

    private func peers() -> [String] { shell.engine.peers.map(\.name) + shell.relays.legNames }
    private func sockets() -> [String] { shell.engine.sockets.map(\.name) + shell.relays.relays.map(\.name) }

    /// Entries of the directory named by `prefix`, as paths that extend it.
    private func files(_ prefix: String) -> [String] {
        let slash = prefix.lastIndex(of: "/")
        let dir = slash.map { String(prefix[...$0]) } ?? ""
        guard let d = opendir(dir.isEmpty ? "." : dir) else { return [] }
        defer { closedir(d) }
        var out: [String] = []
        // Bounded: a huge directory gives its first thousand names.
        while out.count < 1000, let entry = readdir(d) {
            let name = withUnsafeBytes(of: entry.pointee.d_name) { raw in
                String(decoding: raw.prefix { $0 != 0 }, as: UTF8.self)
            }
            if name == "." || name == ".." { continue }
            let isDir = entry.pointee.d_type == UInt8(DT_DIR)
            out.append(dir + name + (isDir ? "/" : ""))
        }
        return out
    }
}
