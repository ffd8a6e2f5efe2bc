import DTLSPlex
import DTLSWire
import Testing

/// What a peer's SSL calls come to, as the engine's callers see them: typed
/// outcomes with OpenSSL's names, a failure carrying the error queue.
@Suite struct DTLSConnectionTests {
    @Test func aFirstStepWantsToReadAndSaysWhichCall() throws {
        let engine = Engine(settings: pskSettings(auto: false))
        let cli = try engine.openSocket(name: "cli", bind: loopback, accepting: false)
        let c1 = try engine.connect(name: "c1", socket: cli, to: try SocketAddress(parsing: "127.0.0.1:9"))
        let r = engine.step(c1)
        #expect(r.outcome == .wantsRead)
        #expect(r.call == "SSL_do_handshake() = -1")
        #expect(r.errorName == "SSL_ERROR_WANT_READ")
        #expect(c1.lastSSLError == .wantsRead)
    }

    /// An identity the server does not know (a wrong key alone only stalls:
    /// DTLS drops records that fail to decrypt).
    @Test func anUnknownIdentityFailsWithOpenSSLsQueue() throws {
        var wrong = pskSettings()
        wrong.tls.psk = TLSConfiguration.PSK(identity: "stranger", key: testPSK.key)
        let server = Engine(settings: pskSettings())
        let client = Engine(settings: wrong)
        let srv = try server.openSocket(name: "srv", bind: loopback, accepting: true)
        let cli = try client.openSocket(name: "cli", bind: loopback, accepting: false)
        let c1 = try client.connect(name: "c1", socket: cli, to: srv.localAddress)
        #expect(runAll([server, client]) { server.peers.first?.status == .failed || c1.status == .failed })
        let failed = try #require(server.peers.first { $0.status == .failed } ?? (c1.status == .failed ? c1 : nil))
        guard case let .failed(error) = failed.lastSSLError else {
            Issue.record("expected a failure, got \(String(describing: failed.lastSSLError))")
            return
        }
        #expect(failed.lastSSLError?.name == "SSL_ERROR_SSL")
        #expect(!error.queue.isEmpty, "the queue of the failed call comes with it")
        #expect(failed.lastError == error)
    }

    @Test func closeNotifyIsAClosedOutcome() throws {
        let (server, client, _, _, c1, s1) = try establishedPair()
        client.close(c1)
        #expect(runAll([server, client]) { s1.status == .closed })
        #expect(s1.lastSSLError == .closed)
        #expect(s1.lastSSLError?.name == "SSL_ERROR_ZERO_RETURN")
    }
}
