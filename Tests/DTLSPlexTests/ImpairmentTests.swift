import DTLSPlex
import DTLSWire
import Testing

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
        let peers = try connectClients(100, of: client, to: srv.localAddress)
        let done = runAll([server, client], timeout: 30) { peers.allSatisfy { $0.status != .handshaking } }
        let failed = peers.filter { $0.status != .established }
        #expect(done && failed.isEmpty, "\(failed.map { "\($0.name): \($0.status) \($0.endReason ?? "") after \($0.counters.retransmits) retransmissions" })")
        // Messages after the handshake: each arrives once, or is lost; never twice.
        for (i, p) in peers.enumerated() {
            for m in 0..<5 { try client.send(p, Array("c\(i) m\(m)".utf8)) }
        }
        // Without loss every message comes: wait for all of them (a loaded
        // machine may take a while); with loss, a second for what will come.
        var seen: [String: Int] = [:]
        runAll([server, client], timeout: loss == 0 ? 15 : 1) {
            for p in server.peers { for m in server.read(p) { seen[String(decoding: m, as: UTF8.self), default: 0] += 1 } }
            return loss == 0 && seen.count == 500
        }
        // A little longer, for any copy that would come twice.
        runAll([server, client], timeout: 0.3) {
            for p in server.peers { for m in server.read(p) { seen[String(decoding: m, as: UTF8.self), default: 0] += 1 } }
            return false
        }
        #expect(seen.values.allSatisfy { $0 == 1 }, "a message arrived twice: \(seen.filter { $0.value > 1 })")
        if loss == 0 { #expect(seen.count == 500, "nothing is lost without loss") }
        print("impairment loss \(loss)% dup \(duplicate)% reorder \(reorder)%: 100 of 100 handshakes, \(seen.count) of 500 messages arrived, each once")
        if duplicate > 0 { #expect(client.statistics.datagramsOut > 0) }
    }
}
