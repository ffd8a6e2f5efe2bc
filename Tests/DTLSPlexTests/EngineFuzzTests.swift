import DTLSPlex
import DTLSWire
import Foundation
import Testing

/// What became of every datagram the server received, read from its events:
/// each `datagram_in` must be followed, within the same routing, by exactly
/// one outcome — dropped with a reason, a HelloVerifyRequest, an admission,
/// a listener error — or else it went to a known peer's inbound queue.
final class DatagramLedger {
    private(set) var total = 0
    private(set) var delivered: [String: Int] = [:]
    private(set) var dropped: [String: Int] = [:]
    private(set) var helloVerifies = 0
    private(set) var admitted = 0
    private(set) var listenErrors = 0
    private(set) var anomalies: [String] = []
    private var open = false
    private var openPeer: String?
    private var outcome: String?

    init(_ engine: Engine) {
        engine.subscribe([.lifecycle, .datagrams]) { [unowned self] in self.see($0) }
    }

    private func see(_ e: Event) {
        switch e.kind {
        case .datagramIn:
            finish()
            open = true
            openPeer = e.peer
            total += 1
        // A record a peer's OpenSSL discards silently (`discarded`) is a verdict on a
        // delivered datagram, given when OpenSSL reads it: not a routing outcome.
        case let .dropped(direction, _, _, reason) where direction == .inbound && e.discarded == nil:
            settle("dropped: \(reason)") { dropped[reason, default: 0] += 1 }
        case .cookieSent:
            settle("HelloVerifyRequest") { helloVerifies += 1 }
        case .cookieOK:
            settle("admitted") { admitted += 1 }
        case .error where e.peer == nil:
            settle("listener error") { listenErrors += 1 }
        default:
            break
        }
    }

    private func settle(_ what: String, _ count: () -> Void) {
        guard open else {
            anomalies.append("\(what) with no datagram")
            return
        }
        guard outcome == nil else {
            anomalies.append("\(what) after \(outcome!) for one datagram")
            return
        }
        outcome = what
        count()
    }

    /// Closes the accounting of the datagram last seen.
    func finish() {
        guard open else { return }
        open = false
        if outcome == nil {
            if let p = openPeer { delivered[p, default: 0] += 1 } else { anomalies.append("a datagram with no peer and no outcome") }
        }
        outcome = nil
        openPeer = nil
    }

    var droppedTotal: Int { dropped.values.reduce(0, +) }
}

/// Hostile datagrams over real loopback UDP at a serving engine that holds
/// established peers: from unknown sources and from the peers' own
/// addresses. Nothing crashes or hangs, every datagram is accounted for,
/// and the peers keep talking.
///
/// `DTLSH_FUZZ_ITERATIONS` sets the count (default 20000; `make fuzz` runs
/// 1000000) and `DTLSH_FUZZ_SEED` the seed.
@Suite struct EngineFuzzTests {
    static let environment = ProcessInfo.processInfo.environment
    static let iterations = environment["DTLSH_FUZZ_ITERATIONS"].flatMap { Int($0) } ?? 20_000
    static let seed = environment["DTLSH_FUZZ_SEED"].flatMap { UInt64($0) } ?? 0xd7_15_f0_22
    /// Datagrams sent before the server catches up; 1 pins a failure on one datagram.
    static let batchSize = environment["DTLSH_FUZZ_BATCH"].flatMap { Int($0) } ?? 64

    /// Real datagrams of a PSK handshake (with data and close_notify) and of
    /// a certificate handshake at a small MTU (fragmented messages), both ways.
    static func captureCorpus(server: Engine, srv: EngineSocket, clients: [Engine]) throws -> (corpus: [[UInt8]], sockets: [EngineSocket]) {
        final class Recorder {
            var on = true
            var datagrams: [[UInt8]] = []
            func see(_ e: Event) {
                if on, case let .datagramOut(_, bytes) = e.kind { datagrams.append(bytes) }
            }
        }
        let recorder = Recorder()
        defer { recorder.on = false }
        var sockets: [EngineSocket] = []
        server.subscribe(.datagrams, recorder.see)
        for (i, client) in clients.enumerated() {
            client.subscribe(.datagrams, recorder.see)
            let s = try client.openSocket(name: "corpus\(i)", bind: loopback, accepting: false)
            let p = try client.connect(name: "q\(i)", socket: s, to: srv.localAddress)
            try #require(runAll([server, client]) { p.status == .established && server.peers.contains { $0.status == .established } })
            let sp = try #require(server.peers.last)
            try client.send(p, Array("a message for the corpus".utf8))
            try #require(runAll([server, client]) { !sp.received.isEmpty })
            try server.send(sp, server.read(sp)[0])
            try #require(runAll([server, client]) { !p.received.isEmpty })
            client.close(p)
            try #require(runAll([server, client]) { server.peerCount == 0 })
            sockets.append(s)
        }
        return (recorder.datagrams, sockets)
    }

