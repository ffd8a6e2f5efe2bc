import DTLSPlex
import DTLSWire
import Testing

@Suite struct TimerTests {
    @Test func lostServerFlightIsRetransmitted() throws {
        let engine = Engine(settings: pskSettings(auto: false))
        let log = EventLog(engine)
        let srv = try engine.openSocket(name: "srv", bind: loopback, accepting: true)
        let cli = try engine.openSocket(name: "cli", bind: loopback, accepting: false)
        let c1 = try engine.connect(name: "c1", socket: cli, to: srv.localAddress)
        // Flights 1-3 by hand.
        engine.step(c1); engine.flush(c1); try waitForDatagrams(engine, srv)
        engine.flush(srv); try waitForDatagrams(engine, cli)
        engine.step(c1); engine.flush(c1); try waitForDatagrams(engine, srv)
        let s1 = try #require(engine.peer(named: "srv.1"))
        engine.step(s1)
        #expect(s1.outboundQueue.count >= 1)
        // Flight 4 is lost.
        #expect(try engine.drop(s1, .outbound, index: nil) >= 1)
        #expect(engine.timerStatus(c1).retransmit != nil, "the client's timer is armed")
        // Let the engine run: the client's timer fires, it resends, the server resends flight 4.
        engine.settings.auto = true
        #expect(runAll([engine]) { c1.status == .established && s1.status == .established })
        #expect(c1.counters.retransmits >= 1)
        #expect(log.count("retransmit") >= 1)
    }

    @Test func lossyPathStillCompletes() throws {
        var settings = pskSettings()
        settings.lossPercent = 30
        settings.seed = 7
        let server = Engine(settings: settings)
        let client = Engine(settings: settings)
        let srv = try server.openSocket(name: "srv", bind: loopback, accepting: true)
        var peers: [Peer] = []
        for i in 0..<5 {
            let s = try client.openSocket(name: "s\(i)", bind: loopback, accepting: false)
            peers.append(try client.connect(name: "c\(i)", socket: s, to: srv.localAddress))
        }
        #expect(runAll([server, client], timeout: 20) { peers.allSatisfy { $0.status == .established } })
        #expect(client.statistics.dropped["impairment: loss"] ?? 0 > 0)
    }

    @Test func handshakeDeadlineExpires() throws {
        var settings = pskSettings()
        settings.handshakeTimeout = 0.3
        let engine = Engine(settings: settings)
        let log = EventLog(engine)
        let silent = try UDPSocket(bind: loopback)  // never answers
        let cli = try engine.openSocket(name: "cli", bind: loopback, accepting: false)
        let c1 = try engine.connect(name: "c1", socket: cli, to: silent.localAddress)
        #expect(runAll([engine], timeout: 3) { c1.status == .failed })
        #expect(c1.endReason?.contains("handshake not done") == true)
        #expect(log.count("peer_evicted") == 1)
        #expect(c1.counters.retransmits >= 1)
    }

    @Test func idlePeersAreEvictedWithCloseNotify() throws {
        var serverSettings = pskSettings()
        serverSettings.idleTimeout = 0.3
        serverSettings.keepFinishedPeers = false
        let server = Engine(settings: serverSettings)
        let client = Engine(settings: pskSettings())
        let log = EventLog(server)
        let srv = try server.openSocket(name: "srv", bind: loopback, accepting: true)
        let cli = try client.openSocket(name: "cli", bind: loopback, accepting: false)
        let c1 = try client.connect(name: "c1", socket: cli, to: srv.localAddress)
        #expect(runAll([server, client]) { c1.status == .established })
        #expect(runAll([server, client], timeout: 3) { server.peers.isEmpty && c1.status == .closed })
        #expect(log.count("peer_evicted") == 1)
        #expect(c1.endReason == "close_notify received")
        #expect(srv.peerCount == 0)
    }

    @Test func closeNotifyIsSeenByTheOtherSide() throws {
        let server = Engine(settings: pskSettings())
        let client = Engine(settings: pskSettings())
        let srv = try server.openSocket(name: "srv", bind: loopback, accepting: true)
        let cli = try client.openSocket(name: "cli", bind: loopback, accepting: false)
        let c1 = try client.connect(name: "c1", socket: cli, to: srv.localAddress)
        #expect(runAll([server, client]) { c1.status == .established && server.peers.first?.status == .established })
        let s1 = try #require(server.peers.first)
        client.close(c1)
        #expect(client.peers.isEmpty)
        #expect(runAll([server, client]) { s1.status == .closed })
        #expect(s1.endReason == "close_notify received")
    }
}

