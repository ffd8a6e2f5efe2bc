import DTLSPlex
import Glibc
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
        let (server, client, srv, cli, c1, s1) = try serverWaitingForFlight5()
        try cli.udp.send([], to: srv.localAddress)
        #expect(runAll([server]) { server.statistics.dropped["empty datagram"] == 1 })
        #expect(s1.status == .handshaking)
        // An empty datagram queued by hand reaches the SSL itself: still harmless.
        server.byHand.inject(s1, [])
        server.runOnce(timeout: 0.05)
        #expect(s1.status == .handshaking, "\(s1.endReason ?? "")")
        client.settings.auto = true
        client.resumeAll()
        #expect(runAll([server, client]) { c1.status == .established && s1.status == .established })
    }
}

/// Forged records that OpenSSL 3.0 answers with a fatal alert instead of
/// discarding them: the engine must keep them from OpenSSL (or, for CBC, turn
/// off what makes OpenSSL fatal), or one spoofed datagram ends an association.
@Suite struct ForgedRecordTests {
    static func pair(ciphers: String) throws -> (server: Engine, client: Engine, srv: EngineSocket, c1: Peer, s1: Peer) {
        var settings = pskSettings()
        settings.tls.ciphers = ciphers
        let server = Engine(settings: settings)
        let client = Engine(settings: settings)
        let srv = try server.openSocket(name: "srv", bind: loopback, accepting: true)
        let cli = try client.openSocket(name: "cli", bind: loopback, accepting: false)
        let c1 = try client.connect(name: "c1", socket: cli, to: srv.localAddress)
        try #require(runAll([server, client]) { c1.status == .established && server.peers.first?.status == .established })
        return (server, client, srv, c1, try #require(server.peers.first))
    }

    /// An application-data record in epoch 1 with `length` bytes of nonsense.
    static func forged(length: Int, type: UInt8 = 23, epoch: UInt16 = 1) -> [UInt8] {
        [type, 0xfe, 0xfd, UInt8(epoch >> 8), UInt8(epoch & 0xff), 0, 0, 0, 0, 0x10, 0, UInt8(length >> 8), UInt8(length & 0xff)]
            + (0..<length).map { UInt8(truncatingIfNeeded: $0 &* 37 &+ 11) }
    }

    /// Each record goes alone, from the client's own address; afterwards the
    /// pair still talks.
    func survives(_ ciphers: String, _ records: [[UInt8]]) throws {
        let (server, client, srv, c1, s1) = try Self.pair(ciphers: ciphers)
        let before = server.statistics.datagramsIn
        for r in records { try c1.socket.udp.send(r, to: srv.localAddress) }
        #expect(runAll([server, client]) { server.statistics.datagramsIn == before + records.count })
        runAll([server, client], timeout: 0.05) { false }
        #expect(s1.status == .established, "\(ciphers): \(s1.endReason ?? "")")
        #expect(c1.status == .established, "\(ciphers): \(c1.endReason ?? "")")
        guard s1.status == .established, c1.status == .established else { return }
        try client.send(c1, Array("after".utf8))
        #expect(runAll([server, client]) { !s1.received.isEmpty })
        #expect(server.read(s1) == [Array("after".utf8)])
    }

    /// Shorter than nonce + tag: OpenSSL's AEAD set-up fails and it sends a
    /// fatal internal_error (SSL_ERROR_SYSCALL) — below 24 bytes for GCM and
    /// CCM, below 16 for CCM8 and ChaCha20-Poly1305.
    @Test(arguments: [("PSK-AES128-GCM-SHA256", 24), ("PSK-AES128-CCM", 24), ("PSK-AES128-CCM8", 16), ("PSK-CHACHA20-POLY1305", 16)])
    func shortProtectedRecordsAreDropped(_ cipher: String, _ overhead: Int) throws {
        try survives(cipher, [1, overhead / 2, overhead - 1].map { Self.forged(length: $0) })
    }

    /// As long as the overhead or longer, the tag fails and OpenSSL itself
    /// discards the record: it reaches OpenSSL, which is right.
    @Test func aeadRecordsWithABadTagReachOpenSSLAndAreDiscarded() throws {
        let (server, client, srv, c1, s1) = try Self.pair(ciphers: "PSK-AES128-GCM-SHA256")
        let before = s1.counters.datagramsIn
        try c1.socket.udp.send(Self.forged(length: 24), to: srv.localAddress)
        try c1.socket.udp.send(Self.forged(length: 100), to: srv.localAddress)
        #expect(runAll([server, client]) { s1.counters.datagramsIn == before + 2 })
        runAll([server, client], timeout: 0.05) { false }
        #expect(s1.status == .established)
    }

    /// CBC with Encrypt-then-MAC: any record that fails the MAC got a fatal
    /// bad_record_mac (openssl#24972). The server no longer agrees to EtM.
    @Test func forgedCBCRecordsDoNotEndTheAssociation() throws {
        try survives("ECDHE-PSK-AES128-CBC-SHA256", [1, 16, 48, 64, 65, 80, 128, 1000].map { Self.forged(length: $0) })
    }

    /// OpenSSL skips only the header of a record it will not take (another
    /// version, a length over its maximum) and reads the body as records: a
    /// short protected record hidden there ended the association.
    @Test func recordsHiddenBehindAHeaderOpenSSLSkips() throws {
        let hidden = Self.forged(length: 12, type: 22, epoch: 1)
        func wrapper(version: UInt16, length: Int) -> [UInt8] {
            [23, UInt8(version >> 8), UInt8(version & 0xff), 0, 1, 0, 0, 0, 0, 0x11, 0, UInt8(length >> 8), UInt8(length & 0xff)]
        }
        let otherVersion = wrapper(version: 0xfefc, length: hidden.count) + hidden
        let dtls10 = wrapper(version: 0xfeff, length: hidden.count) + hidden
        let tooLong = wrapper(version: 0xfefd, length: 20_000) + hidden + [UInt8](repeating: 0, count: 20_000 - hidden.count)
        let cut = hidden + Array(hidden.prefix(7))
        try survives("PSK-AES128-GCM-SHA256", [otherVersion, dtls10, tooLong, cut])
    }

    /// A content type DTLS 1.2 does not have, from the peer's address.
    @Test func unknownContentTypesAreDropped() throws {
        try survives("PSK-AES128-GCM-SHA256", [0, 19, 24, 25, 255].flatMap { t in
            [Self.forged(length: 40, type: t, epoch: 0), Self.forged(length: 40, type: t, epoch: 1)]
        })
    }

    /// During a handshake too: the server peer waits for flight 5 when the
    /// forged records arrive, and finishes the handshake afterwards.
    @Test func forgedRecordsDuringAHandshakeAreDropped() throws {
        let (server, client, srv, cli, c1, s1) = try serverWaitingForFlight5()
        let forged = [Self.forged(length: 8), Self.forged(length: 20, type: 24, epoch: 0), Self.forged(length: 20, type: 255, epoch: 0)]
        for r in forged { try cli.udp.send(r, to: srv.localAddress) }
        #expect(runAll([server]) { server.statistics.droppedTotal >= forged.count })
        #expect(s1.status == .handshaking, "\(s1.endReason ?? "")")
        client.settings.auto = true
        client.resumeAll()
        #expect(runAll([server, client]) { c1.status == .established && s1.status == .established })
    }
}
