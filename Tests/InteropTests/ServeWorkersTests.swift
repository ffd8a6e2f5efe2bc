import Foundation
import SubprocessSupport
import Testing

/// `dtlsh serve --workers N`: N engines on N threads, one SO_REUSEPORT socket
/// each (srv, srv@1, …), sharing only the cookie master key.
@Suite struct ServeWorkersTests {
    static let psk = "\(Tools.pskIdentity):\(Tools.pskHex)"

    /// 20 `dtlsh connect --send` at once against two workers: every client
    /// gets its echo, both workers take some, SIGINT ends it with exit 0 and
    /// totals that add up to 20, and every line matches the schema.
    @Test func twoWorkersAnswerTwentyClients() throws {
        let dir = try Observe.directory("workers")
        defer { Observe.remove(dir) }
        let (server, port) = try Observe.serveJSON(["--psk", Self.psk, "--echo", "--workers", "2"])
        let clients = try (1...20).map { i in
            try Subprocess(Tools.dtlsh, ["connect", "127.0.0.1:\(port)", "--psk", Self.psk,
                                         "--send", "hello \(i)", "--wait", "5"])
        }
        for (i, c) in clients.enumerated() {
            #expect(c.waitExit(timeout: 20) == 0, "client \(i + 1): \(c.stderr)")
            #expect(c.stdout == "hello \(i + 1)\n", "client \(i + 1) got no echo: \(c.stderr)")
        }
        #expect(server.waitFor(timeout: 10) { $0.components(separatedBy: "\"reason\":\"close_notify received\"").count == 21 },
                "serve saw: \(server.stdout)")
        server.signal(SIGINT)
        #expect(server.waitExit() == 0, "serve: \(server.stderr)")

        let events = Observe.objects(server.stdout)
        let opened = events.filter { $0["event"] as? String == "socket_opened" }
        #expect(Set(opened.compactMap { $0["socket"] as? String }) == ["srv", "srv@1"])
        #expect(Set(opened.compactMap { $0["address"] as? String }) == ["127.0.0.1:\(port)"], "one address for both")
        let established = events.filter { $0["event"] as? String == "established" }
        #expect(established.count == 20)
        let peers = established.compactMap { $0["peer"] as? String }
        #expect(Set(peers).count == 20, "peer names unique across workers: \(peers)")
        let bySocket = Dictionary(grouping: established.compactMap { $0["socket"] as? String }, by: { $0 }).mapValues(\.count)
        #expect((bySocket["srv"] ?? 0) > 0 && (bySocket["srv@1"] ?? 0) > 0, "both workers take some: \(bySocket)")
        for e in established {
            let socket = e["socket"] as? String ?? "?", peer = e["peer"] as? String ?? "?"
            #expect(peer.hasPrefix(socket + "."), "\(peer) is named after its socket \(socket)")
        }

        let totals = try #require(events.last)
        #expect(totals["event"] as? String == "totals")
        #expect(totals["peers_created"] as? Int == 20)
        #expect(totals["handshakes_completed"] as? Int == 20)
        #expect(totals["handshakes_failed"] as? Int == 0)
        #expect(totals["messages_in"] as? Int == 20)
        #expect(totals["messages_out"] as? Int == 20)
        #expect(totals["workers"] as? Int == 2)
        let shares = try #require(totals["by_worker"] as? [[String: Any]])
        #expect(shares.compactMap { $0["socket"] as? String } == ["srv", "srv@1"])
        let handshakes = shares.compactMap { $0["handshakes_completed"] as? Int }
        #expect(handshakes.reduce(0, +) == 20)
        #expect(handshakes == [bySocket["srv"] ?? -1, bySocket["srv@1"] ?? -1], "each worker's share is its own events'")