@Suite struct MTUTests {
    @Test func mtu500SplitsTheCertificateFlight() throws {
        var settings = Engine.Settings()
        settings.auto = true
        settings.mtu = 500
        let engine = Engine(settings: settings)
        let log = EventLog(engine)
        let srv = try engine.openSocket(name: "srv", bind: loopback, accepting: true)
        let cli = try engine.openSocket(name: "cli", bind: loopback, accepting: false)
        let c1 = try engine.connect(name: "c1", socket: cli, to: srv.localAddress)
        #expect(runAll([engine]) { c1.status == .established })
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
        var settings = Engine.Settings()
        settings.auto = true
        settings.mtu = 256
        let engine = Engine(settings: settings)
        let log = EventLog(engine)
        let srv = try engine.openSocket(name: "srv", bind: loopback, accepting: true)
        let cli = try engine.openSocket(name: "cli", bind: loopback, accepting: false)
        let c1 = try engine.connect(name: "c1", socket: cli, to: srv.localAddress)
        #expect(runAll([engine]) { c1.status == .established })
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
}

/// The seed used memory BIOs: a whole flight left as one blob and reads could
/// swallow several datagrams. Here one BIO write is one datagram, each made of
/// whole records within the MTU, and each inbound datagram is read on its own.
@Suite struct DatagramBoundaryTests {
    @Test func everyDatagramIsWholeRecordsWithinTheMTU() throws {
        var settings = Engine.Settings()
        settings.auto = true
        settings.mtu = 256
        let engine = Engine(settings: settings)
        let log = EventLog(engine)
        let srv = try engine.openSocket(name: "srv", bind: loopback, accepting: true)
        let cli = try engine.openSocket(name: "cli", bind: loopback, accepting: false)
        let c1 = try engine.connect(name: "c1", socket: cli, to: srv.localAddress)
        #expect(runAll([engine]) { c1.status == .established })
        var serverHandshakeDatagrams = 0
        for e in log.events {
            guard case let .datagramOut(_, bytes) = e.kind else { continue }
            #expect(bytes.count <= 256)
            let split = RecordLayer.split(bytes)
            #expect(split.trailing == nil, "a record straddles a datagram boundary")
            #expect(split.records.reduce(0) { $0 + 13 + Int($1.header.length) } == bytes.count)
            if e.peer == "srv.1", split.records.first?.header.epoch == 0 { serverHandshakeDatagrams += 1 }
        }
        #expect(serverHandshakeDatagrams >= 3, "the certificate flight went out as several datagrams")
    }

    @Test func queuedInboundDatagramsAreReadOneByOne() throws {
        let server = Engine(settings: pskSettings(auto: false))
        let client = Engine(settings: pskSettings())
        let srv = try server.openSocket(name: "srv", bind: loopback, accepting: true)
        server.settings.auto = true
        let cli = try client.openSocket(name: "cli", bind: loopback, accepting: false)
        let c1 = try client.connect(name: "c1", socket: cli, to: srv.localAddress)
        #expect(runAll([server, client]) { c1.status == .established && server.peers.first?.status == .established })
        let s1 = try #require(server.peers.first)
        server.settings.auto = false
        // Three messages queue up as three datagrams before the server reads any.
        for m in ["one", "two", "three"] { try client.send(c1, Array(m.utf8)) }
        #expect(server.waitReadable(srv, timeout: 2))
        var received = 0
        for _ in 0..<20 where received < 3 {
            received += server.receive(srv)
            if received < 3 { _ = server.waitReadable(srv, timeout: 0.2) }
        }
        #expect(s1.inboundQueue.count == 3)
        server.step(s1)
        #expect(server.read(s1) == ["one", "two", "three"].map { Array($0.utf8) })
    }
}

@Suite struct ImpairmentTests {
    /// 100 handshakes through seeded loss, duplication and reordering on both sides.
    @Test(arguments: [(30.0, 0.0, 0.0), (0.0, 30.0, 0.0), (0.0, 0.0, 30.0), (20.0, 20.0, 20.0)])
    func handshakesSurvive(_ loss: Double, _ duplicate: Double, _ reorder: Double) throws {
        var settings = pskSettings()
        settings.lossPercent = loss
        settings.duplicatePercent = duplicate
        settings.reorderPercent = reorder
        settings.handshakeTimeout = 30
        // A lab link: short timers, so OpenSSL's 12 retransmissions fit well inside the deadline.
        settings.tls.timerInitialMilliseconds = 50
        settings.tls.timerMaxMilliseconds = 400
        // OpenSSL stops after 12 retransmissions: with bursts of at most two
        // losses each exchange is certain to get through within them.
        settings.lossBurst = 2
        settings.seed = 99
        let server = Engine(settings: settings)
        settings.seed = 7
        let client = Engine(settings: settings)
        let srv = try server.openSocket(name: "srv", bind: loopback, accepting: true)
        var peers: [Peer] = []
        for i in 0..<100 {
            let s = try client.openSocket(name: "s\(i)", bind: loopback, accepting: false)
            peers.append(try client.connect(name: "c\(i)", socket: s, to: srv.localAddress))
        }
        let done = runAll([server, client], timeout: 30) { peers.allSatisfy { $0.status != .handshaking } }
        let failed = peers.filter { $0.status != .established }
        #expect(done && failed.isEmpty, "\(failed.map { "\($0.name): \($0.status) \($0.endReason ?? "") after \($0.counters.retransmits) retransmissions" })")
        // Messages after the handshake: each arrives once, or is lost; never twice.
        for (i, p) in peers.enumerated() {
            for m in 0..<5 { try client.send(p, Array("c\(i) m\(m)".utf8)) }
        }
        runAll([server, client], timeout: 1) { false }
        var seen: [String: Int] = [:]
        for p in server.peers { for m in server.read(p) { seen[String(decoding: m, as: UTF8.self), default: 0] += 1 } }
        #expect(seen.values.allSatisfy { $0 == 1 }, "a message arrived twice: \(seen.filter { $0.value > 1 })")
        if loss == 0 { #expect(seen.count == 500, "nothing is lost without loss") }
        print("impairment loss \(loss)% dup \(duplicate)% reorder \(reorder)%: 100 of 100 handshakes, \(seen.count) of 500 messages arrived, each once")
        if duplicate > 0 { #expect(client.statistics.datagramsOut > 0) }
    }
}
