import DTLSPlex
import Testing

/// A plaintext (epoch 0) fatal alert from a client's address and port. Before
/// the ChangeCipherSpec nothing in DTLS 1.2 authenticates a record, and
/// OpenSSL 3.0 acts on such an alert: an attacker who can forge the client's
/// source kills that handshake (the client's next one completes). A known
/// limit, documented in README; once established, epoch 0 is over and the
/// same forgery is discarded.
@Suite struct SpoofedAlertTests {
    /// alert(21), DTLS 1.2, epoch 0, sequence 1000 (inside no replay window
    /// yet used), length 2: fatal(2) handshake_failure(40).
    static let forgedAlert: [UInt8] = [21, 0xfe, 0xfd, 0, 0, 0, 0, 0, 0, 0x03, 0xe8, 0, 2, 2, 40]

    @Test func midHandshakeItEndsTheHandshakeAndTheClientsNextOneCompletes() throws {
        let (server, client, srv, cli, c1, s1) = try serverWaitingForFlight5()
        #expect(s1.status == .handshaking)
        // The forger sends from the client's address and port.
        try cli.udp.send(Self.forgedAlert, to: srv.localAddress)
        #expect(runAll([server]) { s1.status != .handshaking })
        #expect(s1.status == .failed)
        #expect(s1.alerts.contains { $0.0 == .inbound && $0.1 == "fatal handshake failure" }, "\(s1.alerts)")
        // The genuine client starts over and gets in.
        client.remove(c1)
        // What the failed association sent before the alert is not the new one's.
        for _ in 0..<3 where client.waitReadable(cli, timeout: 0.05) { client.receive(cli) }
        client.settings.auto = true
        let c2 = try client.connect(name: "c2", socket: cli, to: srv.localAddress)
        #expect(runAll([server, client]) { c2.status == .established })
    }

    @Test func onAnEstablishedPeerItIsDiscarded() throws {
        let (server, client, srv, cli, c1, s1) = try establishedPair()
        let before = server.statistics.datagramsIn
        try cli.udp.send(Self.forgedAlert, to: srv.localAddress)
        #expect(runAll([server]) { server.statistics.datagramsIn > before })
        try client.send(c1, Array("still here".utf8))
        #expect(runAll([server, client]) { !s1.received.isEmpty })
        #expect(s1.status == .established)
        #expect(server.read(s1) == [Array("still here".utf8)])
    }
}