        let (valid, report) = try Observe.validate(server.stdout.split(separator: "\n").map(String.init), in: dir)
        #expect(valid, "lines that do not match docs/events.schema.json:\n\(report)")
    }

    /// The LoadGenerator through `bench --workers 3`: 300 handshakes, none
    /// failed, and the report says the child ran 3 workers.
    @Test func benchDrivesAServeChildWithWorkers() throws {
        let bench = try Subprocess(Tools.dtlsh, ["bench", "--mode", "handshake", "--count", "300", "--concurrency", "24",
                                                 "--workers", "3", "--json", "--deadline", "60"])
        #expect(bench.waitExit(timeout: 90) == 0, "bench: \(bench.stdout) \(bench.stderr)")
        let report = try #require(Observe.objects(bench.stdout).first)
        #expect(report["server_workers"] as? Int == 3)
        let row = try #require((report["scenarios"] as? [[String: Any]])?.first)
        #expect(row["completed"] as? Int == 300)
        #expect(row["failed"] as? Int == 0)
    }

    /// Text mode against `bench --target`: the totals line adds up every
    /// worker's and ends with each worker's share.
    @Test func textTotalsAddUpTheWorkers() throws {
        let server = try Subprocess(Tools.dtlsh, ["serve", "--bind", "127.0.0.1:0", "--psk", Self.psk, "--echo",
                                                  "--workers", "2"])
        try #require(server.waitFor("serving DTLS on "), "serve did not start: \(server.stderr)")
        let line = try #require(server.stdout.split(separator: "\n").first { $0.hasPrefix("serving DTLS on ") })
        #expect(line.hasSuffix("; 2 workers (SO_REUSEPORT)"))
        let address = String(line.dropFirst("serving DTLS on ".count).prefix { $0 != " " }.dropLast())
        let bench = try Subprocess(Tools.dtlsh, ["bench", "--mode", "handshake", "--count", "100", "--concurrency", "16",
                                                 "--target", address, "--psk", Self.psk])
        #expect(bench.waitExit(timeout: 60) == 0, "bench: \(bench.stdout) \(bench.stderr)")
        #expect(bench.stdout.contains("completed        100 handshakes, 0 failed"), "\(bench.stdout)")
        server.signal(SIGINT)
        #expect(server.waitExit() == 0)
        let totals = try #require(server.stdout.split(separator: "\n").last.map(String.init))
        #expect(totals.hasPrefix("totals: 100 peers, 100 handshakes completed, 0 failed"), "\(totals)")
        let shares = try #require(totals.components(separatedBy: "; handshakes by worker: ").last)
        let counts = shares.components(separatedBy: ", ").compactMap { Int($0.split(separator: " ").last ?? "") }
        #expect(counts.count == 2 && counts.reduce(0, +) == 100, "\(totals)")
        #expect(shares.hasPrefix("srv ") && shares.contains(", srv@1 "), "\(totals)")
    }

    /// Clients still connected when SIGINT comes: every worker sends
    /// close_notify to its own peers before the process exits.
    @Test func sigintClosesEveryWorkersPeers() throws {
        let (server, port) = try Observe.serveJSON(["--psk", Self.psk, "--workers", "3"])
        let clients = try (1...8).map { _ in
            try Subprocess(Tools.dtlsh, ["connect", "127.0.0.1:\(port)", "--psk", Self.psk])
        }
        for c in clients { #expect(c.waitFor("CONNECTION ESTABLISHED"), "\(c.stderr)") }
        server.signal(SIGINT)
        #expect(server.waitExit() == 0, "serve: \(server.stderr)")
        for c in clients {
            #expect(c.waitFor("closed: close_notify received"), "\(c.stderr)")
            c.closeInput()
            #expect(c.waitExit() == 0, "\(c.stderr)")
        }
        let events = Observe.objects(server.stdout)
        let closed = events.filter { $0["event"] as? String == "alert" && $0["direction"] as? String == "out" }
        #expect(closed.count == 8, "one close_notify per peer: \(closed)")
        let totals = try #require(events.last)
        #expect(totals["handshakes_completed"] as? Int == 8)
        let shares = (totals["by_worker"] as? [[String: Any]] ?? []).compactMap { $0["handshakes_completed"] as? Int }
        #expect(shares.count == 3 && shares.reduce(0, +) == 8, "\(totals)")
    }

    @Test func badWorkerCountsAreUsageErrors() throws {
        for args in [["--workers", "0"], ["--workers", "65"], ["--workers", "2", "--pcap", "/tmp/never.pcap"]] {
            let p = try Subprocess(Tools.dtlsh, ["serve", "--bind", "127.0.0.1:0"] + args)
            #expect(p.waitExit() == 2, "\(args): \(p.stderr)")
            #expect(p.stderr.hasPrefix("dtlsh: "), "\(args): \(p.stderr)")
        }
    }
}
