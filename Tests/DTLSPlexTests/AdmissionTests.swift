import DTLSPlex
import DTLSWire
import Testing

@Suite struct AdmissionTests {
    /// A real first ClientHello, taken from a client engine's first step.
    static func clientHello() throws -> [UInt8] {
        let e = Engine(settings: pskSettings(auto: false))
        let s = try e.openSocket(name: "x", bind: loopback, accepting: false)
        let p = try e.connect(name: "p", socket: s, to: try SocketAddress(parsing: "127.0.0.1:9"))
        e.step(p)
        return try #require(p.outboundQueue.first)
    }

    @Test func cookielessClientHelloGetsHelloVerifyRequestAndNoPeer() throws {
        let server = Engine(settings: pskSettings())
        let log = EventLog(server)
        let srv = try server.openSocket(name: "srv", bind: loopback, accepting: true)
        let raw = try UDPSocket(bind: loopback)
        let hello = try Self.clientHello()
        #expect(RecordLayer.startsWithClientHello(hello))
        try raw.send(hello, to: srv.localAddress)
        var answer: [ReceivedDatagram] = []
        #expect(runAll([server]) {
            answer += (try? raw.receive()) ?? []
            return !answer.isEmpty
        })
        #expect(server.peers.isEmpty, "no state for a source that has not returned a cookie")
        let split = RecordLayer.split(answer[0].bytes)
        let record = try #require(split.records.first)
        #expect(HandshakeHeader.parse(record.fragment)?.type == HandshakeType.helloVerifyRequest.rawValue)
        #expect(answer[0].bytes.count <= hello.count, "no amplification")
        #expect(log.count("cookie_sent") == 1)
        #expect(log.count("peer_created") == 0)
    }

    @Test func floodOfCookielessHellosCreatesNothing() throws {
        let server = Engine(settings: pskSettings())
        let srv = try server.openSocket(name: "srv", bind: loopback, accepting: true)
        let hello = try Self.clientHello()
        var senders: [UDPSocket] = []
        for _ in 0..<200 { senders.append(try UDPSocket(bind: loopback)) }
        for s in senders { try s.send(hello, to: srv.localAddress) }
        #expect(runAll([server]) { server.statistics.cookiesSent == 200 })
        #expect(server.peers.isEmpty)
        #expect(server.statistics.peersCreated == 0)
    }

    @Test func badCookieIsRefused() throws {
        let server = Engine(settings: pskSettings())
        let log = EventLog(server)
        let srv = try server.openSocket(name: "srv", bind: loopback, accepting: true)
        // Handshake by hand on a client engine, but alter the cookie in the second hello.
        let client = Engine(settings: pskSettings(auto: false))
        let cli = try client.openSocket(name: "cli", bind: loopback, accepting: false)
        let c1 = try client.connect(name: "c1", socket: cli, to: srv.localAddress)
        client.step(c1)
        client.flush(c1)
        #expect(runAll([server]) { server.statistics.cookiesSent == 1 })
        try #require(client.waitReadable(cli, timeout: 2))
        client.receive(cli)
        client.step(c1)
        var second = try #require(c1.outboundQueue.first)
        try client.drop(c1, .outbound, index: 0)
        // The cookie sits after record(13)+handshake(12)+version(2)+random(32)+session id.
        let sidLength = Int(second[13 + 12 + 2 + 32])
        let cookieAt = 13 + 12 + 2 + 32 + 1 + sidLength + 1
        second[cookieAt] ^= 0xff
        try cli.udp.send(second, to: srv.localAddress)
        #expect(runAll([server]) { log.count("cookie_bad") == 1 })
        #expect(server.peers.isEmpty)
    }

    @Test func garbageAndTruncatedDatagramsAreCountedAndDropped() throws {
        let server = Engine(settings: pskSettings())
        let log = EventLog(server)
        let srv = try server.openSocket(name: "srv", bind: loopback, accepting: true)
        let raw = try UDPSocket(bind: loopback)
        let hello = try Self.clientHello()
        var rng = SystemRandomNumberGenerator()
        let inputs: [[UInt8]] = [
            [], [0x16], Array(hello.prefix(20)), Array(hello.prefix(hello.count - 1)),
            (0..<100).map { _ in UInt8.random(in: 0...255, using: &rng) },
            [0x17, 0xfe, 0xfd, 0, 1, 0, 0, 0, 0, 0, 1, 0, 4, 1, 2, 3, 4],
        ]
        for d in inputs { try raw.send(d, to: srv.localAddress) }
        #expect(runAll([server]) { server.statistics.datagramsIn == inputs.count })
        #expect(server.statistics.droppedTotal == inputs.count)
        #expect(log.count("dropped") == inputs.count)
        #expect(server.peers.isEmpty)
        // The server still works afterwards.
        let client = Engine(settings: pskSettings())
        let cli = try client.openSocket(name: "cli", bind: loopback, accepting: false)
        let c1 = try client.connect(name: "c1", socket: cli, to: srv.localAddress)
        #expect(runAll([server, client]) { c1.status == .established })
    }

    @Test func garbageToAnEstablishedPeerDoesNotBreakIt() throws {
        let (server, client, srv, cli, c1, s1) = try establishedPair()
        for d: [UInt8] in [[1, 2, 3], [0x17, 0xfe, 0xfd, 0, 1, 0, 0, 0, 0, 0, 9, 0, 40] + [UInt8](repeating: 7, count: 40),
                           [0x16, 0xfe, 0xfd, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff]] {
            try cli.udp.send(d, to: srv.localAddress)
        }
        try client.send(c1, Array("still here".utf8))
        #expect(runAll([server, client]) { !s1.received.isEmpty })
        #expect(server.read(s1) == [Array("still here".utf8)])
        #expect(s1.status == .established)
    }

    @Test func peerCapHolds() throws {
        var settings = pskSettings()
        settings.maxPeers = 3
        let server = Engine(settings: settings)
        let client = Engine(settings: pskSettings())
        let srv = try server.openSocket(name: "srv", bind: loopback, accepting: true)
        var clients: [Peer] = []
        for i in 0..<5 {
            let s = try client.openSocket(name: "s\(i)", bind: loopback, accepting: false)
            clients.append(try client.connect(name: "c\(i)", socket: s, to: srv.localAddress))
        }
        runAll([server, client], timeout: 1) { clients.filter { $0.status == .established }.count == 3 && false }
        #expect(server.peers.count == 3)
        #expect(clients.filter { $0.status == .established }.count == 3)
        #expect((server.statistics.dropped["peer cap reached (3)"] ?? 0) > 0)
    }
}
