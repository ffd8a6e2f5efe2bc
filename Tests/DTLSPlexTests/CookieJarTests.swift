@testable import DTLSPlex
import DTLSWire
import Testing

/// Cookies derived from one master key and the wall-clock period: what lets
/// `serve --workers` engines accept each other's cookies without talking.
@Suite struct CookieJarTests {
    static let client = try! SocketAddress(parsing: "192.0.2.7:40000")
    static let masterA = [UInt8](repeating: 0xa5, count: 32)
    static let masterB = [UInt8](repeating: 0x5a, count: 32)

    @Test func twoJarsFromTheSameMasterAgree() {
        let t = 1_700_000_123.5
        let one = CookieJar(master: Self.masterA, clock: { t })
        let two = CookieJar(master: Self.masterA, clock: { t })
        let cookie = one.cookie(for: Self.client)
        #expect(cookie.count == 32)
        #expect(two.cookie(for: Self.client) == cookie)
        #expect(two.verify(cookie, for: Self.client))
        #expect(one.verify(two.cookie(for: Self.client), for: Self.client))
    }

    @Test func anotherMasterOrAnotherAddressIsRejected() throws {
        let t = 1_700_000_123.5
        let one = CookieJar(master: Self.masterA, clock: { t })
        let stranger = CookieJar(master: Self.masterB, clock: { t })
        let cookie = one.cookie(for: Self.client)
        #expect(!stranger.verify(cookie, for: Self.client))
        #expect(stranger.cookie(for: Self.client) != cookie)
        // Same host, another port; another host, same port.
        #expect(!one.verify(cookie, for: try SocketAddress(parsing: "192.0.2.7:40001")))
        #expect(!one.verify(cookie, for: try SocketAddress(parsing: "192.0.2.8:40000")))
        #expect(!one.verify([], for: Self.client))
        #expect(!one.verify(Array(cookie.dropLast()), for: Self.client))
    }

    @Test func theCurrentAndThePreviousPeriodCountAndNoOlder() {
        final class Clock: @unchecked Sendable { var t = 0.0 }
        let clock = Clock()
        let jar = CookieJar(master: Self.masterA, lifetime: 300, clock: { clock.t })
        clock.t = 300 * 1000 + 299.9
        let cookie = jar.cookie(for: Self.client)
        #expect(jar.period(at: clock.t) == 1000)
        clock.t = 300 * 1001 + 1
        #expect(jar.verify(cookie, for: Self.client), "the previous period still verifies")
        #expect(jar.cookie(for: Self.client) != cookie, "a new period makes a new cookie")
        clock.t = 300 * 1002 + 1
        #expect(!jar.verify(cookie, for: Self.client), "two periods on, the cookie is stale")
        // A jar that only now starts, in the next period, agrees with the old one.
        let late = CookieJar(master: Self.masterA, lifetime: 300, clock: { 300 * 1001 + 5 })
        #expect(late.verify(cookie, for: Self.client))
    }

    @Test func enginesInOneProcessShareTheMaster() {
        let a = Engine(), b = Engine()
        #expect(a.cookieJar.cookie(for: Self.client) == b.cookieJar.cookie(for: Self.client))
        #expect(CookieJar.processMaster.count == 32)
        #expect(CookieJar.processMaster != [UInt8](repeating: 0, count: 32))
    }

    /// The first ClientHello reaches engine A, the second (with A's cookie)
    /// engine B: B admits it and the handshake completes there, as when the
    /// kernel moves a client between `serve --workers` sockets.
    @Test func aCookieFromOneEngineAdmitsOnAnother() throws {
        let a = Engine(settings: pskSettings()), b = Engine(settings: pskSettings())
        let client = Engine(settings: pskSettings())
        let logA = EventLog(a), logB = EventLog(b)
        let srvA = try a.openSocket(name: "srv", bind: loopback, accepting: true)
        let srvB = try b.openSocket(name: "srv@1", bind: loopback, accepting: true)
        // A relay in the middle: servers see its address; the first datagram goes
        // to A and every later one to B.
        let relay = try UDPSocket(bind: loopback)
        let cli = try client.openSocket(name: "cli", bind: loopback, accepting: false)
        let p = try client.connect(name: "c1", socket: cli, to: relay.localAddress)
        var forwarded = 0
        #expect(runAll([client, a, b]) {
            for d in (try? relay.receive()) ?? [] {
                if d.source.isSameEndpoint(cli.localAddress) {
                    _ = try? relay.send(d.bytes, to: forwarded == 0 ? srvA.localAddress : srvB.localAddress)
                    forwarded += 1
                } else {
                    _ = try? relay.send(d.bytes, to: cli.localAddress)
                }
            }
            return p.status == .established
        })
        #expect(logA.count("cookie_sent") == 1)
        #expect(logA.count("peer_created") == 0)
        #expect(logB.count("cookie_sent") == 0, "B accepted A's cookie at once")
        #expect(logB.count("cookie_ok") == 1)
        #expect(b.peers.map(\.name) == ["srv@1.1"])
        #expect(b.statistics.handshakesCompleted == 1)
    }
}
