import ArgumentParser
import DTLSPlex
import DTLSShell
import Glibc

/// `dtlsh serve`: many DTLS peers on one socket, without a person at the keys.
struct ServeCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "serve",
        abstract: "A non-interactive multiplex DTLS server.",
        discussion: """
            Every client that returns a valid cookie becomes a peer on the one socket. \
            SIGINT or SIGTERM sends close_notify to every peer, prints totals and exits 0.
            """)

    @Option(help: ArgumentHelp("Address to listen on.", valueName: "HOST:PORT"))
    var bind = "127.0.0.1:4433"

    @OptionGroup var options: EngineOptions

    @Flag(help: "Send every application message back to its sender.")
    var echo = false

    @Option(help: ArgumentHelp("Most peers at once.", valueName: "N"))
    var maxPeers = 10_000

    @Option(help: ArgumentHelp("Most server peers still handshaking at once (cookie verified, not yet established).", valueName: "N"))
    var halfOpen = 1_000

    @Option(help: ArgumentHelp("Evict a peer after this long without a datagram.", valueName: "SECONDS"))
    var idle: Double = 300

    @Option(help: ArgumentHelp("Fail a handshake not done after this long.", valueName: "SECONDS"))
    var handshakeTimeout: Double = 30

    @Flag(help: "Skip the HelloVerifyRequest round: state for every ClientHello (not for exposed servers).")
    var noCookies = false

    func validate() throws {
        do { _ = try SocketAddress(parsing: bind) } catch { throw ValidationError("--bind: \(error)") }
        guard maxPeers > 0 else { throw ValidationError("--max-peers must be at least 1") }
        guard halfOpen > 0 else { throw ValidationError("--half-open must be at least 1") }
        guard idle > 0, handshakeTimeout > 0 else { throw ValidationError("--idle and --handshake-timeout must be positive") }
    }

    func run() throws {
        var settings = Engine.Settings(tls: try options.tlsConfiguration())
        settings.mtu = options.mtu
        settings.maxPeers = maxPeers
        settings.halfOpenLimit = halfOpen
        settings.idleTimeout = idle
        settings.handshakeTimeout = handshakeTimeout
        settings.cookies = !noCookies
        settings.keepFinishedPeers = false
        settings.auto = true
        let engine = Engine(settings: settings)
        do { try engine.validateSettings(for: .server) } catch { throw CommandFailure.usage("\(error)") }
        let sinks = try options.attachOutput(to: engine)
        let signals = SignalWatch()
        let socket: EngineSocket
        do {
            socket = try engine.openSocket(name: "srv", bind: try SocketAddress(parsing: bind), accepting: true)
        } catch {
            throw CommandFailure.runtime("\(error)")
        }
        if !options.json {
            var credentials: [String] = []
            if let psk = settings.tls.psk { credentials.append("PSK identity '\(psk.identity)'") }
            if let fp = engine.certificateFingerprint { credentials.append("certificate SHA-256 \(fp)") }
            credentials.append(settings.tls.verifiesPeer ? "client certificates verified" : "client certificates not verified")
            credentials.append(settings.cookies ? "cookies on" : "cookies OFF")
            Output.line("serving DTLS on \(socket.localAddress): " + credentials.joined(separator: "; "))
        }
        var stop = false
        while !stop {
            let ready = engine.runOnce(timeout: 1, watching: signals.map { [$0.fileDescriptor] } ?? [])
            if !ready.isEmpty, let signals, !signals.take().isEmpty { stop = true }
            if echo {
                for p in engine.peersWithUnreadData {
                    for message in engine.read(p) { try? engine.send(p, message) }
                }
            }
        }
        engine.closeAll()
        _ = sinks
        let s = engine.statistics
        if options.json {
            var j = JSONWriter()
            j.add("t", engine.now())
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
            Output.line(j.string)
        } else {
            Output.line("totals: \(s.peersCreated) peers, \(s.handshakesCompleted) handshakes completed, "
                        + "\(s.handshakesFailed) failed, \(s.messagesIn) messages in, \(s.messagesOut) out, "
                        + "\(s.datagramsIn) datagrams in, \(s.datagramsOut) out, \(s.droppedTotal) dropped, "
                        + "\(s.cookiesSent) cookies sent, \(s.peersEvicted) evicted, at most \(s.peersPeak) peers at once")
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