    @Test func hostileDatagramsAtAServerWithEstablishedPeers() throws {
        var serverSettings = pskSettings()
        serverSettings.keepFinishedPeers = false
        serverSettings.handshakeTimeout = 10
        let server = Engine(settings: serverSettings)
        let srv = try server.openSocket(name: "srv", bind: loopback, accepting: true)
        let client = Engine(settings: pskSettings())
        var certSettings = Engine.Settings(tls: TLSConfiguration())
        certSettings.auto = true
        certSettings.mtu = 300
        let certClient = Engine(settings: certSettings)
        let (corpus, corpusSockets) = try Self.captureCorpus(server: server, srv: srv, clients: [client, certClient])
        try #require(corpus.count >= 12, "captured \(corpus.count) datagrams")
        #expect(corpus.contains { RecordLayer.startsWithClientHello($0) })

        // The established pairs the hostile traffic must not disturb.
        var pairs: [(client: Peer, server: Peer)] = []
        for i in 0..<4 {
            let s = try client.openSocket(name: "cli\(i)", bind: loopback, accepting: false)
            let c = try client.connect(name: "c\(i)", socket: s, to: srv.localAddress)
            try #require(runAll([server, client]) { c.status == .established && server.peers.filter { $0.status == .established }.count == i + 1 })
            pairs.append((c, server.peers.last!))
        }
        let ledger = DatagramLedger(server)
        let baseIn = server.statistics.datagramsIn
        let baseClientOut = client.statistics.datagramsOut + certClient.statistics.datagramsOut
        let baseDropped = server.statistics.dropped
        let baseCookies = (server.statistics.cookiesSent, server.statistics.cookiesOK)
        let baseCounters = pairs.map { $0.server.counters.datagramsIn }

        let strangers = try (0..<8).map { _ in try UDPSocket(bind: loopback) }
        let unknownSources: [UDPSocket] = strangers + corpusSockets.map(\.udp)
        let peerSources = pairs.map { $0.client.socket.udp }
        var hostile = HostileDatagrams(seed: Self.seed, corpus: corpus)
        var sent = 0, fromPeers = 0, notHelloVerify = 0, answers = 0
        var recipes: [String: Int] = [:]
        var slowestBatch = 0.0, mostServerPeers = 0
        var roundTrips = 0, halfOpenMiscounts = 0

        func roundTrip(_ label: String) throws {
            for (i, pair) in pairs.enumerated() {
                let text = Array("\(label) \(i)".utf8)
                if pair.client.status != .established || pair.server.status != .established {
                    let c = "\(label): \(pair.client.name) \(pair.client.status) (\(pair.client.endReason ?? "-"), alerts \(pair.client.alerts.map(\.1))); "
                    Issue.record(Comment(rawValue: c + "\(pair.server.name) \(pair.server.status) (\(pair.server.endReason ?? "-"), alerts \(pair.server.alerts.map(\.1)), \(pair.server.lastError.map { "\($0)" } ?? "no error"))"))
                }
                try client.send(pair.client, text)
                try #require(runAll([server, client]) { !pair.server.received.isEmpty }, "\(label): \(pair.server.name) heard nothing")
                let got = server.read(pair.server)
                #expect(got == [text])
                try server.send(pair.server, Array(text.reversed()))
                try #require(runAll([server, client]) { !pair.client.received.isEmpty }, "\(label): \(pair.client.name) heard nothing")
                #expect(client.read(pair.client) == [Array(text.reversed())])
                roundTrips += 1
            }
        }

        let started = server.now()
        let checkpoints = Set((1...10).map { Self.iterations * $0 / 10 })
        var iteration = 0
        while iteration < Self.iterations {
            let batchStart = server.now()
            var batch: [(String, [UInt8], String)] = []
            for _ in 0..<min(Self.batchSize, Self.iterations - iteration) {
                let (d, recipe) = hostile.next()
                recipes[recipe.split(separator: "+").first.map(String.init) ?? recipe, default: 0] += 1
                let fromPeer = !hostile.random.chance(60)
                let source = fromPeer ? hostile.random.pick(peerSources) : hostile.random.pick(unknownSources)
                batch.append((recipe, d, fromPeer ? pairs[peerSources.firstIndex { $0 === source }!].server.name : "a stranger"))
                if (try? source.send(d, to: srv.localAddress)) == true {
                    sent += 1
                    if fromPeer { fromPeers += 1 }
                }
                iteration += 1
            }
            // Bounded: everything sent is received and routed, or the test fails here.
            let caughtUp = runAll([server, client, certClient], timeout: 10) {
                server.statistics.datagramsIn - baseIn
                    == sent + client.statistics.datagramsOut + certClient.statistics.datagramsOut - baseClientOut
            }
            try #require(caughtUp, "iteration \(iteration): the server received \(server.statistics.datagramsIn - baseIn) of \(sent) datagrams")
            for s in strangers {
                while let batch = try? s.receive(), !batch.isEmpty {
                    for a in batch {
                        answers += 1
                        // Unknown sources get HelloVerifyRequests and nothing else.
                        if !(a.bytes.count > 13 && a.bytes[0] == 22 && a.bytes[13] == 3) { notHelloVerify += 1 }
                    }
                }
            }
            if let broken = pairs.first(where: { $0.server.status != .established }) {
                let culprit = batch.map { "\($0.0) from \($0.2): \(Hex.encode($0.1))" }.joined(separator: "\n")
                Issue.record(Comment(rawValue: "iteration \(iteration): \(broken.server.name) \(broken.server.status) after this batch:\n\(culprit)"))
                break
            }
            slowestBatch = max(slowestBatch, server.now() - batchStart)
            mostServerPeers = max(mostServerPeers, server.peerCount)
            let halfOpen = server.peers.filter { $0.socket === srv && $0.role == .server && $0.status == .handshaking }.count
            if srv.halfOpenCount != halfOpen { halfOpenMiscounts += 1 }
            if checkpoints.contains(iteration) {
                try roundTrip("checkpoint \(iteration)")
            }
        }
        let seconds = server.now() - started
        ledger.finish()
        try roundTrip("after")
        ledger.finish()

        let stats = server.statistics
        var droppedDelta: [String: Int] = [:]
        for (reason, n) in stats.dropped where n != baseDropped[reason] { droppedDelta[reason] = n - (baseDropped[reason] ?? 0) }
        let delivered = ledger.delivered.values.reduce(0, +)
        print("engine fuzz: \(Self.iterations) datagrams (\(fromPeers) from established peers' addresses) in "
              + String(format: "%.1f s (%.0f /s)", seconds, Double(Self.iterations) / max(seconds, 1e-9))
              + ", seed \(Self.seed); server saw \(ledger.total): \(delivered) to peers, \(ledger.helloVerifies) HelloVerifyRequests, "
              + "\(ledger.admitted) admitted, \(ledger.droppedTotal) dropped, \(ledger.listenErrors) listener errors; "
              + "slowest batch of 64 \(String(format: "%.3f", slowestBatch)) s; at most \(mostServerPeers) server peers; "
              + "\(roundTrips) round trips")
        print("engine fuzz: dropped by reason: " + droppedDelta.sorted { $0.key < $1.key }.map { "\($0.value) \($0.key)" }.joined(separator: "; "))
        print("engine fuzz: recipes: " + recipes.sorted { $0.key < $1.key }.map { "\($0.key) \($0.value)" }.joined(separator: ", "))

        // Every datagram is accounted for: one outcome each, by the engine's own counts.
        #expect(ledger.anomalies.isEmpty, "\(ledger.anomalies.count) anomalies, first: \(ledger.anomalies.prefix(5))")
        #expect(ledger.total == stats.datagramsIn - baseIn)
        #expect(ledger.total == delivered + ledger.helloVerifies + ledger.admitted + ledger.droppedTotal + ledger.listenErrors)
        #expect(ledger.dropped == droppedDelta.filter { $0.key != "DTLSv1_listen failed" }, "dropped events and statistics agree")
        #expect((droppedDelta["DTLSv1_listen failed"] ?? 0) == ledger.listenErrors)
        #expect(stats.cookiesSent - baseCookies.0 == ledger.helloVerifies)
        #expect(stats.cookiesOK - baseCookies.1 == ledger.admitted)
        for (i, pair) in pairs.enumerated() {
            #expect(pair.server.counters.datagramsIn - baseCounters[i] == ledger.delivered[pair.server.name] ?? 0,
                    "\(pair.server.name)'s own counter")
            #expect(pair.server.status == .established && pair.client.status == .established)
            #expect(server.peer(named: pair.server.name) === pair.server, "\(pair.server.name) was never replaced")
        }
        // Only a replayed, cookie-verified hello from a corpus client's own address makes a peer.
        #expect(mostServerPeers <= pairs.count + corpusSockets.count)
        #expect(notHelloVerify == 0, "\(notHelloVerify) of \(answers) answers to strangers were not HelloVerifyRequests")
        #expect(halfOpenMiscounts == 0, "the half-open count disagreed with a recount after \(halfOpenMiscounts) batches")
        #expect(slowestBatch < 5, "a batch of 64 datagrams took \(slowestBatch) s")
        #expect(server.peers.allSatisfy { $0.inboundQueue.isEmpty }, "every queued datagram was processed")
    }
}
