/// How much of each datagram the text renderer decodes.
public enum TraceLevel: String, Sendable, CaseIterable, Comparable {
    /// Lifecycle only: peers made, established, closed, errors, data.
    case off
    /// Plus one line per datagram naming its messages, cookies, timers.
    case flights
    /// Plus one line per record and OpenSSL's state changes.
    case records
    /// Plus a hex dump of every datagram.
    case bytes

    /// `off|flights|records|bytes`: the choice as usage lines and the shell's errors spell it.
    public static let grammar = allCases.map(\.rawValue).joined(separator: "|")

    var rank: Int { TraceLevel.allCases.firstIndex(of: self)! }
    public static func < (a: TraceLevel, b: TraceLevel) -> Bool { a.rank < b.rank }
}
