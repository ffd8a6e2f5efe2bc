import DTLSPlex
import DTLSWire

/// The probe as the server a foreign client connects to (`dtlsh probe --listen`): dtlsh's engine in
/// manual mode on one socket. Nothing leaves unless a check sends it: every flight the server writes
/// waits in its peer's queue, to go as it is, late, cut up, reordered, twice or changed.
public final class ProbeListener {
    /// A datagram from a client, with the time it came (the engine's clock).
    struct Arrival {
        let source: SocketAddress
        let at: Double
        let bytes: [UInt8]
        let decoded: DecodedDatagram
    }

    let engine: Engine
    let socket: EngineSocket
    /// `--quick`: fewer resends timed.
    let quick: Bool
    private(set) var arrivals: [Arrival] = []
    /// HelloVerifyRequests sent: to whom, when, and the cookie's length.
    private(set) var cookiesSent: [(to: SocketAddress, at: Double, length: Int)] = []
    /// Clients earlier checks served: a late datagram from one of them is not the next client.
    private var served: Set<SocketAddress> = []

    public var address: SocketAddress { socket.localAddress }

    public init(address: SocketAddress, tls: TLSConfiguration, quick: Bool = false) throws {
        var settings = Engine.Settings(tls: tls)
        settings.auto = false
        settings.keepFinishedPeers = true
        engine = Engine(settings: settings)
        self.quick = quick
        socket = try engine.openSocket(name: "probe", bind: address, accepting: true)
        engine.subscribe([.datagrams, .lifecycle]) { [unowned self] event in
            switch event.kind {
            case let .datagramIn(from, bytes):
                arrivals.append(Arrival(source: from, at: event.time, bytes: bytes, decoded: DatagramDecoder.decode(bytes)))
            case let .cookieSent(to, length):
                cookiesSent.append((to, event.time, length))
            default:
                break
            }
        }
    }

    /// What came of waiting for the next client.
    enum Arrivals {
        case client(ClientSession)
        /// A client sent datagrams but no handshake got under way (no hello with the cookie came back).
        case stuck(SocketAddress, hellos: Int)
        case nobody
    }

    /// Waits up to `wait` seconds for a client not served before, and then up to `handshakeWait` for its
    /// hello to make a server peer (with cookies on, the hello that returns the cookie). Once it is in, a
    /// newcomer is admitted as `nextCookies` says: a client looped for the next check may come while this
    /// one's runs (its own ended it early).
    func nextClient(cookies: Bool, nextCookies: Bool, wait: Double, handshakeWait: Double = 10) -> Arrivals {
        engine.settings.cookies = cookies
        defer { engine.settings.cookies = nextCookies }
        let seen = arrivals.count
        let end = engine.now() + wait
        var newcomer: (SocketAddress, Double)?
        while true {
            if let peer = engine.peers.first(where: { $0.role == .server }) {
                if served.contains(peer.address) {
                    engine.remove(peer)
                } else if cookies && !cookiesSent.contains(where: { $0.to == peer.address }) {
                    // Admitted early without a cookie exchange this check needs: its next hello gets one.
                    engine.remove(peer)
                } else {
                    return .client(ClientSession(listener: self, peer: peer))
                }
            }
            if newcomer == nil, let first = arrivals[seen...].first(where: { !served.contains($0.source) }) {
                newcomer = (first.source, first.at)
            }
            let now = engine.now()
            if let (source, since) = newcomer, now > since + handshakeWait {
                served.insert(source)
                return .stuck(source, hellos: arrivals.count(where: { $0.source == source && $0.decoded.startsClientHello }))
            }
            if newcomer == nil && now > end { return .nobody }
            pump(0.1)
        }
    }

    /// Waits up to `timeout` for datagrams and takes them in — a client's go to its peer's queue, unread;
    /// a new client's hello to the cookie exchange — then sends what the socket itself has to say
    /// (HelloVerifyRequests, the close_notify of an ended peer). Peers' queues are empty here: a check
    /// takes what its peer writes as soon as it is written.
    func pump(_ timeout: Double) {
        if engine.waitReadable(socket, timeout: timeout) { engine.receive(socket) }
        engine.flush(socket)
    }

    /// Ends a check's association: close_notify if it is open (a client waiting on it goes), and its
    /// client counts as served. A handshake left half-done is forgotten: the client times out on its own.
    func finish(_ session: ClientSession) {
        served.insert(session.source)
        let peer = session.peer
        if peer.status == .established {
            engine.close(peer)
        } else {
            engine.remove(peer)
        }
        engine.flush(socket)
    }
}
