import Foundation
import Testing

/// `dtlsh bench` counts what it did correctly. Its speed is measured by
/// `make bench`, never asserted here.
@Suite struct BenchTests {
    static func run(_ args: [String]) throws -> [[String: Any]] {
        let p = try Subprocess(Tools.dtlsh, ["bench", "--json"] + args)
        #expect(p.waitExit(timeout: 60) == 0, "\(p.stdout)\(p.stderr)")
        let object = try JSONSerialization.jsonObject(with: Data(p.stdout.utf8)) as? [String: Any]
        return try #require(object?["scenarios"] as? [[String: Any]])
    }

    @Test func handshakeEchoAndHoldCountsAddUp() throws {
        let rows = try Self.run(["--mode", "all", "--count", "60", "--concurrency", "8", "--peers", "4",
                                 "--messages", "25", "--size", "200", "--hold", "30"])
        let byName = Dictionary(uniqueKeysWithValues: rows.map { ($0["scenario"] as? String ?? "?", $0) })
        #expect(byName["handshake"]?["completed"] as? Int == 60)
        #expect(byName["echo 200 B"]?["completed"] as? Int == 100, "4 peers × 25 echoes")
        #expect(byName["hold"]?["completed"] as? Int == 30)
        #expect(byName["raw UDP echo 200 B (no DTLS)"]?["completed"] as? Int == 100)
        for row in rows {
            #expect(row["failed"] as? Int == 0)
            #expect((row["server_cpu_seconds"] as? Double ?? -1) >= 0, "the serve child's CPU time was read")
        }
        let perPeer = byName["hold"]?["bytes_per_peer"] as? Int ?? 0
        #expect(perPeer > 1_000 && perPeer < 1_000_000, "a plausible figure: \(perPeer)")
    }

    @Test func certificateHandshakes() throws {
        let rows = try Self.run(["--mode", "handshake", "--credential", "cert", "--count", "20", "--concurrency", "4"])
        #expect(rows.first?["completed"] as? Int == 20)
    }
}
