import DTLSPlex
import DTLSWire
import Testing

let testPSK = TLSConfiguration.PSK(identity: "client", key: Hex.decode("00112233445566778899aabbccddeeff")!)
let loopback = try! SocketAddress(parsing: "127.0.0.1:0")

/// Collects every event an engine emits.
final class EventLog {
    var events: [Event] = []
    init(_ engine: Engine) { engine.subscribe { [unowned self] in self.events.append($0) } }
    func named(_ name: String) -> [Event] { events.filter { $0.name == name } }
    func count(_ name: String) -> Int { named(name).count }
}

func pskSettings(auto: Bool = true) -> Engine.Settings {
    var s = Engine.Settings(tls: TLSConfiguration(psk: testPSK))
    s.auto = auto
    s.tls.timerInitialMilliseconds = 100
    return s
}

/// Drives several engines' loops in turn until `condition` holds; bounded by time.
@discardableResult
func runAll(_ engines: [Engine], timeout: Double = 5, until condition: () -> Bool) -> Bool {
    let clock = engines[0]
    let end = clock.now() + timeout
    while !condition() {
        if clock.now() > end { return false }
        for e in engines { e.runOnce(timeout: 0.002) }
    }
    return true
}

/// A certificate handshake between two sockets of one auto engine at `mtu`,
/// with every event logged: the set-up of the MTU and datagram-boundary tests.
func certificateHandshake(mtu: Int, sourceLocation: SourceLocation = #_sourceLocation) throws -> (EventLog, Engine) {
    var settings = Engine.Settings()
    settings.auto = true
    settings.mtu = mtu
    let engine = Engine(settings: settings)
    let log = EventLog(engine)
    let srv = try engine.openSocket(name: "srv", bind: loopback, accepting: true)
    let cli = try engine.openSocket(name: "cli", bind: loopback, accepting: false)
    let c1 = try engine.connect(name: "c1", socket: cli, to: srv.localAddress)
    #expect(runAll([engine]) { c1.status == .established }, sourceLocation: sourceLocation)
    return (log, engine)
}

/// Two auto engines, a server socket "srv" and a client socket "cli", client
/// peer "c1" and its server peer, the handshake done: the set-up of most
/// two-engine tests.
func establishedPair(server serverSettings: Engine.Settings = pskSettings(), client clientSettings: Engine.Settings = pskSettings(),
                     sourceLocation: SourceLocation = #_sourceLocation)
    throws -> (server: Engine, client: Engine, srv: EngineSocket, cli: EngineSocket, c1: Peer, s1: Peer) {
    let server = Engine(settings: serverSettings)
    let client = Engine(settings: clientSettings)
    let srv = try server.openSocket(name: "srv", bind: loopback, accepting: true)
    let cli = try client.openSocket(name: "cli", bind: loopback, accepting: false)
    let c1 = try client.connect(name: "c1", socket: cli, to: srv.localAddress)
    #expect(runAll([server, client]) { c1.status == .established && server.peers.first?.status == .established },
            sourceLocation: sourceLocation)
    let s1 = try #require(server.peers.first, sourceLocation: sourceLocation)
    return (server, client, srv, cli, c1, s1)
}

/// `count` clients of `client`, each on a socket of its own (`cli1`…, peers
/// `c1`…), connecting to `server`: many peers on one server socket.
func connectClients(_ count: Int, of client: Engine, to server: SocketAddress) throws -> [Peer] {
    try (1...count).map { i in
        let s = try client.openSocket(name: "cli\(i)", bind: loopback, accepting: false)
        return try client.connect(name: "c\(i)", socket: s, to: server)
    }
}

/// Flights 1-3 by hand: the server peer exists and waits for flight 5;
/// the client engine is in manual mode.
func serverWaitingForFlight5() throws
    -> (server: Engine, client: Engine, srv: EngineSocket, cli: EngineSocket, c1: Peer, s1: Peer) {
    let server = Engine(settings: pskSettings())
    let client = Engine(settings: pskSettings(auto: false))
    let srv = try server.openSocket(name: "srv", bind: loopback, accepting: true)
    let cli = try client.openSocket(name: "cli", bind: loopback, accepting: false)
    let c1 = try client.connect(name: "c1", socket: cli, to: srv.localAddress)
    client.step(c1)
    client.flush(c1)
    #expect(runAll([server]) { server.statistics.cookiesSent == 1 })
    #expect(client.waitReadable(cli, timeout: 2))
    client.receive(cli)
    client.step(c1)
    client.flush(c1)
    #expect(runAll([server]) { server.peers.first?.handshakeHasStarted == true })
    return (server, client, srv, cli, c1, try #require(server.peers.first))
}
