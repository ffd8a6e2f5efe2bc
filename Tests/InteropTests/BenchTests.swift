import Foundation
import SubprocessSupport
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
                                 "--messages", "25", "--size", "200", "--hold", "30", "--hold-seconds", "0.2"])
        let byName = Dictionary(uniqueKeysWithValues: rows.map { ($0["scenario"] as? String ?? "?", $0) })
        #expect(byName["handshake"]?["completed"] as? Int == 60)
        #expect(byName["echo 200 B"]?["completed"] as? Int == 100, "4 peers × 25 echoes")
        #expect(byName["hold"]?["completed"] as? Int == 30)
        #expect(byName["raw UDP echo 200 B (no DTLS)"]?["completed"] as? Int == 100)
        for row in rows {
            #expect(row["failed"] as? Int == 0)
            #expect((row["server_cpu_seconds"] as? Double ?? -1) >= 0, "the serve child's CPU time was read")
            #expect((row["server_page_faults"] as? Int ?? -1) >= 0, "and its page faults")
        }
        let perPeer = byName["hold"]?["bytes_per_peer"] as? Int ?? 0
        #expect(perPeer > 1_000 && perPeer < 1_000_000, "a plausible figure: \(perPeer)")
    }

    /// `--defaults` loads serve as README shows it (--psk, --echo, a line per peer).
    @Test func theDefaultFlagsServerIsLoaded() throws {
        let p = try Subprocess(Tools.dtlsh, ["bench", "--json", "--defaults", "--mode", "handshake", "--count", "40", "--concurrency", "8"])
        #expect(p.waitExit(timeout: 60) == 0, "\(p.stdout)\(p.stderr)")
        #expect(p.stdout.contains("\"server\":\"dtlsh serve (default flags)\""), "\(p.stdout)")
        let object = try JSONSerialization.jsonObject(with: Data(p.stdout.utf8)) as? [String: Any]
        let rows = try #require(object?["scenarios"] as? [[String: Any]])
        #expect(rows.first?["completed"] as? Int == 40)
        #expect(rows.first?["failed"] as? Int == 0)
    }

    /// The same scenarios against a serve worker on a thread of the bench:
    /// the counts add up, and the worker thread's CPU time is read.
    @Test func anInProcessServerIsMeasuredByItsThread() throws {
        let rows = try Self.run(["--in-process", "--mode", "all", "--count", "40", "--concurrency", "8", "--peers", "4",
                                 "--messages", "20", "--hold", "20", "--hold-seconds", "0.2"])
        let byName = Dictionary(uniqueKeysWithValues: rows.map { ($0["scenario"] as? String ?? "?", $0) })
        #expect(byName["handshake"]?["completed"] as? Int == 40)
        #expect(byName["echo 1000 B"]?["completed"] as? Int == 80)
        #expect(byName["hold"]?["completed"] as? Int == 20)
        #expect(byName["raw UDP echo 1000 B (no DTLS)"] == nil, "the UDP floor is a child's figure")
        for row in rows {
            #expect(row["failed"] as? Int == 0)
            #expect((row["server_cpu_seconds"] as? Double ?? 0) > 0, "the worker thread's CPU time was read")
        }
        let p = try Subprocess(Tools.dtlsh, ["bench", "--in-process", "--target", "127.0.0.1:9"])
        #expect(p.waitExit(timeout: 10) == 2, "--in-process and --target do not go together")
        #expect(p.stderr.contains("--in-process"))
    }

    @Test func certificateHandshakes() throws {
        let rows = try Self.run(["--mode", "handshake", "--credential", "cert", "--count", "20", "--concurrency", "4"])
        #expect(rows.first?["completed"] as? Int == 20)
    }

    /// The counting allocator sees the serve child's every allocation: a
    /// handshake makes hundreds (most of them OpenSSL's), and held peers grow
    /// the live heap.
    @Test func theCounterCountsTheServersAllocations() throws {
        let counter = try BenchTools.build("Benchmarks/AllocationCounter/allocation-counter.c", shared: true)
        let rows = try Self.run(["--mode", "all", "--count", "50", "--peers", "4", "--messages", "50", "--hold", "20",
                                 "--hold-seconds", "0.2", "--allocations", counter])
        let byName = Dictionary(uniqueKeysWithValues: rows.map { ($0["scenario"] as? String ?? "?", $0) })
        let handshakes = try #require(byName["handshake"])
        #expect(handshakes["completed"] as? Int == 50)
        let perHandshake = Double(handshakes["server_allocations"] as? Int ?? 0) / 50
        #expect(perHandshake > 50, "the counter counts: \(perHandshake) allocations per handshake")
        #expect(byName["echo 1000 B"]?["datagrams"] as? Int == 400, "each echo is one datagram each way")
        let hold = try #require(byName["hold"])
        #expect((hold["server_heap_growth"] as? Int ?? 0) > 20 * 1_000, "the live heap grows with held peers")
    }

    /// Once peers are established an echo allocates nothing on the server:
    /// no heap allocation per datagram on the hot path (an optimized build;
    /// make test passes its dtlsh in DTLSH_RELEASE_BINARY). A change that
    /// allocates per datagram fails here.
    @Test(.enabled(if: ProcessInfo.processInfo.environment["DTLSH_RELEASE_BINARY"] != nil))
    func echoesAllocateNothingPerDatagram() throws {
        let release = try #require(ProcessInfo.processInfo.environment["DTLSH_RELEASE_BINARY"])
        let counter = try BenchTools.build("Benchmarks/AllocationCounter/allocation-counter.c", shared: true)
        let p = try Subprocess(release, ["bench", "--json", "--mode", "echo", "--peers", "4", "--messages", "1000",
                                         "--allocations", counter])
        #expect(p.waitExit(timeout: 60) == 0, "\(p.stdout)\(p.stderr)")
        let object = try JSONSerialization.jsonObject(with: Data(p.stdout.utf8)) as? [String: Any]
        let echo = try #require((object?["scenarios"] as? [[String: Any]])?.first)
        #expect(echo["completed"] as? Int == 4000)
        #expect(echo["datagrams"] as? Int == 8000)
        let allocations = try #require(echo["server_allocations"] as? Int)
        // A handful at most, from the loop's first turns; one per datagram would be 8000.
        #expect(allocations <= 40, "\(allocations) allocations for 8000 datagrams")
    }

    /// An optimized serve reaps every finished peer inside its loop, where
    /// it holds its peers unretained: each close must leave the peer alive
    /// until the turn is over (a debug build's extra retains would hide a
    /// peer freed too early; this build crashed on the first close then).
    @Test(.enabled(if: ProcessInfo.processInfo.environment["DTLSH_RELEASE_BINARY"] != nil))
    func anOptimizedServerReapsPeersUnderLoad() throws {
        let release = try #require(ProcessInfo.processInfo.environment["DTLSH_RELEASE_BINARY"])
        let p = try Subprocess(release, ["bench", "--json", "--mode", "all", "--count", "400", "--concurrency", "16",
                                         "--peers", "8", "--messages", "200", "--hold", "50", "--hold-seconds", "0.2",
                                         "--deadline", "20"])
        #expect(p.waitExit(timeout: 60) == 0, "\(p.stdout)\(p.stderr)")
        let object = try JSONSerialization.jsonObject(with: Data(p.stdout.utf8)) as? [String: Any]
        let rows = try #require(object?["scenarios"] as? [[String: Any]])
        let byName = Dictionary(uniqueKeysWithValues: rows.map { ($0["scenario"] as? String ?? "?", $0) })
        #expect(byName["handshake"]?["completed"] as? Int == 400)
        #expect(byName["echo 1000 B"]?["completed"] as? Int == 1600)
        #expect(byName["hold"]?["completed"] as? Int == 50)
        for row in rows { #expect(row["failed"] as? Int == 0, "\(row)") }
    }

    /// --reference loads the C reference server with the same scenarios and
    /// puts the two side by side.
    @Test func comparisonWithTheReferenceServer() throws {
        let reference = try BenchTools.build("Benchmarks/Reference/dtls-reference-server.c", shared: false)
        let p = try Subprocess(Tools.dtlsh, ["bench", "--mode", "handshake", "--count", "40", "--concurrency", "4",
                                             "--reference", reference])
        #expect(p.waitExit(timeout: 60) == 0, "\(p.stdout)\(p.stderr)")
        #expect(p.stdout.contains("dtlsh serve against dtls-reference-server"))
        #expect(p.stdout.components(separatedBy: "completed        40 handshakes, 0 failed").count == 3, "\(p.stdout)")
        #expect(p.stdout.contains("handshake: handshakes per server-CPU-second"))
    }
}

