import DTLSPlex
import DTLSShell

/// The figures of a bench run, as a table for a person or one JSON object.
struct BenchReport {
    struct Row {
        var scenario: String
        var unit: String
        var result: LoadGenerator.Result
        var serverCPU: Double?
        var rssBefore: Int?
        var rssAfter: Int?
        /// Minor page faults the server took during the scenario.
        var pageFaults: Int?
        var perPeer: Bool
        /// Heap allocations the server made during the scenario (--allocations).
        var allocations: Int?
        /// Datagrams the load generator sent and received during it.
        var datagrams: Int?
        /// How much the server's live heap grew during it (--allocations).
        var heapGrowth: Int?

        /// One of the unit: "handshake", "echo", "peer".
        var singular: String {
            switch unit {
            case "echoes": "echo"
            case let u where u.hasSuffix("s"): String(u.dropLast())
            default: unit
            }
        }
    }

    var mode: String
    var credential: String
    var target: String
    var serverPID: Int32?
    /// The serve child's worker threads; nil for a --target server.
    var serverWorkers: Int?
    /// What the server child is: "dtlsh serve" or the --server program's name.
    var serverName: String?
    var rows: [Row] = []
    var counter: AllocationCounter?
    /// How many runs each row is the median of.
    var runs = 1
    /// The server was a worker on a thread of the bench (`--in-process`).
    var inProcess = false
    /// Allocation count and datagram count where the next scenario starts.
    var startMarks: (counts: AllocationCounter.Counts?, datagrams: Int)?

    /// Notes where a scenario starts: the server's allocations so far, the
    /// generator's datagrams so far.
    mutating func mark(_ generator: Engine) {
        let s = generator.statistics
        startMarks = (counter?.read(), s.datagramsIn + s.datagramsOut)
    }

    var anyFailed: Bool { rows.contains { $0.result.failed > 0 || $0.result.completed == 0 } }

    mutating func add(_ scenario: String, _ r: LoadGenerator.Result, unit: String,
                      _ before: ProcessStats?, _ after: ProcessStats?, perPeer: Bool = false, generator: Engine? = nil) {
        var row = Row(scenario: scenario, unit: unit, result: r,
                      serverCPU: before.flatMap { b in after.map { $0.cpuSeconds - b.cpuSeconds } },
                      rssBefore: before?.rssBytes, rssAfter: after?.rssBytes,
                      pageFaults: before.flatMap { b in after.map { $0.pageFaults - b.pageFaults } }, perPeer: perPeer)
        if let marks = startMarks, let generator {
            let s = generator.statistics
            row.datagrams = s.datagramsIn + s.datagramsOut - marks.datagrams
            if let c0 = marks.counts, let c1 = counter?.read() {
                row.allocations = c1.allocations - c0.allocations
                row.heapGrowth = Int(Int64(bitPattern: c1.liveBytes &- c0.liveBytes))
            }
        }
        startMarks = nil
        rows.append(row)
    }

    private static func fixed(_ d: Double, _ places: Int = 1) -> String {
        let scale = [1.0, 10, 100, 1000][min(places, 3)]
        let v = (d * scale).rounded() / scale
        return places == 0 ? String(Int(v)) : String(v)
    }

    var table: [String] {
        let child = inProcess ? " (a serve worker in this process, a new one per scenario; RSS counts the load generator too)"
            : serverPID.map { _ in
                let w = serverWorkers ?? 1
                return " (\(serverName ?? "dtlsh serve")" + (w > 1 ? ", \(w) workers" : "") + ", a new child process per scenario)"
            }
        var out = ["dtlsh bench — \(credential.uppercased()) against \(target)" + (child ?? "")
                   + (runs > 1 ? "; each scenario the median of \(runs) runs" : "")]
        for row in rows {
            let r = row.result
            out.append("")
            out.append("\(row.scenario):")
            out.append("  completed        \(r.completed) \(row.unit), \(r.failed) failed, in \(Self.fixed(r.seconds, 2)) s")
            if !row.perPeer, r.seconds > 0 {
                out.append("  rate             \(Self.fixed(Double(r.completed) / r.seconds, 0)) \(row.unit)/s (wall clock)")
            }
            if let p50 = r.percentile(0.5), let p99 = r.percentile(0.99) {
                out.append("  latency          p50 \(Self.fixed(p50 * 1000, 2)) ms, p99 \(Self.fixed(p99 * 1000, 2)) ms")
            }
            if let cpu = row.serverCPU, cpu > 0, !row.perPeer {
                out.append("  server CPU       \(Self.fixed(cpu, 2)) s → \(Self.fixed(Double(r.completed) / cpu, 0)) \(row.unit) per server-CPU-second")
            }
            if let f = row.pageFaults, !row.perPeer, r.completed > 0 {
                out.append("  server faults    \(f) minor page faults: \(Self.fixed(Double(f) / Double(r.completed), 2)) per \(row.singular)")
            }
            if let n = row.allocations, r.completed > 0 {
                let perDatagram = row.datagrams.map { $0 > 0 ? ", \(Self.fixed(Double(n) / Double($0), 2)) per datagram" : "" } ?? ""
                out.append("  server heap      \(n) allocations: \(Self.fixed(Double(n) / Double(r.completed), 2)) per \(row.singular)"
                           + perDatagram)
            }
            if row.perPeer, let g = row.heapGrowth, r.completed > 0 {
                out.append("  server heap      \(g / 1024) KB more in use, \(g / r.completed) bytes per established peer")
            }
            if let b = row.rssBefore, let a = row.rssAfter {
                out.append("  server RSS       \(b / 1024) KB → \(a / 1024) KB"
                           + (row.perPeer && r.completed > 0 ? ", \((a - b) / r.completed) bytes per established peer" : ""))
            }
        }
        return out
    }

    var json: String {
        var top = JSONWriter()
        top.add("mode", mode)
        top.add("credential", credential)
        top.add("target", target)
        if let serverPID { top.add("server_pid", Int(serverPID)) }
        if let serverWorkers { top.add("server_workers", serverWorkers) }
        if let serverName { top.add("server", inProcess ? "\(serverName), in process" : serverName) }
        top.add("runs", runs)
        let items = rows.map { row -> String in
            var j = JSONWriter()
            let r = row.result
            j.add("scenario", row.scenario)
            j.add("unit", row.unit)
            j.add("completed", r.completed)
            j.add("failed", r.failed)
            j.add("seconds", r.seconds)
            j.add("rate_per_second", r.seconds > 0 ? Double(r.completed) / r.seconds : nil)
            j.add("latency_p50_ms", r.percentile(0.5).map { $0 * 1000 })
            j.add("latency_p99_ms", r.percentile(0.99).map { $0 * 1000 })
            j.add("server_cpu_seconds", row.serverCPU)
            j.add("per_server_cpu_second", row.serverCPU.flatMap { $0 > 0 ? Double(r.completed) / $0 : nil })
            j.add("server_rss_before", row.rssBefore.map(Double.init))
            j.add("server_rss_after", row.rssAfter.map(Double.init))
            if let f = row.pageFaults { j.add("server_page_faults", f) }
            if let d = row.datagrams { j.add("datagrams", d) }
            if let a = row.allocations { j.add("server_allocations", a) }
            if let g = row.heapGrowth { j.add("server_heap_growth", g) }
            if row.perPeer, let a = row.rssAfter, let b = row.rssBefore, r.completed > 0 {
                j.add("bytes_per_peer", (a - b) / r.completed)
            }
            return j.string
        }
        top.addRaw("scenarios", "[" + items.joined(separator: ",") + "]")
        return top.string
    }
}
