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
        #expect(try engine.byHand.drop(s1, .outbound, index: nil) >= 1)
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
        let peers = try connectClients(5, of: client, to: srv.localAddress)
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
        let (server, client, _, _, c1, s1) = try establishedPair()
        client.close(c1)
        #expect(client.peers.isEmpty)
        #expect(runAll([server, client]) { s1.status == .closed })
        #expect(s1.endReason == "close_notify received")
    }

    /// Peers that come and go leave timer entries behind (their idle
    /// deadline is minutes away); the heap must not keep them all: a busy
    /// server would grow by its handshake rate times its idle timeout.
    @Test func theTimerHeapStaysTheSizeOfTheLivePeers() throws {
        var serverSettings = pskSettings()
        serverSettings.idleTimeout = 600
        serverSettings.keepFinishedPeers = false
        let server = Engine(settings: serverSettings)
        var clientSettings = pskSettings()
        clientSettings.keepFinishedPeers = false
        let client = Engine(settings: clientSettings)
        let srv = try server.openSocket(name: "srv", bind: loopback, accepting: true)
        let cli = try client.openSocket(name: "cli", bind: loopback, accepting: false)
        for round in 0..<10 {
            // 20 clients at once, each on its own port, then all closed.
            var clients: [Peer] = []
            for i in 0..<20 {
                let s = try client.openSocket(name: "c\(round).\(i)", bind: loopback, accepting: false)
                clients.append(try client.connect(name: "p\(round).\(i)", socket: s, to: srv.localAddress))
            }
            #expect(runAll([server, client]) { clients.allSatisfy { $0.status == .established } })
            for c in clients { client.close(c) }
            #expect(runAll([server, client]) { server.peerCount == 0 })
            for s in client.sockets where s.name != "cli" { client.closeSocket(s) }
        }
        _ = cli
        #expect(server.statistics.handshakesCompleted == 200)
        #expect(server.scheduledTimerCount <= 2 * server.peerCount + 64, "\(server.scheduledTimerCount) entries for \(server.peerCount) peers")
    }
}
