public enum EngineError: Error, Sendable, CustomStringConvertible {
    case notEstablished(String)
    case invalidArgument(String)
    case unknown(String, String)
    case exists(String, String)
    case messageTooLarge(Int, Int)
    case closed(String)

    public var description: String {
        switch self {
        case let .notEstablished(p): "peer \(p) is not established"
        case let .invalidArgument(why): why
        case let .unknown(kind, name): "no \(kind) named '\(name)'"
        case let .exists(kind, name): "a \(kind) named '\(name)' already exists"
        case let .messageTooLarge(size, limit):
            "a \(size)-byte message does not fit one record: the data MTU is \(limit) bytes (DTLS records never span datagrams)"
        case let .closed(p): "peer \(p) is closed"
        }
    }
}
