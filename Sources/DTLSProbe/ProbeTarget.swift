import DTLSPlex

/// The server under test and how to talk to it.
public struct ProbeTarget: Sendable {
    public let address: SocketAddress
    /// Credentials, versions and suites for the checks that complete a handshake with dtlsh's engine.
    public let tls: TLSConfiguration
    /// `--quick`: fewer resends timed, shorter waits.
    public let quick: Bool
    /// `--long`: what takes minutes (a retransmission budget run to its end).
    public let long: Bool
    /// `--concurrent`: the server serves several clients at once, so slow checks may run beside the rest.
    public let concurrent: Bool

    public init(address: SocketAddress, tls: TLSConfiguration, quick: Bool = false, long: Bool = false,
                concurrent: Bool = false) {
        self.address = address
        self.tls = tls
        self.quick = quick
        self.long = long
        self.concurrent = concurrent
    }

    /// How long to wait for an answer that should come at once.
    var answerWait: Double { 1.5 }
    /// How long silence must last to count as "nothing came".
    var silence: Double { quick ? 0.5 : 1.0 }
}