/// Builds the bench's C helpers from the repository, once per test process.
enum BenchTools {
    nonisolated(unsafe) private static var built: [String: String] = [:]
    private static let lock = NSLock()

    static func build(_ source: String, shared: Bool) throws -> String {
        lock.lock()
        defer { lock.unlock() }
        if let path = built[source] { return path }
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("dtlsh-bench-tools-\(getpid())")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        let name = URL(fileURLWithPath: source).deletingPathExtension().lastPathComponent
        let out = dir.appendingPathComponent(shared ? "lib\(name).so" : name).path
        let compiler = try #require(Tools.which("cc") ?? Tools.which("clang"), "a C compiler (make test installs gcc)")
        var args = ["-std=c11", "-O2", "-o", out, root.appendingPathComponent(source).path]
        if shared {
            args = ["-shared", "-fPIC"] + args
        } else {
            let flags = try Subprocess("/usr/bin/pkg-config", ["--cflags", "--libs", "openssl"])
            #expect(flags.waitExit(timeout: 10) == 0)
            args += flags.stdout.split(separator: " ").map { $0.trimmingCharacters(in: .whitespacesAndNewlines) }.filter { !$0.isEmpty }
        }
        let cc = try Subprocess(compiler, args)
        #expect(cc.waitExit(timeout: 120) == 0, "\(cc.stderr)")
        built[source] = out
        return out
    }
}
