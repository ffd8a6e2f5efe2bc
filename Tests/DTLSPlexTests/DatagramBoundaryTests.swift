import DTLSPlex
import DTLSWire
import Testing

/// The seed used memory BIOs: a whole flight left as one blob and reads could
/// swallow several datagrams. Here one BIO write is one datagram, each made of
/// whole records within the MTU, and each inbound datagram is read on its own.
@Suite struct DatagramBoundaryTests {
    @Test func everyDatagramIsWholeRecordsWithinTheMTU() throws {
        let (log, _) = try certificateHandshake(mtu: 256)
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

    /// The loop stops reading after a message only when OpenSSL holds
    /// nothing more: two application records in one datagram are two
    /// messages, whether an echo handler or `read` takes them.
    @Test(arguments: [false, true]) func twoRecordsInOneDatagramAreTwoMessages(handled: Bool) throws {
        let (server, client, srv, cli, c1, s1) = try establishedPair()
        var handledMessages: [[UInt8]] = []
        if handled {
            server.messageHandler = { _, _, message in
                handledMessages.append(Array(message))
                return true
            }
        }
        client.settings.auto = false
        for m in ["one", "two"] { try client.send(c1, Array(m.utf8)) }
        let queued = c1.outboundQueue
        #expect(queued.count == 2)
        try cli.udp.send(queued[0] + queued[1], to: srv.localAddress)
        let got = { handled ? handledMessages : s1.received }
        #expect(server.run(until: { got().count == 2 }, timeout: 2))
        #expect(got() == ["one", "two"].map { Array($0.utf8) })
        #expect(s1.status == .established)
        _ = client
    }
}
