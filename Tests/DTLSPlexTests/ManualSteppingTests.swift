import DTLSPlex
import DTLSWire
import Testing

/// The SPEC's "first handshake by hand", on the engine's step API.
@Suite struct ManualSteppingTests {
    @Test func firstHandshakeByHand() throws {
        let engine = Engine(settings: pskSettings(auto: false))
        let log = EventLog(engine)
        let srv = try engine.openSocket(name: "srv", bind: loopback, accepting: true)
        let cli = try engine.openSocket(name: "cli", bind: loopback, accepting: false)
        let c1 = try engine.connect(name: "c1", socket: cli, to: srv.localAddress)
        #expect(c1.outboundQueue.count == 0, "nothing is written before the first step")

        var r = engine.step(c1)  // flight 1
        #expect(r.errorName == "SSL_ERROR_WANT_READ")
        #expect(r.datagramsProduced == 1)
        #expect(c1.flights.last?.messages == ["ClientHello"])
        engine.flush(c1)
        try waitForDatagrams(engine, srv)
        #expect(engine.peers.count == 1, "a cookie-less ClientHello makes no peer")
        #expect(srv.outbound.count == 1, "the HelloVerifyRequest waits on the socket")
        #expect(log.count("cookie_sent") == 1)
        engine.flush(srv)
        try waitForDatagrams(engine, cli)
        #expect(c1.inboundQueue.count == 1)

        r = engine.step(c1)  // flight 3
        #expect(c1.flights.suffix(2).map(\.messages) == [["HelloVerifyRequest"], ["ClientHello"]])
        engine.flush(c1)
        try waitForDatagrams(engine, srv)
        let s1 = try #require(engine.peer(named: "srv.1"), "a valid cookie admits the peer")
        #expect(log.count("cookie_ok") == 1)

        r = engine.step(s1)  // flight 4
        #expect(s1.flights.last?.messages.first == "ServerHello")
        #expect(s1.flights.last?.messages.last == "ServerHelloDone")
        engine.flush(s1)
        try waitForDatagrams(engine, cli)
        r = engine.step(c1)  // flight 5
        #expect(c1.flights.last?.messages == ["ClientKeyExchange", "ChangeCipherSpec", "Finished"])
        engine.flush(c1)
        try waitForDatagrams(engine, srv)
        r = engine.step(s1)  // flight 6
        #expect(r.status == .established)
        #expect(s1.flights.last?.messages == ["ChangeCipherSpec", "Finished"])
        engine.flush(s1)
        try waitForDatagrams(engine, cli)
        r = engine.step(c1)
        #expect(c1.status == .established)

        try engine.send(c1, Array("hello".utf8))
        engine.flush(c1)
        try waitForDatagrams(engine, srv)
        engine.step(s1)
        #expect(engine.read(s1) == [Array("hello".utf8)])
    }
}

/// Manual mode: wait (bounded) for the socket to be readable, then `recv`.
func waitForDatagrams(_ engine: Engine, _ socket: EngineSocket, timeout: Double = 2) throws {
    try #require(engine.waitReadable(socket, timeout: timeout), "nothing arrived on \(socket.name)")
    #expect(engine.receive(socket) > 0)
}
