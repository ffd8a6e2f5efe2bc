import DTLSPlex

/// The last datagrams each peer sent and received, for `replay PEER in|out N`
/// (the engine keeps none: it forgets a datagram once it is sent or read).
final class SentHistory {
    static let limit = 16
    private(set) var datagrams: [String: [Direction: [[UInt8]]]] = [:]

    init(engine: Engine) {
        engine.subscribe(.datagrams) { [weak self, unowned engine] e in
            switch e.kind {
            case let .datagramOut(_, bytes):
                guard let name = e.peer else { return }
                self?.note(name, .outbound, bytes)
            case let .datagramIn(from, bytes):
                let name = e.peer ?? engine.peers.first { $0.socket.name == e.socket && $0.address == from }?.name
                guard let name else { return }
                self?.note(name, .inbound, bytes)
            default:
                return
            }
        }
    }

    private func note(_ peer: String, _ d: Direction, _ bytes: [UInt8]) {
        var list = datagrams[peer, default: [:]][d, default: []]
        list.append(bytes)
        if list.count > Self.limit { list.removeFirst(list.count - Self.limit) }
        datagrams[peer, default: [:]][d] = list
        // Bounded: a shell with thousands of peers keeps the latest ones' only.
        if datagrams.count > 1_000, let any = datagrams.keys.first { datagrams[any] = nil }
    }

    /// The `n`th datagram back (1 = the latest) that way.
    func datagram(_ peer: String, _ d: Direction, _ n: Int) -> [UInt8]? {
        let list = datagrams[peer]?[d] ?? []
        return n >= 1 && n <= list.count ? list[list.count - n] : nil
    }

    func count(_ peer: String, _ d: Direction) -> Int { datagrams[peer]?[d]?.count ?? 0 }
}
