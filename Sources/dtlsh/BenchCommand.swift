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

    @Option(help: ArgumentHelp("Peers to hold open (hold mode).", valueName: "N"))
    var hold = 1000

    @Option(help: ArgumentHelp("Hold mode: keep the peers open this long before reading the server's memory (dtlsh releases an idle peer's record buffers after 1 s).",
                               valueName: "SECONDS"))
    var holdSeconds: Double = 3.5

    @Option(help: ArgumentHelp("Server to load; default: a dtlsh serve child process.", valueName: "HOST:PORT"))
    var target: String?

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

    @Option(help: ArgumentHelp("Preload this counting allocator into the server child (make bench builds it) and report its heap allocations per handshake, echo and datagram.",
                               valueName: "LIBRARY"))
    var allocations: String?

    @Flag(help: "Print one JSON object instead of a table.")
    var json = false

    func validate() throws {
        guard count > 0, concurrency > 0, peers > 0, messages >= 0, hold > 0 else {
            throw ValidationError("counts must be positive")
        }
        guard (1...16_000).contains(size) else { throw ValidationError("--size must be 1-16000") }
        guard holdSeconds >= 0, holdSeconds <= 600 else { throw ValidationError("--hold-seconds must be 0-600") }
        guard (1...64).contains(workers) else { throw ValidationError("--workers must be 1-64") }
        if target != nil && workers != 1 { throw ValidationError("--workers sets the serve child's; --target names another server") }
        if let rate, !(rate > 0 && rate.isFinite) { throw ValidationError("--rate must be a positive number") }
        if let target { do { _ = try SocketAddress(parsing: target) } catch { throw ValidationError("--target: \(error)") } }
        if let psk { do { _ = try TLSConfiguration.PSK(parsing: psk) } catch { throw ValidationError("\(error)") } }
        if target != nil && (server != nil || allocations != nil) {
            throw ValidationError("--server and --allocations are about the server child; --target names another server")
        }
        if server != nil && workers != 1 { throw ValidationError("--workers is dtlsh serve's; not with --server") }
        if let server, access(server, X_OK) != 0 { throw ValidationError("--server: \(server) is not an executable file") }
        if let allocations, access(allocations, R_OK) != 0 {
            throw ValidationError("--allocations: \(allocations) is not readable (make bench builds it)")
        }
    }

    func run() throws {
        let key = try psk.map(TLSConfiguration.PSK.init(parsing:)) ?? TLSConfiguration.PSK.demo
        let counter = try allocations.map { try AllocationCounter(library: $0) }
        let server: ServerProcess? = target == nil
            ? try ServerProcess.start(psk: key, credential: credential, workers: workers, program: self.server,
                                      environment: counter?.environment ?? [:])
            : nil
        defer { server?.stop() }
        let address = try target.map { try SocketAddress(parsing: $0) } ?? server!.address
        var tls = TLSConfiguration(psk: credential == .psk ? key : nil)
        if credential == .cert { tls.ciphers = "ECDHE-ECDSA-AES128-GCM-SHA256" }

        var report = BenchReport(mode: mode.rawValue, credential: credential.rawValue, target: address.description,
                                 serverPID: server?.pid, serverWorkers: server == nil ? nil : workers,
                                 serverName: server == nil ? nil : self.server.map { String($0.split(separator: "/").last ?? "") } ?? "dtlsh serve")
        report.counter = counter
        if mode == .handshake || mode == .all {
            let generator = LoadGenerator(target: address, tls: tls, mtu: 1400, timerInitial: 200)
            let before = server.flatMap { ProcessStats.of(pid: $0.pid) }
            report.mark(generator.engine)
            let r = try generator.handshakes(count: count, concurrency: concurrency, deadline: deadline, vanish: vanish, rate: rate)
            let after = server.flatMap { ProcessStats.of(pid: $0.pid) }
            report.add(vanish ? "handshake, clients vanish" : "handshake", r, unit: "handshakes", before, after, generator: generator.engine)
            generator.closeAll()
        }
        if mode == .echo || mode == .all {
            let generator = LoadGenerator(target: address, tls: tls, mtu: 1400, timerInitial: 200)
            let ready = try generator.establish(peers: peers, concurrency: concurrency, deadline: deadline)
            let before = server.flatMap { ProcessStats.of(pid: $0.pid) }
            report.mark(generator.engine)
            let r = try generator.echo(peers: ready, messages: messages, size: size, deadline: deadline)
            let after = server.flatMap { ProcessStats.of(pid: $0.pid) }
            report.add("echo \(size) B", r, unit: "echoes", before, after, generator: generator.engine)
            generator.closeAll()
        }
        if mode == .hold || mode == .all {
            let generator = LoadGenerator(target: address, tls: tls, mtu: 1400, timerInitial: 200)
            let before = server.flatMap { ProcessStats.of(pid: $0.pid) }
            report.mark(generator.engine)
            let start = generator.engine.now()
            let ready = try generator.establish(peers: hold, concurrency: concurrency, deadline: deadline)
            var r = LoadGenerator.Result()
            r.completed = ready.count
            r.failed = hold - ready.count
            r.seconds = generator.engine.now() - start
            // Held, as a quiet population would be: the loop runs (timers) and nothing is sent.
            let until = generator.engine.now() + holdSeconds
            generator.engine.run(until: { false }, timeout: max(0, until - generator.engine.now()))
            let after = server.flatMap { ProcessStats.of(pid: $0.pid) }
            report.add("hold", r, unit: "peers", before, after, perPeer: true, generator: generator.engine)
            generator.closeAll()
        }
        if (mode == .udp || mode == .all) && target == nil {
            let echo = try ServerProcess.start(arguments: ["udp-echo", "--bind", "127.0.0.1:0"], readyPrefix: "udp echo on ")
            defer { echo.stop() }
            let before = ProcessStats.of(pid: echo.pid)
            let r = try RawEcho.run(target: echo.address, peers: peers, messages: messages, size: size, deadline: deadline)
            let after = ProcessStats.of(pid: echo.pid)
            report.add("raw UDP echo \(size) B (no DTLS)", r, unit: "echoes", before, after)
        }
        if json {
            Output.line(report.json)
        } else {
            report.table.forEach(Output.line)
        }
        if report.anyFailed { throw CommandFailure.exit(1) }
    }
}

