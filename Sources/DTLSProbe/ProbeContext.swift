import DTLSPlex
import DTLSWire

/// What a check runs with: the target, fresh sockets, and dtlsh's engine as a complete client.
public final class ProbeContext {
    public let target: ProbeTarget
    /// Shared by the checks of one battery.
    let findings: ProbeFindings

    init(target: ProbeTarget, findings: ProbeFindings = ProbeFindings()) {
        self.target = target
        self.findings = findings
    }

    private var sockets: [ProbeSocket] = []
    private var clients: [EstablishedClient] = []
    private var endings: [() -> Void] = []

    /// Work for `finish`, before it closes what it knows of: a check that drives a handshake its own way
    /// says here how to end it.
    func atFinish(_ ending: @escaping () -> Void) {
        endings.append(ending)
    }

    /// A client whose association the check ended itself (a forged alert): `finish` must not send it
    /// anything more (gnutls-serv, back to reading hellos only, would never read past it).
    func release(_ client: EstablishedClient) {
        clients.removeAll { $0 === client }
    }

    /// A client socket of its own (its own source port).
    func socket(source: String? = nil) throws -> ProbeSocket {
        let socket = try ProbeSocket(target: target.address, source: source)
        sockets.append(socket)
        return socket
    }

    /// Ends what the check left open on the server: a fatal alert for every handshake it started and a
    /// close_notify for every association. Servers that serve one client at a time (openssl s_server,
    /// gnutls-serv) would otherwise wait for the abandoned one until their own timers give up.
    func finish() {
        for ending in endings { ending() }
        endings.removeAll()
        abandonRawHandshakes()
        for client in clients where client.peer.status == .established {
            client.engine.close(client.peer)
            client.run(for: 0.2) { client.peer.status != .established && !client.socket.udp.hasQueuedSends }
        }
        clients.removeAll()
    }

    /// A fatal alert from every raw socket whose handshake the server keeps state for, so the next client
    /// is served (see ProbeSocket.abandon for the sockets that only got a HelloVerifyRequest).
    func abandonRawHandshakes() {
        let abort = Alert.probeAbort.datagram() ?? []
        // Open handshakes first: a server serving one of them reads no other hello until it ends.
        let answered = sockets.filter { !$0.arrivals.isEmpty }
        for socket in answered.filter({ !$0.onlyCookieRequested }) + answered.filter(\.onlyCookieRequested) {
            socket.abandon(sending: abort, wait: 1)
        }
        sockets.removeAll()
    }

    /// A client that completes a handshake with the target through dtlsh's engine (OpenSSL), on a fresh
    /// socket. The engine must outlive the peer: keep the pair.
    /// `resuming`: a session of an earlier association to offer.
    func establishedClient(configure: (inout Engine.Settings) -> Void = { _ in },
                           resuming session: ResumableSession? = nil) throws -> EstablishedClient {
        var settings = Engine.Settings(tls: target.tls)
        settings.auto = true
        configure(&settings)
        let engine = Engine(settings: settings)
        let local = target.address.family == .inet6 ? "[::1]:0" : "127.0.0.1:0"
        let socket = try engine.openSocket(name: "probe", bind: SocketAddress(parsing: local), accepting: false)
        guard let client = try connectClient(engine: engine, socket: socket, resuming: session, wait: 10) else {
            throw ProbeError("no handshake with the given credentials: no answer within 10 s")
        }
        guard client.peer.status == .established else {
            throw ProbeError("no handshake with the given credentials: \(client.peer.endReason ?? client.peer.lastError?.description ?? "?")")
        }
        return client
    }

    /// A new client peer on an engine's socket (auto mode), run until its handshake ends or `wait` passes;
    /// `nil` when it was still handshaking then. Established, it is closed by `finish`.
    func connectClient(engine: Engine, socket: EngineSocket, name: String = "p1", resuming session: ResumableSession? = nil,
                       wait: Double) throws -> EstablishedClient? {
        let peer = try engine.connect(name: name, socket: socket, to: target.address, resuming: session)
        let end = engine.now() + wait
        while peer.status == .handshaking && engine.now() < end { engine.runOnce(timeout: 0.01) }
        guard peer.status != .handshaking else { return nil }
        let client = EstablishedClient(engine: engine, socket: socket, peer: peer)
        if peer.status == .established { clients.append(client) }
        return client
    }

    /// A datagram in a few words: its messages, alerts or records.
    func describe(_ decoded: DecodedDatagram) -> String {
        if let alert = decoded.alerts.first { return "\(alert.levelName) \(alert.descriptionName) alert" }
        let names = decoded.handshakeFragments.map(\.typeName)
        if !names.isEmpty { return names.joined(separator: ", ") }
        return decoded.records.map(\.contentTypeName).joined(separator: ", ")
    }
}

/// An engine, its socket and an established client peer, kept together (a peer holds its engine
/// unretained).
final class EstablishedClient {
    let engine: Engine
    let socket: EngineSocket
    let peer: Peer

    init(engine: Engine, socket: EngineSocket, peer: Peer) {
        self.engine = engine
        self.socket = socket
        self.peer = peer
    }

    /// Runs the engine until `condition` holds or `timeout` passes.
    @discardableResult
    func run(for timeout: Double, until condition: () -> Bool = { false }) -> Bool {
        let end = engine.now() + timeout
        while !condition() {
            if engine.now() > end { return false }
            engine.runOnce(timeout: 0.01)
        }
        return true
    }

    /// Messages the peer read since the last call.
    func takeReceived() -> [[UInt8]] { engine.read(peer) }

    /// Sends `text` and waits for it back (an echoing server); `nil` when nothing came.
    func echo(_ text: String, wait: Double) throws -> [UInt8]? {
        try engine.send(peer, Array(text.utf8))
        _ = run(for: wait) { !peer.received.isEmpty }
        return takeReceived().first
    }

    /// Sends raw bytes from the peer's own address (a record the probe built).
    func sendRaw(_ bytes: [UInt8]) throws {
        _ = try socket.udp.send(bytes, to: peer.address)
    }

    /// Alerts the peer received, as OpenSSL reported them.
    var alertsReceived: [String] { peer.alerts.filter { $0.0 == .inbound }.map(\.1) }
}
