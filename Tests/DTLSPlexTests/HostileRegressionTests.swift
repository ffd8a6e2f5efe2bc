import DTLSPlex
import DTLSWire
import Testing

/// What the hostile-datagram fuzzer found, each pinned by the smallest input.
@Suite struct HostileRegressionTests {
    /// An established pair on one server and one client engine.
    static func establishedPair() throws -> (server: Engine, client: Engine, srv: EngineSocket, c1: Peer, s1: Peer) {
        let server = Engine(settings: pskSettings())
        let client = Engine(settings: pskSettings())
        let srv = try server.openSocket(name: "srv", bind: loopback, accepting: true)
        let cli = try client.openSocket(name: "cli", bind: loopback, accepting: false)
        let c1 = try client.connect(name: "c1", socket: cli, to: srv.localAddress)
        try #require(runAll([server, client]) { c1.status == .established && server.peers.first?.status == .established })
        return (server, client, srv, c1, try #require(server.peers.first))
    }

    /// A zero-length UDP datagram from a peer's address reached OpenSSL as a
    /// BIO read of 0 bytes, which it takes for end of file: SSL_ERROR_SYSCALL,
    /// a fatal internal_error alert, and the association was dead. Anyone who
    /// can spoof the client's address could end it with one empty datagram.
    @Test func emptyDatagramFromAPeersAddressIsDroppedNotFatal() throws {
        let (server, client, srv, c1, s1) = try Self.establishedPair()
        let before = server.statistics.droppedTotal
        try c1.socket.udp.send([], to: srv.localAddress)
        #expect(runAll([server, client]) { server.statistics.droppedTotal > before })
        #expect(server.statistics.dropped["empty datagram"] == 1)
        #expect(s1.status == .established, "\(s1.endReason ?? "")")
        try client.send(c1, Array("still here".utf8))
        #expect(runAll([server, client]) { !s1.received.isEmpty })
        #expect(server.read(s1) == [Array("still here".utf8)])
        #expect(c1.status == .established)
    }

    /// The same during a handshake: the empty datagram must not fail it.
    @Test func emptyDatagramDuringAHandshakeIsHarmless() throws {
        let server = Engine(settings: pskSettings())
        let client = Engine(settings: pskSettings(auto: false))
        let srv = try server.openSocket(name: "srv", bind: loopback, accepting: true)
        let cli = try client.openSocket(name: "cli", bind: loopback, accepting: false)
        let c1 = try client.connect(name: "c1", socket: cli, to: srv.localAddress)
        // Flights 1-3 by hand, so the server peer exists and waits for flight 5.
        client.step(c1)
        client.flush(c1)
        #expect(runAll([server]) { server.statistics.cookiesSent == 1 })
        #expect(client.waitReadable(cli, timeout: 2))
        client.receive(cli)
        client.step(c1)
        client.flush(c1)
        #expect(runAll([server]) { server.peers.first?.handshakeHasStarted == true })
        let s1 = try #require(server.peers.first)
        try cli.udp.send([], to: srv.localAddress)
        #expect(runAll([server]) { server.statistics.dropped["empty datagram"] == 1 })
        #expect(s1.status == .handshaking)
        // An empty datagram queued by hand reaches the SSL itself: still harmless.
        server.inject(s1, [])
        server.runOnce(timeout: 0.05)
        #expect(s1.status == .handshaking, "\(s1.endReason ?? "")")
        client.settings.auto = true
        client.resumeAll()
        #expect(runAll([server, client]) { c1.status == .established && s1.status == .established })
    }
}
