import DTLSWire

/// One client of a relay: its address, its own upstream socket (so the
/// server sees one source per client), its flights and its counts.
public final class RelayLeg {
    public let name: String
    public let client: SocketAddress
    let upstream: UDPSocket
    public var upstreamAddress: SocketAddress { upstream.localAddress }
    public internal(set) var tracker = FlightTracker()
    public internal(set) var totals: RelayLegTotals
    /// The seeded decisions of this leg: the same seed, the same decisions per leg.
    var impairment: Impairment
    var lastActivity: Double
    /// ICMP port unreachable was reported and nothing came from the server since.
    public internal(set) var unreachable = false
    /// The directions in which records at epoch 1 and up got through.
    var encryptedDelivered: Set<RelayDirection> = []
    /// How many datagrams carried each message so far (`--drop-message NAME:N`).
    var messageCounts: [String: Int] = [:]
    /// A datagram held back in each direction, to be sent after the next one.
    var held: [RelayDirection: (bytes: [UInt8], since: Double)] = [:]

    init(name: String, client: SocketAddress, upstream: UDPSocket, seed: UInt64, now: Double) {
        self.name = name
        self.client = client
        self.upstream = upstream
        self.totals = RelayLegTotals(client: client)
        self.impairment = Impairment(seed: seed)
        self.lastActivity = now
    }
}
