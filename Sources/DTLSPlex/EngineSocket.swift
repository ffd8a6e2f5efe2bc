/// A named UDP socket of the engine, with the peers multiplexed on it.
public final class EngineSocket {
    public let name: String
    public let udp: UDPSocket
    /// Unknown sources that send a ClientHello may become server peers.
    public let accepting: Bool
    /// The TLS settings its server peers get: those in force when it was
    /// opened, so one shell can hold servers that differ (a wrong PSK, no
    /// shared cipher) for teaching and testing.
    public let tls: TLSConfiguration
    // @exclusivity(unchecked) below: these are touched for every datagram; an engine
    // is confined to one thread and never overlaps accesses to them, so the runtime's
    // exclusivity checks were pure cost (about 3 % of an echo's CPU).
    /// Datagrams that belong to no live peer: HelloVerifyRequests (the cookie
    /// exchange keeps no state) and the close_notify of peers already forgotten.
    @exclusivity(unchecked) public internal(set) var outbound: [(to: SocketAddress, bytes: [UInt8])] = []

    /// Its peers by address, unretained (looked up for every datagram): the
    /// engine owns them, and its `register` and `remove` keep this in step.
    @exclusivity(unchecked) var peers: [SocketAddress: Unmanaged<Peer>] = [:]
    /// Its peers, retained: for the rare walks over all of them.
    var peerList: [Peer] { peers.values.map { $0.takeUnretainedValue() } }
    /// A datagram the reordering impairment holds until the next one leaves.
    @exclusivity(unchecked) var heldBack: (to: SocketAddress, bytes: [UInt8], peer: String?, since: Double, mark: DatagramMark?)?
    /// The one SSL that runs DTLSv1_listen for every unknown source; it becomes
    /// the next admitted peer and a fresh one takes its place.
    @exclusivity(unchecked) var listener: Peer?
    /// The context its server peers are made from (from `tls`).
    @exclusivity(unchecked) var serverContext: TLSContext?
    /// How many peers this socket has admitted, for naming them `NAME.N`.
    @exclusivity(unchecked) var admitted = 0

    /// Made once: a listener is made for every admitted peer.
    lazy var listenerName = name + ".listener"

    public var localAddress: SocketAddress { udp.localAddress }
    public var peerCount: Int { peers.count }
    /// Server peers still handshaking: kept as a count, since admission asks
    /// for every ClientHello from an unknown source (counting them each time
    /// made a spoofed hello cost time in proportion to the peers held).
    public var halfOpenCount: Int { halfOpen }
    @exclusivity(unchecked) private(set) var halfOpen = 0
    /// The same count by source host, for the per-address share.
    @exclusivity(unchecked) private var halfOpenByHost: [HalfOpenHost: Int] = [:]

    /// The half-open handshakes `source`'s host holds on this socket.
    public func halfOpenCount(from source: SocketAddress) -> Int {
        halfOpenByHost.isEmpty ? 0 : halfOpenByHost[HalfOpenHost(source)] ?? 0
    }

    /// Whether `source`'s host holds fewer than `share` half-open handshakes.
    /// While the whole socket holds fewer, no host can hold more: no lookup
    /// (the table is hashed at every ClientHello otherwise).
    func halfOpenBelow(_ share: Int, from source: SocketAddress) -> Bool {
        halfOpen < share || halfOpenCount(from: source) < share
    }

    func enterHalfOpen(_ source: SocketAddress) {
        halfOpen += 1
        halfOpenByHost[HalfOpenHost(source), default: 0] += 1
    }

    func leaveHalfOpen(_ source: SocketAddress) {
        halfOpen -= 1
        let host = HalfOpenHost(source)
        if let n = halfOpenByHost[host], n > 1 { halfOpenByHost[host] = n - 1 } else { halfOpenByHost[host] = nil }
    }

    init(name: String, udp: UDPSocket, accepting: Bool, tls: TLSConfiguration) {
        self.name = name
        self.udp = udp
        self.accepting = accepting
        self.tls = tls
    }
}
