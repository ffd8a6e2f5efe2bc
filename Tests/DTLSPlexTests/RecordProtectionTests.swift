import DTLSPlex
import DTLSWire
import Testing

/// Records dtlsh protects itself, given to a real OpenSSL peer: accepted as its peer's own, delivered
/// once, and a wrong tag is discarded. The other way, records OpenSSL wrote open with the same keys.
@Suite struct RecordProtectionTests {
    static let suites = [
        "PSK-AES128-GCM-SHA256", "PSK-AES256-GCM-SHA384", "PSK-CHACHA20-POLY1305", "PSK-AES128-CCM",
        "PSK-AES128-CCM8", "PSK-AES128-CBC-SHA256", "PSK-AES256-CBC-SHA384", "ECDHE-PSK-AES128-CBC-SHA",
    ]

    static func pair(suite: String) throws -> (server: Engine, client: Engine, srv: EngineSocket, c1: Peer, s1: Peer) {
        var settings = pskSettings()
        settings.tls.ciphers = suite
        let pair = try establishedPair(server: settings, client: settings)
        return (pair.server, pair.client, pair.srv, pair.c1, pair.s1)
    }

    /// One application-data record at `sequence`, protected with the client's keys.
    static func forged(_ text: String, secrets: SessionSecrets, sequence: UInt64, tamper: Bool = false) throws -> [UInt8] {
        let protector = try RecordProtector(secrets, writer: .client)
        var fragment = try protector.protect(Array(text.utf8), contentType: 23, version: 0xFEFD, epoch: 1, sequence: sequence)
        if tamper { fragment[fragment.count - 1] ^= 0x01 }
        return try OutgoingRecord(.applicationData, epoch: 1, sequence: sequence, payload: fragment).encoded
    }

    @Test(arguments: suites)
    func openSSLAcceptsWhatIsProtected(suite: String) throws {
        let (server, client, srv, c1, s1) = try Self.pair(suite: suite)
        #expect(c1.cipher == suite)
        let secrets = try #require(c1.sessionSecrets())
        // Ahead of what OpenSSL has used, and near enough that its own next record (sequence 1 or so) still fits the replay window.
        try c1.socket.udp.send(try Self.forged("forged but genuine", secrets: secrets, sequence: 30), to: srv.localAddress)
        #expect(runAll([server, client]) { !s1.received.isEmpty })
        #expect(server.read(s1) == [Array("forged but genuine".utf8)])
        // A flipped bit in the tag or MAC: discarded, and the association goes on.
        try c1.socket.udp.send(try Self.forged("tampered", secrets: secrets, sequence: 31, tamper: true), to: srv.localAddress)
        try client.send(c1, Array("after".utf8))
        #expect(runAll([server, client]) { !s1.received.isEmpty })
        #expect(server.read(s1) == [Array("after".utf8)])
        #expect(s1.status == .established)
    }

    /// The other direction, as the client probe forges a server's Finished: the server side's secrets and
    /// the server's write keys make a record OpenSSL's client takes as its server's own.
    @Test(arguments: ["PSK-AES128-GCM-SHA256", "PSK-CHACHA20-POLY1305", "PSK-AES128-CBC-SHA256"])
    func openSSLClientAcceptsWhatTheServerSideProtects(suite: String) throws {
        let (server, client, _, c1, s1) = try Self.pair(suite: suite)
        let secrets = try #require(s1.sessionSecrets())
        let protector = try RecordProtector(secrets, writer: .server)
        let fragment = try protector.protect(Array("from the server side".utf8), contentType: 23, version: 0xFEFD, epoch: 1,
                                             sequence: 30)
        try s1.socket.udp.send(try OutgoingRecord(.applicationData, epoch: 1, sequence: 30, payload: fragment).encoded,
                               to: c1.socket.localAddress)
        #expect(runAll([server, client]) { !c1.received.isEmpty })
        #expect(client.read(c1) == [Array("from the server side".utf8)])
    }

    @Test(arguments: suites)
    func recordsOpenSSLWroteOpenWithTheSameKeys(suite: String) throws {
        let pair = try Self.pair(suite: suite)
        defer { withExtendedLifetime(pair) {} }  // a peer holds its engine unretained
        let (server, s1) = (pair.server, pair.s1)
        let secrets = try #require(pair.c1.sessionSecrets())
        let opener = try RecordProtector(secrets, writer: .server)
        // Held in the server's queue: the datagram OpenSSL wrote, as it would go on the wire.
        server.settings.auto = false
        try server.send(s1, Array("from the server".utf8))
        let datagram = try #require(s1.outboundQueue.all.last)
        let header = try #require(datagram.withUnsafeBytes { RecordHeader(in: $0) })
        #expect(header.contentType == ContentType.applicationData.rawValue)
        let plaintext = try opener.unprotect(Array(datagram.dropFirst(RecordHeader.length)), contentType: 23,
                                             version: header.version, epoch: header.epoch, sequence: header.sequence)
        #expect(plaintext == Array("from the server".utf8))
        var damaged = Array(datagram.dropFirst(RecordHeader.length))
        damaged[damaged.count / 2] ^= 0x80
        #expect(throws: RecordProtector.Failure.self) {
            try opener.unprotect(damaged, contentType: 23, version: header.version, epoch: header.epoch, sequence: header.sequence)
        }
    }

    /// The PRF is OpenSSL's: what it derives from the master secret matches OpenSSL's own RFC 5705
    /// exporter, which is PRF(master, label, client_random + server_random).
    @Test(arguments: ["PSK-AES128-GCM-SHA256", "PSK-AES256-GCM-SHA384"])
    func thePRFAgreesWithOpenSSLsExporter(suite: String) throws {
        // The engines must outlive their peers (a peer holds its engine unretained).
        let pair = try Self.pair(suite: suite)
        let secrets = try #require(pair.c1.sessionSecrets())
        let exported = try pair.c1.exportKeyingMaterial(label: "EXPERIMENTAL dtlsh", length: 40)
        let derived = try RecordProtector.prf(secrets, label: "EXPERIMENTAL dtlsh", seed: secrets.clientRandom + secrets.serverRandom, length: 40)
        #expect(derived == exported)
        withExtendedLifetime(pair) {}
    }

    @Test func suitesItCannotProtectAreSaidSo() {
        #expect(RecordCipher(suite: "PSK-NULL-SHA256") == nil)
        #expect(RecordCipher(suite: "PSK-AES128-GCM-SHA256")?.keyLength == 16)
        #expect(RecordCipher(suite: "ECDHE-ECDSA-CHACHA20-POLY1305")?.kind == .chacha20Poly1305)
    }
}
