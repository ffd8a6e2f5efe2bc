import ArgumentParser
import DTLSPlex
import DTLSShell
import DTLSWire
import Foundation

/// `dtlsh bench`: load on a DTLS server — by default a `dtlsh serve` child
/// process, so its CPU time and memory can be read and figures come out per
/// server-CPU-second and per peer.
struct BenchCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "bench",
        abstract: "Benchmark the engine: handshakes/s, echoes/s, memory per peer.")

    enum Mode: String, ExpressibleByArgument, CaseIterable {
        case handshake, echo, hold, udp, all
    }

    enum Credential: String, ExpressibleByArgument, CaseIterable {
        case psk, cert
    }

    @Option(help: "handshake, echo, hold, udp (a raw UDP echo, the baseline) or all.")
    var mode: Mode = .all

    @Option(help: "Credentials: psk or cert (ECDHE-ECDSA with the in-memory certificate).")
    var credential: Credential = .psk

    @Option(help: ArgumentHelp("Handshakes to run (handshake mode).", valueName: "N"))
    var count = 2000

    @Option(help: ArgumentHelp("Handshakes or peers in flight at once.", valueName: "C"))
    var concurrency = 32

    @Option(help: ArgumentHelp("Established peers that echo (echo mode).", valueName: "P"))
    var peers = 32

    @Option(help: ArgumentHelp("Messages per peer, each waiting for its echo.", valueName: "M"))
    var messages = 500

    @Option(help: ArgumentHelp("Message size in bytes.", valueName: "S"))
    var size = 1000

    @Option(help: ArgumentHelp("Peers to hold open (hold mode); repeat for several populations.", valueName: "N"))
    var hold: [Int] = [1000]

    @Option(help: ArgumentHelp("Hold mode: keep the peers open this long before reading the server's memory (dtlsh releases an idle peer's record buffers after 1 s).",
                               valueName: "SECONDS"))
    var holdSeconds: Double = 3.5

    @Option(help: ArgumentHelp("Server to load; default: a dtlsh serve child process.", valueName: "HOST:PORT"))
    var target: String?

    @Flag(help: "Load a serve worker on a thread of the bench itself instead of a child process: CPU time and page faults are its thread's, memory the whole process's.")
    var inProcess = false

    @Option(help: ArgumentHelp("Pre-shared key for --target.", valueName: "IDENTITY:HEXKEY"))
    var psk: String?

    @Option(help: ArgumentHelp("Worker threads of the serve child (serve --workers); not with --target.", valueName: "N"))
    var workers = 1

    @Flag(help: "Handshake mode: clients vanish once established (no close_notify; new source port each), leaving the server to evict them.")
    var vanish = false

    @Option(help: ArgumentHelp("Handshake mode: begin at most this many handshakes per second.", valueName: "PER_SECOND"))
    var rate: Double?

    @Option(help: ArgumentHelp("Give up after this long per scenario.", valueName: "SECONDS"))
    var deadline: Double = 120

    @Option(help: ArgumentHelp("Run this program as the server child instead of dtlsh serve: it takes serve's --bind, --echo and --psk flags and prints 'serving DTLS on HOST:PORT' (the C reference does: make reference).",
                               valueName: "PROGRAM"))
    var server: String?

    @Flag(help: "Load dtlsh serve as README shows it (serve --psk ID:KEY --echo: PSK suites only, a line per peer to a log file) instead of the tuned bench server (--quiet); with --reference, beside it.")
    var defaults = false

    /// The `program` that stands for `dtlsh serve` with its default flags.
    static let defaultFlagsServer = "dtlsh serve (default flags)"

    @Option(help: ArgumentHelp("Run every scenario also against this server program (as --server) and print the two side by side: the C reference (make reference).",
                               valueName: "PROGRAM"))
    var reference: String?

    @Option(help: ArgumentHelp("Preload this counting allocator into the server child (make bench builds it) and report its heap allocations per handshake, echo and datagram.",
                               valueName: "LIBRARY"))
    var allocations: String?

    @Option(help: ArgumentHelp("Run everything this many times (alternating with --reference) and report each scenario's median run.",
                               valueName: "N"))
    var runs = 1

    @Flag(help: "Print one JSON object instead of a table.")
    var json = false

    func validate() throws {
        guard count > 0, concurrency > 0, peers > 0, messages >= 0, !hold.isEmpty, hold.allSatisfy({ $0 > 0 }) else {
            throw ValidationError("counts must be positive")
        }
        guard (1...16_000).contains(size) else { throw ValidationError("--size must be 1-16000") }
        guard (1...25).contains(runs) else { throw ValidationError("--runs must be 1-25") }
        guard holdSeconds >= 0, holdSeconds <= 600 else { throw ValidationError("--hold-seconds must be 0-600") }
        guard (1...64).contains(workers) else { throw ValidationError("--workers must be 1-64") }
        if target != nil && workers != 1 { throw ValidationError("--workers sets the serve child's; --target names another server") }
        if inProcess && (target != nil || server != nil || reference != nil || allocations != nil || workers != 1) {
            throw ValidationError("--in-process runs one serve worker here: not with --target, --server, --reference, --allocations or --workers")
        }
        if let rate, !(rate > 0 && rate.isFinite) { throw ValidationError("--rate must be a positive number") }
        if let target { do { _ = try SocketAddress(parsing: target) } catch { throw ValidationError("--target: \(error)") } }
        if let psk { do { _ = try TLSConfiguration.PSK(parsing: psk) } catch { throw ValidationError("\(error)") } }
        if target != nil && (server != nil || allocations != nil || reference != nil) {
            throw ValidationError("--server, --reference and --allocations are about the server child; --target names another server")
        }
        if let reference, access(reference, X_OK) != 0 { throw ValidationError("--reference: \(reference) is not an executable file") }
        if reference != nil && (server != nil || workers != 1) {
            throw ValidationError("--reference compares dtlsh serve (one worker) with another program: not with --server or --workers")
        }
        if server != nil && workers != 1 { throw ValidationError("--workers is dtlsh serve's; not with --server") }
        if let server, access(server, X_OK) != 0 { throw ValidationError("--server: \(server) is not an executable file") }
        if defaults && (server != nil || target != nil || inProcess || workers != 1) {
            throw ValidationError("--defaults runs dtlsh serve with its default flags: not with --server, --target, --in-process or --workers")
        }
        if let allocations, access(allocations, R_OK) != 0 {
            throw ValidationError("--allocations: \(allocations) is not readable (make bench builds it)")
        }
    }

    func run() throws {
        // With --runs, the two servers take turns, so drift in the machine's
        // speed falls on both; each scenario reports its median run.
        var firsts: [BenchReport] = [], seconds: [BenchReport] = []
        for _ in 0..<runs {
            firsts.append(try measure(program: defaults ? Self.defaultFlagsServer : server))
            if let reference { seconds.append(try measure(program: reference)) }
        }
        let first = BenchReport.median(firsts)
        let second = reference == nil ? nil : BenchReport.median(seconds)
        if json {
            Output.line(second.map { "{\"runs\":[\(first.json),\($0.json)]}" } ?? first.json)
        } else {
            first.table.forEach(Output.line)
            if let second {
                Output.line("")
                second.table.forEach(Output.line)
                Output.line("")
                BenchReport.comparison(first, second).forEach(Output.line)
            }
        }
        if first.anyFailed || second?.anyFailed == true { throw CommandFailure.exit(1) }
    }

    /// Every scenario of the mode against one server: the serve child, the
    /// `program` child, or --target.
    private func measure(program: String?) throws -> BenchReport {
        let key = try psk.map(TLSConfiguration.PSK.init(parsing:)) ?? TLSConfiguration.PSK.demo
        let counter = try allocations.map { try AllocationCounter(library: $0) }
        // A fresh child per scenario: what one scenario left in the server (its
        // heap, the kernel's socket state) does not colour the next one's figures.
        var server: BenchServer?
        defer { server?.stop() }
        func freshServer() throws -> SocketAddress {
            if let target { return try SocketAddress(parsing: target) }
            server?.stop()
            server = nil
            if inProcess {
                Engine.trimHeapOnlyOnSchedule()
                server = try InProcessServer.start(serveArguments: ServerProcess.serveArguments(psk: key, credential: credential))
            } else {
                server = try ServerProcess.start(psk: key, credential: credential, workers: workers, program: program,
                                                 environment: counter?.environment ?? [:])
            }
            return server!.address
        }
        var address = try freshServer()
        var tls = TLSConfiguration(psk: credential == .psk ? key : nil)
        if credential == .cert { tls.ciphers = "ECDHE-ECDSA-AES128-GCM-SHA256" }

        var report = BenchReport(mode: mode.rawValue, credential: credential.rawValue,
                                 target: target == nil ? "127.0.0.1" : address.description,
                                 serverPID: (server as? ServerProcess)?.pid, serverWorkers: server == nil ? nil : workers,
                                 serverName: server == nil ? nil : program.map { String($0.split(separator: "/").last ?? "") } ?? "dtlsh serve")
        report.inProcess = inProcess
        report.counter = counter
        func stats() -> ProcessStats? { server?.stats() }
        func newGenerator() -> LoadGenerator { LoadGenerator(target: address, tls: tls, mtu: 1400, timerInitial: 200) }
        var first = true
        func next() throws {
            if !first { address = try freshServer() }
            first = false
        }
        if mode == .handshake || mode == .all {
            try next()
            let generator = newGenerator()
            let before = stats()
            report.mark(generator.engine)
            let r = try generator.handshakes(count: count, concurrency: concurrency, deadline: deadline, vanish: vanish, rate: rate)
            report.add(vanish ? "handshake, clients vanish" : "handshake", r, unit: "handshakes", before, stats(), generator: generator.engine)
            generator.closeAll()
        }
        if mode == .echo || mode == .all {
            try next()
            let generator = newGenerator()
            let ready = try generator.establish(peers: peers, concurrency: concurrency, deadline: deadline)
            let before = stats()
            report.mark(generator.engine)
            let r = try generator.echo(peers: ready, messages: messages, size: size, deadline: deadline)
            report.add("echo \(size) B", r, unit: "echoes", before, stats(), generator: generator.engine)
            generator.closeAll()
        }
        if mode == .hold || mode == .all {
            for population in hold {
                try next()
                let generator = newGenerator()
                let before = stats()
                report.mark(generator.engine)
                let start = generator.engine.now()
                let ready = try generator.establish(peers: population, concurrency: concurrency, deadline: deadline)
                var r = LoadGenerator.Result()
                r.completed = ready.count
                r.failed = population - ready.count
                r.seconds = generator.engine.now() - start
                // Held, as a quiet population would be: the loop runs (timers) and nothing is sent.
                let until = generator.engine.now() + holdSeconds
                generator.engine.run(until: { false }, timeout: max(0, until - generator.engine.now()))
                report.add(hold.count > 1 ? "hold \(population)" : "hold", r, unit: "peers", before, stats(), perPeer: true,
                           generator: generator.engine)
                generator.closeAll()
            }
        }
        if (mode == .udp || mode == .all) && target == nil && program == nil && !inProcess {
            let echo = try ServerProcess.start(arguments: ["udp-echo", "--bind", "127.0.0.1:0"], readyPrefix: "udp echo on ")
            defer { echo.stop() }
            let before = ProcessStats.of(pid: echo.pid)
            let r = try RawEcho.run(target: echo.address, peers: peers, messages: messages, size: size, deadline: deadline)
            report.add("raw UDP echo \(size) B (no DTLS)", r, unit: "echoes", before, ProcessStats.of(pid: echo.pid))
        }
        return report
    }
}
