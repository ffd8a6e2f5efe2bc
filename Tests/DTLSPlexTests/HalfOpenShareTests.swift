import DTLSPlex
import Testing

/// One source address with many ports cannot fill the half-open cap for
/// everybody: it holds its share, and another host still gets in.
@Suite struct HalfOpenShareTests {
    /// Clients on 127.0.0.1 that return their cookie and then go silent:
    /// each leaves the server a half-open peer, or is refused at its first
    /// hello (no HelloVerifyRequest comes). Returns how many were refused.
    static func abandonHandshakes(_ n: Int, to server: Engine, at address: SocketAddress) throws -> (Engine, refused: Int) {
        let attacker = Engine(settings: pskSettings(auto: false))
        var refused = 0
        for i in 0..<n {
            let s = try attacker.openSocket(name: "a\(i)", bind: loopback, accepting: false)
            let p = try attacker.connect(name: "p\(i)", socket: s, to: address)
            attacker.step(p)
            attacker.flush(p)
            let cookies = server.statistics.cookiesSent, drops = server.statistics.droppedTotal
            #expect(runAll([server]) { server.statistics.cookiesSent > cookies || server.statistics.droppedTotal > drops })
            if server.statistics.cookiesSent == cookies {
                refused += 1
                continue
            }
            #expect(attacker.waitReadable(s, timeout: 2))
            attacker.receive(s)
            attacker.step(p)  // the hello with the cookie
            attacker.flush(p)
            let peers = server.peerCount
            #expect(runAll([server]) { server.peerCount > peers })
        }
        return (attacker, refused)
    }

    @Test func oneHostHoldsItsShareAndAnotherStillCompletes() throws {
        var settings = pskSettings()
        settings.halfOpenLimit = 6
        settings.halfOpenShare = 4
        settings.handshakeTimeout = 30
        let server = Engine(settings: settings)
        let srv = try server.openSocket(name: "srv", bind: loopback, accepting: true)
        let (attacker, refused) = try Self.abandonHandshakes(8, to: server, at: srv.localAddress)
        #expect(refused == 4)
        #expect(srv.halfOpenCount == 4, "127.0.0.1 holds its share, no more")
        #expect(srv.halfOpenCount(from: try SocketAddress(parsing: "127.0.0.1:1")) == 4)
        #expect(server.statistics.dropped["half-open share of one address reached (4)"] == 4)
        // Another host: its own share of what is left of the cap.
        let other = Engine(settings: pskSettings())
        let s = try other.openSocket(name: "o", bind: try SocketAddress(parsing: "127.0.0.2:0"), accepting: false)
        let c = try other.connect(name: "c", socket: s, to: srv.localAddress)
        #expect(runAll([server, other]) { c.status == .established })
        #expect(server.peers.contains { $0.address.host == "127.0.0.2" && $0.status == .established })
        #expect(srv.halfOpenCount == 4)
        _ = attacker
    }

    /// The default share is a quarter of the cap.
    @Test func theDefaultShareIsAQuarterOfTheCap() {
        var settings = pskSettings()
        settings.halfOpenLimit = 1_000
        #expect(settings.effectiveHalfOpenShare == 250)
        settings.halfOpenLimit = 2
        #expect(settings.effectiveHalfOpenShare == 1)
    }
}
