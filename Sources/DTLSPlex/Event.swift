/// Which way a datagram, record or message went, seen from the endpoint.
public enum Direction: String, Sendable {
    case inbound = "in"
    case outbound = "out"
}

/// Which events a subscriber wants, so the engine does not build events that
/// nobody reads (a busy server would spend its time making them).
public struct EventInterest: OptionSet, Sendable {
    public let rawValue: UInt8
    public init(rawValue: UInt8) { self.rawValue = rawValue }

    /// Sockets, cookies, peers made and ended, established, alerts, errors, drops, retransmissions:
    /// `outcomes` and `admission`.
    public static let lifecycle: EventInterest = [.outcomes, .admission]
    /// The lifecycle events but admission's: sockets, bad cookies, established, alerts, errors,
    /// drops, retransmissions, peers ended.
    public static let outcomes = EventInterest(rawValue: 1)
    /// cookie_sent, cookie_ok, peer_created: the steps of admitting each peer, which a
    /// brief server never shows; a subscriber of outcomes only has none of them built.
    public static let admission = EventInterest(rawValue: 32)
    /// datagram_in, datagram_out.
    public static let datagrams = EventInterest(rawValue: 2)
    /// record, handshake_message, state, timer.
    public static let protocolDetail = EventInterest(rawValue: 4)
    /// app_data.
    public static let data = EventInterest(rawValue: 8)
    /// socket_opened, socket_closed, error: what a quiet server still shows.
    /// These events count as lifecycle too.
    public static let essentials = EventInterest(rawValue: 16)
    public static let all: EventInterest = [.outcomes, .admission, .datagrams, .protocolDetail, .data, .essentials]
    /// How an essential event is emitted: it reaches lifecycle subscribers too.
    static let essential: EventInterest = [.lifecycle, .essentials]
}

/// The bytes of a datagram that went nowhere, and where it was headed.
public struct DroppedDatagram: Sendable {
    public var bytes: [UInt8]
    /// The destination of an outbound datagram; nil for inbound ones (they
    /// were addressed to the socket that dropped them).
    public var to: SocketAddress?

    public init(bytes: [UInt8], to: SocketAddress?) {
        self.bytes = bytes
        self.to = to
    }
}

/// Something the engine did or saw. The engine never prints: renderers turn
/// events into text, JSON, pcap or a ladder. Names follow SPEC.md.
public struct Event: Sendable {
    /// Seconds since the engine started.
    public var time: Double
    public var socket: String?
    public var peer: String?
    public var kind: Kind
    /// For `dropped`: the lost datagram itself, so that a ladder can name its
    /// records and draw it towards where it was going. Outside `Kind` so that
    /// adding it broke no existing `switch`; nil for every other event.
    public var dropped: DroppedDatagram? = nil
    /// For `datagram_out`: the datagram was forged or changed by hand
    /// (`injected`, `edited`, `replayed`); nil for everything the engine made.
    public var mark: DatagramMark? = nil
    /// For a `dropped` about one record that a peer's OpenSSL discards
    /// silently (a replay, a wrong epoch, a likely bad MAC): the record, and
    /// the verdict, inferred. The datagram itself was reported when it came.
    public var discarded: DiscardedRecord? = nil

    public enum Kind: Sendable {
        case socketOpened(address: SocketAddress, accepting: Bool)
        case socketClosed
        case datagramIn(from: SocketAddress, bytes: [UInt8])
        case datagramOut(to: SocketAddress, bytes: [UInt8])
        /// A record header as OpenSSL read or wrote it.
        case record(Direction, contentType: UInt8, epoch: UInt16, sequence: UInt64, length: Int)
        /// A handshake message as OpenSSL processed it (decrypted when encrypted on the wire).
        case handshakeMessage(Direction, type: UInt8, messageSeq: UInt16, fragmentOffset: Int, fragmentLength: Int, length: Int)
        /// OpenSSL's handshake state moved (SSL_state_string_long).
        case state(from: String, to: String)
        case cookieSent(to: SocketAddress, length: Int)
        case cookieOK(from: SocketAddress)
        case cookieBad(from: SocketAddress)
        case peerCreated(role: Role, address: SocketAddress)
        case established(version: String, cipher: String, srtp: String?)
        case appData(Direction, bytes: [UInt8])
        case alert(Direction, level: String, description: String)
        /// The retransmission timer was armed for `seconds` from now, or stopped (nil).
        case timer(seconds: Double?)
        case retransmit(count: Int)
        case peerEvicted(reason: String)
        case peerClosed(reason: String)
        case error(OpenSSLError)
        /// A datagram that went nowhere, and why.
        case dropped(Direction, from: SocketAddress?, size: Int, reason: String)
    }

    /// The event's name as SPEC.md spells it (the JSON `event` field).
    public var name: String {
        switch kind {
        case .socketOpened: "socket_opened"
        case .socketClosed: "socket_closed"
        case .datagramIn: "datagram_in"
        case .datagramOut: "datagram_out"
        case .record: "record"
        case .handshakeMessage: "handshake_message"
        case .state: "state"
        case .cookieSent: "cookie_sent"
        case .cookieOK: "cookie_ok"
        case .cookieBad: "cookie_bad"
        case .peerCreated: "peer_created"
        case .established: "established"
        case .appData: "app_data"
        case .alert: "alert"
        case .timer: "timer"
        case .retransmit: "retransmit"
        case .peerEvicted: "peer_evicted"
        case .peerClosed: "peer_closed"
        case .error: "error"
        case .dropped: "dropped"
        }
    }
}
