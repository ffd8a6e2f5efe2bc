import ArgumentParser
import DTLSPlex
import DTLSShell
import Glibc

/// `dtlsh serve`: many DTLS peers on one socket, without a person at the keys;
/// with `--workers N`, N engines on N threads, each with its own socket on the
/// same address (SO_REUSEPORT), sharing nothing but the cookie master key.
struct ServeCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "serve",
        abstract: "A non-interactive multiplex DTLS server.",
        discussion: """
            Every client that returns a valid cookie becomes a peer on the one socket. \
            SIGINT or SIGTERM sends close_notify to every peer, prints totals and exits 0.

            With --workers N, N threads each run an engine with its own socket bound to the \
            same address with SO_REUSEPORT; the kernel hashes each client's address and port to \
            one of them. Cookies come from one per-process master key, so a client whose second \
            ClientHello reaches another worker still passes. Worker 0's socket is named srv and \
            worker k's srv@k; peers are named after their socket (srv.1, srv@1.1, …), unique \
            across workers. --echo, --idle, --handshake-timeout and the credential flags apply \
            to every worker; --max-peers is per worker. --keylog gets every worker's lines; \
            --pcap needs --workers 1. The totals add up every worker's, then give each one's share.
            """)

    @Option(help: ArgumentHelp("Address to listen on.", valueName: "HOST:PORT"))
    var bind = "127.0.0.1:4433"

    @OptionGroup var options: EngineOptions

    @Flag(help: "Send every application message back to its sender.")
    var echo = false

    @Flag(help: "No line per peer: only the listening line, errors and the totals (for load).")
    var quiet = false

    @Option(help: ArgumentHelp("Most peers at once, per worker.", valueName: "N"))
    var maxPeers = 10_000

    @Option(help: ArgumentHelp("Most server peers still handshaking at once (cookie verified, not yet established).", valueName: "N"))
    var halfOpen = 1_000

    @Option(help: ArgumentHelp("Most of those one source address may hold (an IPv4 address, an IPv6 /64). Default: a quarter of --half-open.",
                               valueName: "N"))
    var halfOpenPerAddress: Int?

    @Option(help: ArgumentHelp("The cookie master key (mode 0600; hex, e.g. openssl rand -hex 32 > FILE): servers given the same file accept each other's cookies.",
                               valueName: "FILE"))
    var cookieKey: String?

    @Option(help: ArgumentHelp("Evict a peer after this long without a datagram.", valueName: "SECONDS"))
    var idle: Double = 300

    @Option(help: ArgumentHelp("Fail a handshake not done after this long.", valueName: "SECONDS"))
    var handshakeTimeout: Double = 30

    @Flag(help: "Skip the HelloVerifyRequest round: state for every ClientHello (not for exposed servers).")
    var noCookies = false

    @Option(help: ArgumentHelp("Threads, each with its own engine and socket on the address (SO_REUSEPORT); worker k's socket is srv@k (worker 0's srv).",
                               valueName: "N"))
    var workers = 1

    func validate() throws {
        do { _ = try SocketAddress(parsing: bind) } catch { throw ValidationError("--bind: \(error)") }
        guard maxPeers > 0 else { throw ValidationError("--max-peers must be at least 1") }
        guard halfOpen > 0 else { throw ValidationError("--half-open must be at least 1") }
        if let n = halfOpenPerAddress, n < 1 { throw ValidationError("--half-open-per-address must be at least 1") }
        guard idle > 0, handshakeTimeout > 0 else { throw ValidationError("--idle and --handshake-timeout must be positive") }
        guard (1...64).contains(workers) else { throw ValidationError("--workers must be 1-64") }
        if workers > 1, options.pcap != nil {
            throw ValidationError("--pcap writes one engine's capture: use --workers 1, or capture the port with tcpdump")
        }
    }

    /// What every worker builds its engine from: these flags as settings.
    /// `dtlsh bench --in-process` runs a worker from it too.
    func workerPlan() throws -> WorkerPlan {
        var tls = try options.tlsConfiguration()
        if options.credentials.servesPSKOnly, !options.insecure { tls.certificateSuites = false }
        var settings = Engine.Settings(tls: tls)
        settings.mtu = options.mtu
        settings.maxPeers = maxPeers
        settings.halfOpenLimit = halfOpen
        settings.halfOpenShare = halfOpenPerAddress
        if let cookieKey {
            do { settings.cookieMasterKey = try CookieKeyFile.load(cookieKey) } catch { throw CommandFailure.usage("--cookie-key: \(error)") }
        }
        settings.idleTimeout = idle
        settings.handshakeTimeout = handshakeTimeout
        settings.cookies = !noCookies
        settings.keepFinishedPeers = false
        settings.auto = true
        // Nobody will read a quiet or brief (--trace off) server's flights and
        // alerts: following them costs a PSK handshake 3 % of its instructions.
        // A failure's line still names OpenSSL's reason and the diagnosis.
        settings.followsMessages = !quiet && (options.json || options.traceLevel > .off)
        var plan = WorkerPlan(settings: settings, options: options, echo: echo, reusePort: workers > 1)
        plan.quiet = quiet
        return plan
    }

    func run() throws {
        Engine.trimHeapOnlyOnSchedule()
        let plan = try workerPlan()
        // Before any thread starts: the workers inherit the blocked signals, so
        // SIGINT/SIGTERM reach only this thread's signalfd.
        let signals = SignalWatch()
        // Worker 0 runs on this thread and binds first: with port 0 the kernel
        // picks the port, and the other workers bind that one.
        let first = try ServeWorker(index: 0, plan: plan, bind: try SocketAddress(parsing: bind))
        let crew = WorkerCrew()
        var spawned = 0
        var failures: [String] = []
        do {
            for k in 1..<workers {
                try crew.spawn(index: k, plan: plan, bind: first.socket.localAddress)
                spawned += 1
            }
        } catch {
            failures.append("\(error)")
        }
        failures += crew.awaitReports(spawned)
        if !failures.isEmpty {
            crew.stop()
            crew.start(spawned)
            _ = crew.join()
            _ = first.finish()
            throw CommandFailure.runtime(failures[0])
        }
        first.release()
        if !options.json {
            var credentials: [String] = []
            if let psk = plan.settings.tls.psk { credentials.append("PSK identity '\(psk.identity)'") }
            if let fp = first.engine.certificateFingerprint { credentials.append("certificate SHA-256 \(fp)") }
            credentials.append(plan.settings.tls.verifiesPeer ? "client certificates verified" : "client certificates not verified")
            credentials.append(plan.settings.cookies ? (plan.settings.cookieMasterKey == nil ? "cookies on" : "cookies on (key shared from --cookie-key)") : "cookies OFF")
            if workers > 1 { credentials.append("\(workers) workers (SO_REUSEPORT)") }
            Output.line("serving DTLS on \(first.socket.localAddress): " + credentials.joined(separator: "; "))
        }
        crew.start(spawned)
        // Bounded by SIGINT/SIGTERM: the loop ends when one arrives. Each
        // worker gathers its lines and writes them together (its own buffer,
        // `LineBuffer`, not Output.buffering: that one is for a single thread).
        var stop = false
        // Made once: an array literal in the loop would be an allocation per turn.
        let watched = signals.map { [$0.fileDescriptor] } ?? []
        while !stop {
            let ready = first.turn(timeout: 1, watching: watched)
            if !ready.isEmpty, let signals, !signals.take().isEmpty { stop = true }
        }
        crew.stop()
        let own = first.finish()
        // Every worker that started records its totals before its thread ends.
        let others = crew.join()
        let byWorker = [(0, own)] + others.sorted { $0.key < $1.key }.map { ($0.key, $0.value) }
        printTotals(byWorker, time: first.engine.now())
    }

    /// One combined line (or JSON object) of every worker's totals, then each worker's share.
    private func printTotals(_ byWorker: [(index: Int, statistics: Engine.Statistics)], time: Double) {
        var s = byWorker[0].statistics
        byWorker.dropFirst().forEach { s.add($0.statistics) }
        if options.json {
            var j = JSONWriter()
            j.add("t", time)
            j.add("event", "totals")
            j.add("peers_created", s.peersCreated)
            j.add("handshakes_completed", s.handshakesCompleted)
            j.add("handshakes_failed", s.handshakesFailed)
            j.add("datagrams_in", s.datagramsIn)
            j.add("datagrams_out", s.datagramsOut)
            j.add("dropped", s.droppedTotal)
            j.add("messages_in", s.messagesIn)
            j.add("messages_out", s.messagesOut)
            j.add("cookies_sent", s.cookiesSent)
            j.add("peers_closed", s.peersClosed)
            j.add("peers_evicted", s.peersEvicted)
            j.add("peers_peak", s.peersPeak)
            j.add("half_open_peak", s.halfOpenPeak)
            j.add("workers", byWorker.count)
            let items = byWorker.map { k, w -> String in
                var o = JSONWriter()
                o.add("socket", WorkerPlan.socketName(k))
                o.add("peers_created", w.peersCreated)
                o.add("handshakes_completed", w.handshakesCompleted)
                o.add("handshakes_failed", w.handshakesFailed)
                o.add("cookies_sent", w.cookiesSent)
                return o.string
            }
            j.addRaw("by_worker", "[" + items.joined(separator: ",") + "]")
            Output.line(j.string)
        } else {
            var line = "totals: \(s.peersCreated) peers, \(s.handshakesCompleted) handshakes completed, "
                + "\(s.handshakesFailed) failed, \(s.messagesIn) messages in, \(s.messagesOut) out, "
                + "\(s.datagramsIn) datagrams in, \(s.datagramsOut) out, \(s.droppedTotal) dropped, "
                + "\(s.cookiesSent) cookies sent, \(s.peersEvicted) evicted, at most \(s.peersPeak) peer\(s.peersPeak == 1 ? "" : "s") at once"
            if byWorker.count > 1 {
                line += "; handshakes by worker: "
                    + byWorker.map { "\(WorkerPlan.socketName($0)) \($1.handshakesCompleted)" }.joined(separator: ", ")
            }
            Output.line(line)
        }
    }
}

/// Failures after the flags parsed: a bad file or setting (exit 2) or a
/// runtime failure such as a port in use (exit 1).
enum CommandFailure: Error, CustomStringConvertible {
    case usage(String)
    case runtime(String)
    case exit(Int32)

    var description: String {
        switch self {
        case let .usage(s), let .runtime(s): s
        case let .exit(code): "exit \(code)"
        }
    }
}
