import DTLSPlex

/// What a command's argument is, so completion and usage come from one place.
public enum ArgumentKind: Sendable, Equatable {
    case peer
    case socket
    case peerOrSocket
    case choice([String])
    case file
    case address
    case setting
    case command
    case number
    case duration
    case text
}

/// One row of the command table: the grammar, the help text and the code.
/// Parser, `help`, usage errors and Tab completion all read this one value.
public struct CommandSpec: Sendable {
    public let name: String
    public let group: String
    /// `step PEER`, `drop PEER in|out [N|all]`
    public let usage: String
    public let summary: String
    public let detail: String
    public let example: String
    public let arguments: [ArgumentKind]
    public let minArguments: Int
    /// nil: any number (the last kind repeats).
    public let maxArguments: Int?
    let run: @Sendable (Shell, Arguments) throws -> Void

    init(_ name: String, group: String, usage: String, summary: String, detail: String = "", example: String,
         arguments: [ArgumentKind] = [], min: Int = 0, max: Int? = -1, run: @escaping @Sendable (Shell, Arguments) throws -> Void) {
        self.name = name
        self.group = group
        self.usage = usage
        self.summary = summary
        self.detail = detail
        self.example = example
        self.arguments = arguments
        self.minArguments = min
        self.maxArguments = max == -1 ? arguments.count : max
        self.run = run
    }

    /// The kind of the argument at `index`, for completion.
    func kind(at index: Int) -> ArgumentKind? {
        if index < arguments.count { return arguments[index] }
        return maxArguments == nil ? arguments.last : nil
    }
}

/// A command's words after its name, with typed accessors that fail with a
/// message naming what was wrong and what is accepted.
public struct Arguments {
    let spec: CommandSpec
    public let words: [String]
    unowned let shell: Shell

    public var count: Int { words.count }
    public subscript(i: Int) -> String { words[i] }
    public func optional(_ i: Int) -> String? { i < words.count ? words[i] : nil }

    public func peer(_ i: Int) throws -> Peer {
        let name = words[i]
        if let p = shell.engine.peer(named: name) { return p }
        let known = shell.engine.peers.map(\.name)
        throw ShellError.message("no peer named '\(name)'" + (known.isEmpty ? " (there are no peers yet)" : "; peers: " + known.joined(separator: ", ")))
    }

    public func socket(_ i: Int) throws -> EngineSocket {
        let name = words[i]
        if let s = shell.engine.socket(named: name) { return s }
        let known = shell.engine.sockets.map(\.name)
        throw ShellError.message("no socket named '\(name)'" + (known.isEmpty ? " (open one with: open NAME)" : "; sockets: " + known.joined(separator: ", ")))
    }

    public func direction(_ i: Int) throws -> Direction {
        switch words[i] {
        case "in": return .inbound
        case "out": return .outbound
        default: throw ShellError.message("expected in or out, not '\(words[i])'")
        }
    }

    public func int(_ i: Int, _ what: String, in range: ClosedRange<Int>) throws -> Int {
        guard let v = Int(words[i]), range.contains(v) else {
            throw ShellError.message("\(what) must be a whole number from \(range.lowerBound) to \(range.upperBound), not '\(words[i])'")
        }
        return v
    }

    public func onOff(_ i: Int) throws -> Bool {
        switch words[i] {
        case "on", "yes", "true", "1": return true
        case "off", "no", "false", "0": return false
        default: throw ShellError.message("expected on or off, not '\(words[i])'")
        }
    }

    public func duration(_ i: Int) throws -> Double {
        guard let d = Duration.parse(words[i]) else {
            throw ShellError.message("bad duration '\(words[i])': use e.g. 500ms, 2s, 1.5s or 1m")
        }
        return d
    }

    public func address(_ i: Int) throws -> SocketAddress {
        do { return try SocketAddress(parsing: words[i]) } catch { throw ShellError.message("\(error)") }
    }
}

public enum ShellError: Error, CustomStringConvertible {
    case message(String)
    case usage(String)
    case expectation(String)
    /// A failure already printed (and counted) deeper down, e.g. inside `source`.
    case reported

    public var description: String {
        switch self {
        case let .message(m): m
        case let .usage(usage): "usage: \(usage)"
        case let .expectation(m): m
        case .reported: "failed"
        }
    }
}