/// A `dtlsh serve --echo` child on a free loopback port.
final class ServerProcess {
    let process: Process
    let address: SocketAddress
    var pid: Int32 { process.processIdentifier }

    private init(process: Process, address: SocketAddress) {
        self.process = process
        self.address = address
    }

    /// `dtlsh serve --quiet` (a line per peer would be part of what is
    /// measured), or `program` given the flags every such server takes.
    static func start(psk: TLSConfiguration.PSK, credential: BenchCommand.Credential, workers: Int = 1,
                      program: String? = nil, environment: [String: String] = [:]) throws -> ServerProcess {
        var args = ["--bind", "127.0.0.1:0", "--echo"]
        if program == nil {
            args = ["serve"] + args + ["--quiet", "--max-peers", "100000", "--idle", "600", "--workers", String(workers)]
        }
        if credential == .psk { args += ["--psk", "\(psk.identity):\(Hex.encode(psk.key))"] }
        return try start(arguments: args, readyPrefix: "serving DTLS on ", program: program, environment: environment)
    }

    /// Starts `dtlsh ARGUMENTS` (or `program ARGUMENTS`) and reads its address
    /// from the line starting with `readyPrefix`.
    static func start(arguments: [String], readyPrefix prefix: String, program: String? = nil,
                      environment: [String: String] = [:]) throws -> ServerProcess {
        let p = Process()
        p.executableURL = program.map { URL(fileURLWithPath: $0) } ?? URL(fileURLWithPath: "/proc/self/exe").resolvingSymlinksInPath()
        p.arguments = arguments
        if !environment.isEmpty {
            p.environment = ProcessInfo.processInfo.environment.merging(environment) { $1 }
        }
        let out = Pipe()
        p.standardOutput = out
        p.standardError = FileHandle.nullDevice
        try p.run()
        // A line names the address: "serving DTLS on 127.0.0.1:PORT: …", "udp echo on 127.0.0.1:PORT".
        var text = ""
        for _ in 0..<64 where !text.split(separator: "\n", omittingEmptySubsequences: false).dropLast().contains(where: { $0.hasPrefix(prefix) }) {
            let d = out.fileHandleForReading.availableData
            if d.isEmpty { break }
            text += String(decoding: d, as: UTF8.self)
        }
        guard let line = text.split(separator: "\n").first(where: { $0.hasPrefix(prefix) }) else {
            p.terminate()
            throw CommandFailure.runtime("the \(program ?? arguments[0]) child did not start")
        }
        let rest = line.dropFirst(prefix.count)
        var address = String(rest.prefix { $0 != " " })
        if address.hasSuffix(":") { address.removeLast() }
        // Drain its output so it never blocks on a full pipe.
        out.fileHandleForReading.readabilityHandler = { h in _ = h.availableData }
        return ServerProcess(process: p, address: try SocketAddress(parsing: address))
    }

    func stop() {
        guard process.isRunning else { return }
        process.interrupt()
        process.waitUntilExit()
    }
}
