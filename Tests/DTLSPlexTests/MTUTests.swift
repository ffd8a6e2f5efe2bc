import DTLSPlex
import DTLSWire
import Testing

@Suite struct MTUTests {
    @Test func mtu500SplitsTheCertificateFlight() throws {
        let (log, _) = try certificateHandshake(mtu: 500)
        var serverFlight = 0
        for e in log.events {
            guard case let .datagramOut(_, bytes) = e.kind else { continue }
            #expect(bytes.count <= 500)
            if e.peer == "srv.1", RecordLayer.split(bytes).records.contains(where: { $0.header.epoch == 0 && $0.header.contentType == 22 }) {
                serverFlight += 1
            }
        }
        #expect(serverFlight >= 2, "the server's certificate flight needs more than one datagram at MTU 500")
    }

    @Test func mtu256FragmentsTheCertificate() throws {
        let (log, _) = try certificateHandshake(mtu: 256)
        // OpenSSL reports whole messages to its callbacks; fragments are seen on the wire.
        var certificateFragments = 0
        for e in log.events where e.peer == "srv.1" {
            guard case let .datagramOut(_, bytes) = e.kind else { continue }
            for r in RecordLayer.split(bytes).records where r.header.epoch == 0 && r.header.contentType == 22 {
                if let h = HandshakeHeader.parse(r.fragment), h.type == HandshakeType.certificate.rawValue, h.isFragment {
                    certificateFragments += 1
                }
            }
        }
        #expect(certificateFragments >= 2)
    }

    @Test func oversizedMessageIsRefused() throws {
        let engine = Engine(settings: pskSettings())
        let srv = try engine.openSocket(name: "srv", bind: loopback, accepting: true)
        let cli = try engine.openSocket(name: "cli", bind: loopback, accepting: false)
        let c1 = try engine.connect(name: "c1", socket: cli, to: srv.localAddress)
        #expect(runAll([engine]) { c1.status == .established })
        #expect(throws: EngineError.self) { try engine.send(c1, [UInt8](repeating: 1, count: 2000)) }
        try engine.send(c1, [UInt8](repeating: 1, count: c1.dataMTU))
    }

    /// The record overhead of AEAD suites comes from a table, not from
    /// DTLS_get_data_mtu: a message of exactly dataMTU bytes must fill the
    /// MTU exactly as OpenSSL protects it, and one byte more is refused.
    @Test(arguments: ["PSK-AES128-GCM-SHA256", "PSK-AES128-CCM", "PSK-AES128-CCM8", "PSK-CHACHA20-POLY1305"])
    func aFullMessageFillsTheMTU(cipher: String) throws {
        var settings = pskSettings()
        settings.tls.ciphers = cipher
        settings.mtu = 700
        let engine = Engine(settings: settings)
        let log = EventLog(engine)
        let srv = try engine.openSocket(name: "srv", bind: loopback, accepting: true)
        let cli = try engine.openSocket(name: "cli", bind: loopback, accepting: false)
        let c1 = try engine.connect(name: "c1", socket: cli, to: srv.localAddress)
        #expect(runAll([engine]) { c1.status == .established && engine.peers.allSatisfy { $0.status == .established } })
        let s1 = try #require(engine.peers.first { $0.name != "c1" })
        #expect(s1.cipher == cipher)
        // The server has seen a protected record (the client's Finished): its overhead is known.
        try engine.send(s1, [UInt8](repeating: 7, count: s1.dataMTU))
        #expect(runAll([engine]) { !engine.read(c1).isEmpty })
        let sent = log.events.compactMap { e -> Int? in
            guard e.peer == s1.name, case let .datagramOut(_, bytes) = e.kind else { return nil }
            return bytes.count
        }
        #expect(sent.last == 700)
        #expect(throws: EngineError.self) { try engine.send(s1, [UInt8](repeating: 7, count: s1.dataMTU + 1)) }
    }

    /// The plausibility check's shortest protected record is the cipher's
    /// own, not the MTU's: DTLS_get_data_mtu rounds the room for a CBC
    /// record down to whole blocks, so at MTU 1404 its overhead says 52
    /// where a short message or a close_notify takes 48 bytes (the server
    /// turns encrypt-then-MAC off). Such records must reach OpenSSL.
    @Test(arguments: [1400, 1404])
    func shortCBCRecordsPassAtEveryMTU(mtu: Int) throws {
        var settings = pskSettings()
        settings.tls.ciphers = "PSK-AES128-CBC-SHA"
        settings.mtu = mtu
        let engine = Engine(settings: settings)
        let srv = try engine.openSocket(name: "srv", bind: loopback, accepting: true)
        let cli = try engine.openSocket(name: "cli", bind: loopback, accepting: false)
        let c1 = try engine.connect(name: "c1", socket: cli, to: srv.localAddress)
        #expect(runAll([engine]) { c1.status == .established && engine.peers.allSatisfy { $0.status == .established } })
        let s1 = try #require(engine.peers.first { $0.name != "c1" })
        try engine.send(c1, [42])
        #expect(runAll([engine]) { !s1.received.isEmpty })
        #expect(engine.read(s1) == [[42]])
        engine.close(c1)
        #expect(runAll([engine]) { s1.status == .closed })
        #expect(s1.endReason == "close_notify received")
        #expect(engine.statistics.dropped.isEmpty, "\(engine.statistics.dropped)")
    }
}
