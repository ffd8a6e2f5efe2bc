import DTLSPlex
import DTLSWire
import Testing

/// What events carry beyond their name: enough for a ladder to draw a lost
/// datagram, and a peer's story that is its own.
@Suite struct EventDetailTests {
    @Test func droppedDatagramsCarryTheirBytesAndDestination() throws {
        let engine = Engine(settings: pskSettings(auto: false))
        let log = EventLog(engine)
        let srv = try engine.openSocket(name: "srv", bind: loopback, accepting: true)
        let cli = try engine.openSocket(name: "cli", bind: loopback, accepting: false)
        let c1 = try engine.connect(name: "c1", socket: cli, to: srv.localAddress)
        engine.step(c1)
        let hello = try #require(c1.outboundQueue.first)
        try engine.byHand.drop(c1, .outbound, index: 0)
        let byHand = try #require(log.named("dropped").last?.dropped)
        #expect(byHand.bytes == hello)
        #expect(byHand.to == srv.localAddress)

        var lossy = engine.settings
        lossy.lossPercent = 100
        engine.settings = lossy
        #expect(engine.fireTimer(c1, maxWait: 2))
        engine.flush(c1)
        let lost = try #require(log.named("dropped").last?.dropped)
        #expect(DatagramDecoder.decode(lost.bytes).handshakeMessages.count == 1)
        #expect(lost.to == srv.localAddress)
        #expect(log.named("datagram_out").allSatisfy { $0.dropped == nil })
    }

    @Test func anOutcomesSubscriberGetsNoAdmissionEvents() throws {
        let server = Engine(settings: pskSettings())
        let client = Engine(settings: pskSettings())
        var outcomes: [String] = [], lifecycle: [String] = []
        server.subscribe(.outcomes) { outcomes.append($0.name) }
        server.subscribe(.lifecycle) { lifecycle.append($0.name) }
        let srv = try server.openSocket(name: "srv", bind: loopback, accepting: true)
        let cli = try client.openSocket(name: "cli", bind: loopback, accepting: false)
        let c1 = try client.connect(name: "c1", socket: cli, to: srv.localAddress)
        #expect(runAll([server, client]) { c1.status == .established && server.peers.first?.status == .established })
        client.close(c1)
        #expect(runAll([server, client]) { server.peers.first?.status != .established })
        let admission = ["cookie_sent", "cookie_ok", "peer_created"]
        #expect(admission.allSatisfy(lifecycle.contains), "\(lifecycle)")
        #expect(!outcomes.contains(where: admission.contains), "\(outcomes)")
        #expect(outcomes == lifecycle.filter { !admission.contains($0) })
        #expect(outcomes.contains("established") && outcomes.contains("peer_closed"))
    }

    @Test func anAdmittedPeerRemembersOnlyItsOwnHello() throws {
        let engine = Engine(settings: pskSettings(auto: false))
        let srv = try engine.openSocket(name: "srv", bind: loopback, accepting: true)
        let a = try engine.openSocket(name: "a", bind: loopback, accepting: false)
        let b = try engine.openSocket(name: "b", bind: loopback, accepting: false)
        let ca = try engine.connect(name: "ca", socket: a, to: srv.localAddress)
        let cb = try engine.connect(name: "cb", socket: b, to: srv.localAddress)
        // Both first hellos go through the socket's one listener before either is admitted.
        for (p, s) in [(ca, a), (cb, b)] {
            engine.step(p)
            engine.flush(p)
            try waitForDatagrams(engine, srv)
            engine.flush(srv)
            try waitForDatagrams(engine, s)
        }
        engine.step(ca)
        engine.flush(ca)
        try waitForDatagrams(engine, srv)
        let s1 = try #require(engine.peer(named: "srv.1"))
        #expect(s1.flights.map(\.messages) == [["ClientHello"]], "only ca's hello with the cookie, not cb's")
    }
}
