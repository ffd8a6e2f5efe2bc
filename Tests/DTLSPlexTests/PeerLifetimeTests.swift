import DTLSPlex
import Testing

/// The loop holds ready peers, lending BIOs and each socket's peer table
/// unretained; a peer removed while they may name it stays alive until the
/// turn is over, then goes.
@Suite struct PeerLifetimeTests {
    /// A server that keeps no finished peers reaps each one inside the loop,
    /// with nobody but the engine holding it: the close must not free it
    /// under the loop's feet, and it must be freed once the turn is over.
    @Test func reapedPeersLiveOutTheTurnThenGo() throws {
        var settings = pskSettings()
        settings.keepFinishedPeers = false
        let server = Engine(settings: settings)
        let client = Engine(settings: pskSettings())
        let srv = try server.openSocket(name: "srv", bind: loopback, accepting: true)
        let clients = try connectClients(8, of: client, to: srv.localAddress)
        #expect(runAll([server, client]) { clients.allSatisfy { $0.status == .established } && server.peerCount == 8 })
        weak let first = server.peer(named: "srv.1")
        #expect(first != nil)
        // Several messages and then the close_notify in one batch per peer.
        for c in clients {
            for m in 0..<4 { try client.send(c, [UInt8(m)]) }
            client.close(c)
        }
        #expect(runAll([server, client]) { server.peerCount == 0 })
        #expect(srv.peerCount == 0)
        #expect(server.statistics.peersClosed == 8)
        // The next turn lets the retired peers go.
        server.runOnce(timeout: 0)
        #expect(first == nil, "a reaped peer is freed once the loop is done with it")
    }

    /// A peer removed from the engine is never queued for the loop again:
    /// the loop holds its queue unretained, and the engine no longer owns it.
    @Test func aRemovedPeerIsNeverSteppedAgain() throws {
        let (server, client, _, _, c1, s1) = try establishedPair()
        server.remove(s1)
        server.runOnce(timeout: 0)
        server.byHand.inject(s1, [23, 0xfe, 0xfd, 0, 1, 0, 0, 0, 0, 0, 9, 0, 0])
        #expect(runAll([server, client], timeout: 0.2) { s1.inboundQueue.isEmpty } == false,
                "the datagram stays where it was put")
        #expect(s1.inboundQueue.count == 1)
        _ = c1
    }
}
