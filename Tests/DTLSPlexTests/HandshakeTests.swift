import DTLSPlex
import DTLSWire
import Testing

@Suite struct HandshakeTests {
    @Test func pskHandshakeBetweenTwoEngines() throws {
        let server = Engine(settings: pskSettings())
        let client = Engine(settings: pskSettings())
        let srv = try server.openSocket(name: "srv", bind: loopback, accepting: true)
        let cli = try client.openSocket(name: "cli", bind: loopback, accepting: false)
        let c1 = try client.connect(name: "c1", socket: cli, to: srv.localAddress)
        #expect(runAll([server, client]) { c1.status == .established && server.peers.first?.status == .established })
        let s1 = try #require(server.peer(named: "srv.1"))
        #expect(c1.cipher == "PSK-AES128-GCM-SHA256")
        #expect(c1.version == "DTLSv1.2")
        try client.send(c1, Array("hello".utf8))
        #expect(runAll([server, client]) { !s1.received.isEmpty })
        #expect(server.read(s1) == [Array("hello".utf8)])
    }

    /// A server that can only choose PSK suites presents no certificate:
    /// OpenSSL would check its chain on every handshake for nothing.
    @Test func pskOnlyServerLoadsNoCertificate() throws {
        var settings = pskSettings()
        settings.tls.ciphers = TLSConfiguration.pskCiphers
        #expect(Engine(settings: settings).certificateFingerprint == nil)
        #expect(Engine(settings: pskSettings()).certificateFingerprint != nil)
    }

    /// Without the message callback a server still handshakes and talks;
    /// it only keeps no story of flights and alerts.
    @Test func serverThatFollowsNoMessages() throws {
        var quiet = pskSettings()
        quiet.followsMessages = false
        let (server, client, _, _, c1, s1) = try establishedPair(server: quiet)
        try client.send(c1, Array("hello".utf8))
        #expect(runAll([server, client]) { !s1.received.isEmpty })
        #expect(s1.flights.isEmpty)
        #expect(c1.flights.map(\.direction) == [.outbound, .inbound, .outbound, .inbound, .outbound, .inbound])
    }

    @Test func certificateHandshakeOnOneEngine() throws {
        var settings = Engine.Settings()
        settings.auto = true
        let engine = Engine(settings: settings)
        let log = EventLog(engine)
        let srv = try engine.openSocket(name: "srv", bind: loopback, accepting: true)
        let cli = try engine.openSocket(name: "cli", bind: loopback, accepting: false)
        let c1 = try engine.connect(name: "c1", socket: cli, to: srv.localAddress)
        #expect(runAll([engine]) { c1.status == .established && engine.peer(named: "srv.1")?.status == .established })
        #expect(c1.cipher?.hasPrefix("ECDHE-ECDSA") == true)
        #expect(log.count("cookie_sent") == 1)
        #expect(log.count("cookie_ok") == 1)
        #expect(log.count("established") == 2)
    }
}
