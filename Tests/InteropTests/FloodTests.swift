import DTLSPlex
import Foundation
import SubprocessSupport
import Testing

/// A plain non-blocking UDP socket, for spoofing many sources. Flood sources
/// sit on 127.0.1.N (loopback all the same), so that no real client — on
/// 127.0.0.1 — can ever share an address with one; a new N every 20000
/// sources, since one address has only some 28000 ephemeral ports.
struct RawUDP {
    static let floodPrefix = "127.0.1."
    static let perHost = 20_000
    let fd: Int32
    let port: UInt16
    let host: String

    init?(host: String) {
        self.host = host
        let fd = socket(AF_INET, Int32(SOCK_DGRAM.rawValue) | Int32(SOCK_NONBLOCK.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        guard fd >= 0 else { return nil }
        var addr = sockaddr_in()
        addr.sin_family = sa_family_t(AF_INET)
        addr.sin_addr.s_addr = inet_addr(host)
        let bound = withUnsafePointer(to: &addr) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let named = withUnsafeMutablePointer(to: &addr) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &length) }
        }
        guard bound == 0, named == 0 else {
            _ = Glibc.close(fd)
            return nil
        }
        self.fd = fd
        self.port = UInt16(bigEndian: addr.sin_port)
    }

    func send(_ bytes: [UInt8], toPort port: UInt16) -> Bool {
        var to = sockaddr_in()
        to.sin_family = sa_family_t(AF_INET)
        to.sin_addr.s_addr = inet_addr("127.0.0.1")
        to.sin_port = port.bigEndian
        return bytes.withUnsafeBytes { b in
            withUnsafePointer(to: &to) {
                $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { sendto(fd, b.baseAddress, b.count, 0, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
            }
        } == bytes.count
    }

    /// Every datagram waiting, without blocking.
    func receiveAll() -> [[UInt8]] {
        var out: [[UInt8]] = []
        var buffer = [UInt8](repeating: 0, count: 2048)
        for _ in 0..<16 {
            let n = recv(fd, &buffer, buffer.count, 0)
            if n < 0 { break }
            out.append(Array(buffer[0..<n]))
        }
        return out
    }

    func close() { _ = Glibc.close(fd) }
}

/// Resident memory of a process, from /proc.
func residentBytes(_ pid: Int32) -> Int? {
    guard let status = try? String(contentsOfFile: "/proc/\(pid)/status", encoding: .utf8),
          let line = status.split(separator: "\n").first(where: { $0.hasPrefix("VmRSS:") }),
          let kb = Int(line.split(separator: " ").dropFirst().first ?? "")
    else { return nil }
    return kb * 1024
}

/// A `dtlsh serve --json` child on a free loopback port.
final class ServeChild {
    let process: Subprocess
    let port: UInt16
    var pid: Int32 { process.process.processIdentifier }

    init(_ extra: [String]) throws {
        process = try Subprocess(Tools.dtlsh, ["serve", "--bind", "127.0.0.1:0", "--json",
                                               "--psk", "\(Tools.pskIdentity):\(Tools.pskHex)"] + extra)
        try #require(process.waitFor("\"socket_opened\""), "serve did not start: \(process.stderr)")
        let opened = Observe.objects(process.stdout).first { $0["event"] as? String == "socket_opened" }
        let address = try #require(opened?["address"] as? String)
        port = try #require(UInt16(address.split(separator: ":").last ?? ""))
    }

    var events: [Observe.Object] { Observe.objects(process.stdout) }

    /// The events of one kind only: a flood prints hundreds of thousands of lines.
    func events(_ name: String) -> [Observe.Object] {
        let tag = "\"event\":\"\(name)\""
        return Observe.objects(process.stdout.split(separator: "\n").filter { $0.contains(tag) }.joined(separator: "\n"))
    }

    /// SIGINT: close_notify to everyone, the totals line, exit 0.
    func stop() throws -> Observe.Object {
        process.signal(SIGINT)
        let status = process.waitExitOrKill(timeout: 30)
        #expect(status == 0, "serve exited \(status.map(String.init) ?? "only when killed"): \(process.stderr)")
        return try #require(events("totals").last)
    }
}

/// A spoofed-source flood of cookie-less ClientHellos against `dtlsh serve`:
/// no state (0 peers for any flood source), no memory (RSS growth under
/// 2 MB), no amplification (every answer a HelloVerifyRequest no larger
/// than the hello), and the real clients get through meanwhile.
@Suite struct FloodTests {
    static let hellos = ProcessInfo.processInfo.environment["DTLSH_FLOOD_HELLOS"].flatMap { Int($0) } ?? 10_000
    static let batch = 500

    /// Real first ClientHellos (PSK and certificate offers), from a client engine's first step.
    static func clientHellos(to port: UInt16) throws -> [[UInt8]] {
        var out: [[UInt8]] = []
        for tls in [TLSConfiguration(psk: .init(identity: Tools.pskIdentity, key: Array(repeating: 7, count: 16))), TLSConfiguration()] {
            let e = Engine(settings: Engine.Settings(tls: tls))
            let s = try e.openSocket(name: "x", bind: try SocketAddress(parsing: "127.0.0.1:0"), accepting: false)
            let p = try e.connect(name: "p", socket: s, to: try SocketAddress(parsing: "127.0.0.1:\(port)"))
            e.step(p)
            out.append(try #require(p.outboundQueue.first))
        }
        return out
    }

    /// Room for a batch of sockets besides whatever else the test process holds.
    static func raiseFileLimit() {
        var limit = rlimit()
        guard getrlimit(Int32(RLIMIT_NOFILE.rawValue), &limit) == 0, limit.rlim_cur < 4096 else { return }
        limit.rlim_cur = min(limit.rlim_max, 4096)
        setrlimit(Int32(RLIMIT_NOFILE.rawValue), &limit)
    }

    /// Sends each of `count` hellos from its own fresh source port, `batch`
    /// sockets at a time, and collects the answers.
    static func flood(port: UInt16, hellos: [[UInt8]], count: Int, usedSources: inout Set<String>)
        -> (sent: Int, answered: Int, notHelloVerify: Int, larger: Int, largestAnswer: Int)
    {
        var sent = 0, answered = 0, notHelloVerify = 0, larger = 0, largest = 0
        while sent < count {
            var sockets: [(RawUDP, [UInt8])] = []
            var attempts = 0
            let host = RawUDP.floodPrefix + String(usedSources.count / RawUDP.perHost + 1)
            while sockets.count < min(batch, count - sent) && attempts < batch * 4 {
                attempts += 1
                guard let s = RawUDP(host: host) else { break }
                // Distinct sources: an address and port seen before is closed and another taken.
                guard usedSources.insert("\(host):\(s.port)").inserted else { s.close(); continue }
                sockets.append((s, hellos[(sent + sockets.count) % hellos.count]))
            }
            // Bounded: no fresh source to be had ends the flood short (and the test fails on the count).
            if sockets.isEmpty { break }
            for (s, hello) in sockets where s.send(hello, toPort: port) { sent += 1 }
            var waiting = Set(sockets.indices)
            let end = Date().addingTimeInterval(10)
            while !waiting.isEmpty && Date() < end {
                for i in waiting {
                    let answers = sockets[i].0.receiveAll()
                    guard !answers.isEmpty else { continue }
                    waiting.remove(i)
                    for a in answers {
                        answered += 1
                        largest = max(largest, a.count)
                        // record header (13), then the handshake type: 3 is HelloVerifyRequest.
                        if !(a.count > 13 && a[0] == 22 && a[13] == 3) { notHelloVerify += 1 }
                        if a.count > sockets[i].1.count { larger += 1 }
                    }
                }
                if !waiting.isEmpty { Thread.sleep(forTimeInterval: 0.002) }
            }
            sockets.forEach { $0.0.close() }
        }
        return (sent, answered, notHelloVerify, larger, largest)
    }

    @Test func spoofedClientHelloFlood() throws {
        let testStarted = Date()
        Self.raiseFileLimit()
        let server = try ServeChild(["--echo"])
        defer { if server.process.process.isRunning { server.process.signal(SIGKILL) } }
        let hellos = try Self.clientHellos(to: server.port)
        var used = Set<String>()
        let psk = "\(Tools.pskIdentity):\(Tools.pskHex)"
        let target = "127.0.0.1:\(server.port)"

        // Warm-up: the listener SSL, malloc's arenas, a few real handshakes.
        _ = Self.flood(port: server.port, hellos: hellos, count: Self.batch, usedSources: &used)
        let warm = try Subprocess(Tools.dtlsh, ["bench", "--mode", "handshake", "--count", "50", "--concurrency", "4",
                                                "--target", target, "--psk", psk, "--json"])
        #expect(warm.waitExitOrKill(timeout: 60) == 0, "\(warm.stdout)\(warm.stderr)")
        let rssBefore = try #require(residentBytes(server.pid))
        // serve writes to a pipe at most 50 ms late: the warm-up's peers first.
        #expect(server.process.waitFor(timeout: 5) { _ in server.events("peer_created").count >= 50 })
        let peersBefore = server.events("peer_created").count

        // Real clients during the flood: a load generator and a few dtlsh connect.
        let legitimate = 200
        let bench = try Subprocess(Tools.dtlsh, ["bench", "--mode", "handshake", "--count", "\(legitimate)", "--concurrency", "4",
                                                 "--target", target, "--psk", psk, "--json", "--deadline", "60"])
        var connects: [Subprocess] = []
        let started = Date()
        var flooded = (sent: 0, answered: 0, notHelloVerify: 0, larger: 0, largestAnswer: 0)
        // At least the planned number, and on until every real client is done (bounded).
        while flooded.sent < Self.hellos || ((bench.process.isRunning || connects.contains { $0.process.isRunning })
                                             && flooded.sent < Self.hellos * 4) {
            let r = Self.flood(port: server.port, hellos: hellos, count: Self.batch * 2, usedSources: &used)
            if r.sent == 0 { break }
            flooded = (flooded.sent + r.sent, flooded.answered + r.answered, flooded.notHelloVerify + r.notHelloVerify,
                       flooded.larger + r.larger, max(flooded.largestAnswer, r.largestAnswer))
            if connects.count < 3 {
                connects.append(try Subprocess(Tools.dtlsh, ["connect", target, "--psk", psk, "--send", "during the flood \(connects.count)"]))
            }
        }
        let floodSeconds = Date().timeIntervalSince(started)
        let clientsDoneDuringFlood = !bench.process.isRunning && connects.allSatisfy { !$0.process.isRunning }
        let rssAfter = try #require(residentBytes(server.pid))
        #expect(bench.waitExitOrKill(timeout: 90) == 0, "bench: \(bench.stdout)\(bench.stderr)")
        let benchRow = (Observe.objects(bench.stdout).first?["scenarios"] as? [Observe.Object])?.first
        let completed = benchRow?["completed"] as? Int ?? -1
        for (i, c) in connects.enumerated() {
            #expect(c.waitExitOrKill(timeout: 30) == 0, "connect \(i): \(c.stderr)")
            #expect(c.stdout.contains("during the flood \(i)"), "connect \(i) got no echo: \(c.stdout)")
        }

        let totals = try server.stop()
        let created = server.events("peer_created")
        let fromFlood = created.filter { ($0["address"] as? String)?.hasPrefix(RawUDP.floodPrefix) == true }
        let growth = rssAfter - rssBefore
        print("flood: \(flooded.sent) spoofed ClientHellos from \(used.count) sources (\(RawUDP.floodPrefix)N:port) in \(String(format: "%.1f", floodSeconds)) s "
              + "(\(Int(Double(flooded.sent) / max(floodSeconds, 1e-9))) /s); \(flooded.answered) answers, all HelloVerifyRequests: "
              + "\(flooded.notHelloVerify == 0), largest \(flooded.largestAnswer) B for hellos of \(hellos.map(\.count)) B; "
              + "\(fromFlood.count) peers for flood sources; server RSS \(rssBefore / 1024) KB → \(rssAfter / 1024) KB "
              + "(\(growth >= 0 ? "+" : "")\(growth / 1024) KB); during it \(completed) of \(legitimate) bench handshakes "
              + "and \(connects.count) dtlsh connect completed; totals \(totals["peers_created"] ?? "?") peers created, "
              + "\(totals["cookies_sent"] ?? "?") cookies sent; \(String(format: "%.1f", Date().timeIntervalSince(testStarted))) s in all")
        #expect(flooded.sent >= Self.hellos)
        #expect(clientsDoneDuringFlood, "the real clients were still at it after \(flooded.sent) hellos")
        #expect(fromFlood.isEmpty, "peers made for flood sources: \(fromFlood.prefix(3))")
        #expect(created.count - peersBefore == legitimate + connects.count, "only the real clients became peers")
        #expect(flooded.notHelloVerify == 0)
        #expect(flooded.larger == 0, "an answer larger than the hello it answers")
        #expect(flooded.answered >= flooded.sent * 99 / 100, "\(flooded.answered) answers to \(flooded.sent) hellos")
        #expect(growth < 2 << 20, "server RSS grew \(growth / 1024) KB during the flood")
        #expect(completed == legitimate, "bench: \(bench.stdout)")
    }
}
