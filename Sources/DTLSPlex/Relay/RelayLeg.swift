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
    /// When flight 6 last got through to the client, and whether the client
    /// resent flight 5 after that (it had not got flight 6 then).
    var flight6PassedAt: Double?
    public var flight6HasPassed: Bool { flight6PassedAt != nil }
    var flight5ResentAfterFlight6 = false
    /// How many datagrams carried each message so far (`--drop-message NAME:N`).
    var messageCounts: [String: Int] = [:]
    /// The last datagrams sent on each way, newest last, for `replay`.
    public internal(set) var sent: [RelayDirection: [[UInt8]]] = [.up: [], .down: []]
    static let sentLimit = 16
    public static var sentLimitForShell: Int { sentLimit }
    /// Manual mode: what arrived and waits for `flush LEG up|down`, each way.
    public internal(set) var queues: [RelayDirection: [HeldDatagram]] = [.up: [], .down: []]
    /// What happened on the leg, oldest first (the last `historyLimit` entries).
    public internal(set) var history: [RelayLegEntry] = []
    static let historyLimit = 500
    /// `--pack`: the flight being gathered each way, its bytes and since when.
    var packing: [RelayDirection: (flight: Int, bytes: [UInt8], since: Double)] = [:]
    /// A datagram held back in each direction, to be sent after the next one.
    var held: [RelayDirection: (bytes: [UInt8], since: Double)] = [:]

    private var entriesMade = 0

    /// Adds a line to the history and returns its id.
    @discardableResult
    func note(_ entry: RelayLegEntry) -> Int {
        entriesMade += 1
        var e = entry
        e.id = entriesMade
        history.append(e)
        if history.count > Self.historyLimit { history.removeFirst(history.count - Self.historyLimit) }
        return e.id
    }

    /// What became of a held datagram: its line says so, unless it already
    /// said (a copy made by dup gets a line of its own). False when it has none.
    func settle(_ id: Int, _ action: RelayAction) -> Bool {
        guard let i = history.lastIndex(where: { $0.id == id }), history[i].action == nil else { return false }
        history[i].action = action
        return true
    }

    public func queue(_ direction: RelayDirection) -> [HeldDatagram] { queues[direction] ?? [] }

    /// The second sign that the client completed, inferred: flight 6 got
    /// through and no flight-5 resend came within `quiet` seconds (twice the
    /// timer). Nil while it cannot be told yet (no flight 6, or too soon),
    /// false when the client resent flight 5 after flight 6 passed.
    public func quietAfterFlight6(now: Double, quiet: Double) -> Bool? {
        if flight5ResentAfterFlight6 { return false }
        guard let t = flight6PassedAt, now - t >= quiet else { return nil }
        return true
    }

    init(name: String, client: SocketAddress, upstream: UDPSocket, seed: UInt64, now: Double) {
        self.name = name
        self.client = client
        self.upstream = upstream
        self.totals = RelayLegTotals(client: client)
        self.impairment = Impairment(seed: seed)
        self.lastActivity = now
    }
}
