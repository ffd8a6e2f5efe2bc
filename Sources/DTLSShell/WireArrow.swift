import DTLSPlex

/// One datagram as the ladder draws it: who sent it to whom, what it held,
/// which flight it was, and what became of it.
struct WireArrow {
    enum Fate: Equatable {
        /// Received by its socket, or sent outside this shell (as far as we can
        /// tell, it left).
        case delivered
        /// Sent to a socket of this shell that has not taken it in yet.
        case inFlight(socket: String)
        /// Never reached the wire: dropped by hand, by `set loss`, or the send failed.
        case lost(String)
        /// Arrived and was thrown away: garbage, an unknown source, or dropped
        /// from a peer's inbound queue by hand before OpenSSL read it.
        case discarded(String)

        var isLost: Bool {
            switch self {
            case .lost, .discarded: true
            case .delivered, .inFlight: false
            }
        }
    }

    let serial: Int
    let time: Double
    let from: SocketAddress
    let to: SocketAddress
    let size: Int
    var facts: DatagramFacts
    let flight: Int?
    /// Every handshake piece in it was sent before, by the same side, in the same handshake.
    let retransmission: Bool
    /// Which handshake on this pair of addresses it belongs to (a new ClientHello random starts one).
    let association: Int
    var fate: Fate
    /// Recognises the same bytes again (an inbound drop by hand) without keeping them.
    let fingerprint: Int
    /// Forged or changed by hand (`inject`, `edit`, `replay`).
    let mark: DatagramMark?
    /// Records of it the receiving peer's OpenSSL discarded silently, in a few
    /// words each (inferred): the datagram itself was delivered.
    var discardedRecords: [String] = []

    /// Names the first still unnamed encrypted alert: OpenSSL told us what it
    /// wrote or read, the wire only shows an encrypted record.
    mutating func nameAlert(_ text: String) -> Bool {
        guard let i = facts.messages.firstIndex(of: DatagramFacts.unnamedAlert) else { return false }
        facts.messages[i] = "Alert(\(text))"
        return true
    }
}

/// A row of the ladder: a datagram, or a note on one endpoint's lifeline
/// (a retransmission timer that fired, a drop the ladder cannot draw).
enum LadderEntry {
    case arrow(WireArrow)
    /// `peer` names the peer the note is about, so `ladder PEER` keeps only its own.
    case note(serial: Int, at: SocketAddress, peer: String?, text: String)

    var serial: Int {
        switch self {
        case let .arrow(a): a.serial
        case let .note(serial, _, _, _): serial
        }
    }
}

/// Two endpoints, in either order: a handshake is a conversation between them.
struct AddressPair: Hashable {
    let a: SocketAddress
    let b: SocketAddress

    init(_ x: SocketAddress, _ y: SocketAddress) {
        if x.description <= y.description { (a, b) = (x, y) } else { (a, b) = (y, x) }
    }
}
