/// How a relay treats what it forwards: the impairments of `dtlsh relay`
/// (udp_proxy's, seeded so that the same seed makes the same decisions).
public struct RelaySettings: Sendable {
    /// Percent of datagrams each way to drop, duplicate, hold back behind the next one.
    public var dropPercent: Double = 0
    public var dupPercent: Double = 0
    public var reorderPercent: Double = 0
    /// Every datagram waits this long, plus up to `jitterMilliseconds` more.
    public var delayMilliseconds: Double = 0
    public var jitterMilliseconds: Double = 0
    public var seed: UInt64 = 1
    /// Flights (1–6) whose first transmission is dropped.
    public var dropFlights: Set<Int> = []
    /// An IP MTU: datagrams whose payload is larger than it minus the IP and
    /// UDP headers (28 bytes IPv4, 48 IPv6) are dropped and reported.
    public var mtu: Int?
    /// Drop the datagram that carries the Nth transmission of a message
    /// (`--drop-message Finished:2`), counted over both directions per leg.
    public var dropMessages: [(name: String, nth: Int)] = []
    /// Delay every datagram that carries a message (`--delay-message ChangeCipherSpec:500`).
    public var delayMessages: [(name: String, milliseconds: Double)] = []
    /// Never drop a HelloVerifyRequest (udp_proxy's protect_hvr).
    public var protectHelloVerifyRequest = false
    /// Send the datagrams of one flight that follow each other closely as one
    /// datagram, up to the payload limit (udp_proxy's pack).
    public var pack = false
    /// How long a flight's datagram waits for the next one of the same flight.
    public var packWindowSeconds = 0.01
    /// Flip a byte of this percent of protected application data records (udp_proxy's bad_ad).
    public var corruptAppPercent: Double = 0
    public var maxClients = 1_000
    /// A leg is closed after this long without a datagram either way.
    public var idleSeconds: Double = 300
    /// How long a datagram held back for reordering waits for one to overtake it.
    public var reorderHoldSeconds: Double = 0.2
    /// Twice the initial retransmission timer (1 s, RFC 6347 §4.2.4.1): a
    /// client that got flight 6 sends no flight-5 resend within it.
    public var quietAfterFlight6Seconds: Double = 2

    public init() {}

    /// Whether anything random is asked for (decisions draw from the seed only then).
    var randomizes: Bool {
        dropPercent > 0 || dupPercent > 0 || reorderPercent > 0 || jitterMilliseconds > 0 || corruptAppPercent > 0
    }
}
