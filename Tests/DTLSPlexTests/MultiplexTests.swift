import DTLSPlex
import DTLSWire
import Testing

@Suite struct MultiplexTests {
    @Test func fiftyClientsOnOneServerSocket() throws {
        let server = Engine(settings: pskSettings())
        let client = Engine(settings: pskSettings())
        let srv = try server.openSocket(name: "srv", bind: loopback, accepting: true)
        let clients = try connectClients(50, of: client, to: srv.localAddress)
        #expect(runAll([server, client], timeout: 20) {
            clients.allSatisfy { $0.status == .established } && server.peers.count == 50
                && server.peers.allSatisfy { $0.status == .established }
        })
        #expect(srv.peerCount == 50, "all fifty share the one server socket")
        for (i, c) in clients.enumerated() { try client.send(c, Array("message \(i)".utf8)) }
        #expect(runAll([server, client], timeout: 10) { server.peers.allSatisfy { !$0.received.isEmpty } })
        // Each server peer got exactly its own client's message, and answers it.
        for p in server.peers {
            let got = server.read(p)
            #expect(got.count == 1)
            try server.send(p, got[0].reversed())
        }
        #expect(runAll([server, client], timeout: 10) { clients.allSatisfy { !$0.received.isEmpty } })
        for (i, c) in clients.enumerated() {
            #expect(client.read(c) == [Array("message \(i)".utf8).reversed()])
        }
        #expect(server.statistics.handshakesCompleted == 50)
    }

    @Test func clientAndServerRolesOnOneSocket() throws {
        // One socket both accepts and connects out.
        let engine = Engine(settings: pskSettings())
        let a = try engine.openSocket(name: "a", bind: loopback, accepting: true)
        let b = try engine.openSocket(name: "b", bind: loopback, accepting: true)
        let ab = try engine.connect(name: "ab", socket: a, to: b.localAddress)
        let c = try engine.openSocket(name: "c", bind: loopback, accepting: false)
        let ca = try engine.connect(name: "ca", socket: c, to: a.localAddress)
        #expect(runAll([engine]) { ab.status == .established && ca.status == .established })
        #expect(a.peerCount == 2, "socket a has its client peer and an accepted server peer")
        #expect(engine.peer(named: "a.1")?.role == .server)
        #expect(engine.peer(named: "b.1")?.role == .server)
    }
}
