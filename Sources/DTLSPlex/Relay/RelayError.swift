/// What a relay's queue commands refuse, in one line each.
public enum RelayError: Error, CustomStringConvertible {
    case noSuchDatagram(String, RelayDirection, Int, Int)
    case noSuchSent(String, RelayDirection, Int, Int)
    case doesNotFit(Int, Int, Int)
    case empty

    public var description: String {
        switch self {
        case let .noSuchDatagram(leg, direction, n, count):
            count == 0 ? "\(leg) has nothing queued \(direction.rawValue)"
                : "\(leg) has \(count) datagram\(count == 1 ? "" : "s") queued \(direction.rawValue), not \(n)"
        case let .noSuchSent(leg, direction, n, count):
            count == 0 ? "\(leg) has sent nothing \(direction.rawValue) yet"
                : "\(leg) keeps the last \(count) datagram\(count == 1 ? "" : "s") sent \(direction.rawValue): 1-\(count), not \(n)"
        case let .doesNotFit(size, offset, count):
            "the datagram has \(size) B: \(count) B at offset \(offset) do not fit"
        case .empty:
            "an empty datagram"
        }
    }
}
