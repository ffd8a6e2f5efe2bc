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
    /// The ClientHello randoms of the clients earlier checks served: a late copy of one of their hellos is
    /// not the next client, while a new client has a random of its own (even from a port an earlier one
    /// had).
    private var servedRandoms: Set<[UInt8]> = []
    /// For each address an earlier check's client had, the arrivals up to its end: a client with a fixed
    /// port (CoAP's 5684, `--bind`) comes back from it, and what came before is not its own.
    private var servedThrough: [SocketAddress: Int] = [:]

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
                if let random = latestRandom(from: peer.address), servedRandoms.contains(random) {
                    engine.remove(peer)
                } else if cookies && !cookiesSent.contains(where: { $0.to == peer.address }) {
                    // Admitted early without a cookie exchange this check needs: its next hello gets one.
                    engine.remove(peer)
                } else {
                    return .client(ClientSession(listener: self, peer: peer, from: firstUnservedHello(from: peer.address)))
                }
            }
            if newcomer == nil, let first = arrivals[seen...].first(where: isNewHello) {
                newcomer = (first.source, first.at)
            }
            let now = engine.now()
            if let (source, since) = newcomer, now > since + handshakeWait {
                let hellos = arrivals[firstUnservedHello(from: source)...].filter { $0.source == source && $0.decoded.startsClientHello }
                servedRandoms.formUnion(hellos.compactMap { $0.decoded.clientHello?.random })
                servedThrough[source] = arrivals.count
                return .stuck(source, hellos: hellos.count)
            }
            if newcomer == nil && now > end { return .nobody }
            pump(0.1)
        }
    }

    /// A ClientHello (its first fragment) of no client served yet.
    private func isNewHello(_ arrival: Arrival) -> Bool {
        guard arrival.decoded.startsClientHello else { return false }
        return arrival.decoded.clientHello.map { !servedRandoms.contains($0.random) } ?? true
    }

    /// The index of the first arrival of `source`'s client: its first hello no earlier check served.
    private func firstUnservedHello(from source: SocketAddress) -> Int {
        let after = servedThrough[source] ?? 0
        return arrivals.indices.dropFirst(after).first { arrivals[$0].source == source && isNewHello(arrivals[$0]) } ?? after
    }

    /// The random of the latest whole ClientHello from `source`.
    private func latestRandom(from source: SocketAddress) -> [UInt8]? {
        arrivals.last { $0.source == source && $0.decoded.clientHello != nil }?.decoded.clientHello?.random
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
        servedRandoms.formUnion(session.clientHellos.map(\.hello.random))
        servedThrough[session.source] = arrivals.count
        let peer = session.peer
        if peer.status == .established {
            engine.close(peer)
        } else {
            engine.remove(peer)
        }
        engine.flush(socket)
    }
}
