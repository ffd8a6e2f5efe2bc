import DTLSWire

/// Which way a datagram crosses a relay: up toward the server, down toward the client.
public enum RelayDirection: String, Sendable {
    case up, down

    public var fromClient: Bool { self == .up }
}

/// What a relay did with a datagram.
public enum RelayAction: String, Sendable {
    case forwarded, dropped, duplicated, reordered, delayed, injected, edited, replayed
}

/// Something a relay did or saw. Like the engine, the relay never prints:
/// renderers turn these into text or JSON.
public struct RelayEvent: Sendable {
    /// Seconds since the relay started.
    public var time: Double
    /// The relay's name; legs are named after it (`relay.1`, …).
    public var relay: String
    public var leg: String?
    public var kind: Kind

    public enum Kind: Sendable {
        case opened(listen: SocketAddress, upstream: SocketAddress)
        case legOpened(client: SocketAddress, via: SocketAddress, server: SocketAddress)
        /// One datagram and what became of it; `reason` says why it was not
        /// simply forwarded, `recovery` who will make up for a lost flight.
        case datagram(RelayDirection, action: RelayAction, bytes: [UInt8], observation: FlightObservation,
                      reason: String?, recovery: String?)
        /// Manual mode: a datagram arrived and waits in the leg's queue.
        case held(RelayDirection, bytes: [UInt8], observation: FlightObservation, position: Int)
        /// Both sides sent records at epoch 1 and up: inferred from the wire, the Finished messages are encrypted.
        case handshakeCompleted
        /// The server's address answered with ICMP port unreachable.
        case upstreamUnreachable(server: SocketAddress)
        /// A client that got no leg (too many clients), or a datagram from a stranger on an upstream socket.
        case refused(from: SocketAddress, size: Int, reason: String)
        case legClosed(reason: String)
        /// A leg's counts, at the end (SIGINT/SIGTERM) or when it closes.
        case totals(RelayLegTotals)
    }

    public var name: String {
        switch kind {
        case .opened: "relay_opened"
        case .legOpened: "relay_leg_opened"
        case .datagram: "relay_datagram"
        case .held: "relay_held"
        case .handshakeCompleted: "relay_handshake_completed"
        case .upstreamUnreachable: "relay_upstream_unreachable"
        case .refused: "relay_refused"
        case .legClosed: "relay_leg_closed"
        case .totals: "relay_totals"
        }
    }
}

/// One leg's counts.
public struct RelayLegTotals: Sendable, Equatable {
    public var client: SocketAddress
    public var up = 0
    public var down = 0
    public var dropped = 0
    public var duplicated = 0
    public var reordered = 0
    public var delayed = 0
    /// Changed on the way (`--corrupt-app`).
    public var edited = 0
    /// Inferred from the wire: both sides sent records at epoch 1 and up.
    public var handshakeCompleted = false

    public init(client: SocketAddress) { self.client = client }
}
