import ArgumentParser
import DTLSPlex
import DTLSShell
import Glibc

/// `dtlsh connect`: one client peer, like `openssl s_client -dtls`.
struct ConnectCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "connect",
        abstract: "Connect one DTLS client peer, like openssl s_client -dtls.",
        discussion: """
            Without --send, each line of standard input is sent as one message and replies are printed. \
            Exits 0 only if the handshake completed.
            """)

    @Argument(help: ArgumentHelp("The server.", valueName: "HOST:PORT"))
    var server: String

    @OptionGroup var options: EngineOptions

    @Option(help: ArgumentHelp("Send TEXT, print the reply (or say none came within --wait), close.", valueName: "TEXT"))
    var send: String?

    @Flag(help: "End each message with CR LF, like openssl s_client -crlf: --send TEXT gets one, a line from stdin has its LF made CR LF (for servers that read lines).")
    var crlf = false

    @Flag(help: "End --send TEXT with a LF (lines from stdin keep theirs).")
    var lf = false

    @Option(help: ArgumentHelp("Give up on the handshake after this long.", valueName: "SECONDS"))
    var handshakeTimeout: Double = 30

    @Option(help: ArgumentHelp("With --send or at end of input: wait this long for replies.", valueName: "SECONDS"))
    var wait: Double = 2

    @Option(help: ArgumentHelp("Local address to bind.", valueName: "HOST:PORT"))
    var bind: String?

    func validate() throws {
        do { _ = try SocketAddress(parsing: server) } catch { throw ValidationError("\(error)") }
        if let bind { do { _ = try SocketAddress(parsing: bind) } catch { throw ValidationError("--bind: \(error)") } }
        guard handshakeTimeout > 0, wait >= 0 else { throw ValidationError("timeouts must be positive") }
        if crlf && lf { throw ValidationError("choose one of --crlf, --lf") }
    }

    func run() throws {
        let destination = try SocketAddress(parsing: server)
        var settings = Engine.Settings(tls: try options.tlsConfiguration(defaultPSK: .demo))
        settings.mtu = options.mtu
        settings.handshakeTimeout = handshakeTimeout
        settings.auto = true
        let engine = Engine(settings: settings)
        do { try engine.validateSettings(for: .client) } catch { throw CommandFailure.usage("\(error)") }
        let sinks = try options.attachOutput(to: engine, textFD: STDERR_FILENO)
        defer { _ = sinks }
        if !options.json && options.traceLevel < .flights {
            // A silent wait of 30 s reads as a hang: a peer that does not answer
            // is shown as it happens (--trace flights shows this and more).
            engine.subscribe(.lifecycle) { e in
                guard case let .retransmit(count) = e.kind, let name = e.peer else { return }
                Output.error("\(name): no answer yet: last flight resent (retransmission \(count))")
            }
        }
        // A server that refuses our Finished (another PSK) never says so: the
        // wire tells, long before the deadline.
        let peerName = "c1"
        let refusal = FinishedRefusalWatch(engine: engine, peer: peerName)
        let signals = SignalWatch()
        let local = try bind.map { try SocketAddress(parsing: $0) }
            ?? SocketAddress(parsing: destination.family == .inet ? "127.0.0.1:0" : "[::1]:0")
        let peer: Peer
        do {
            // A wildcard or loopback bind that matches the server's family.
            let bindAddress = bind == nil && !destination.host.hasPrefix("127.") && destination.host != "::1"
                ? try SocketAddress(parsing: destination.family == .inet ? "0.0.0.0:0" : "[::]:0") : local
            let socket = try engine.openSocket(name: "cli", bind: bindAddress, accepting: false)
            peer = try engine.connect(name: peerName, socket: socket, to: destination)
        } catch {
            throw CommandFailure.runtime("\(error)")
        }
        let sigfd = signals.map { [$0.fileDescriptor] } ?? []
        var interrupted = false
        let done = engine.run(until: {
            if peer.status != .handshaking || refusal.refusal.giveUpIfConclusive(peer, in: engine) { return true }
            if !engine.runOnce(timeout: 0.05, watching: sigfd).isEmpty, signals?.take().isEmpty == false {
                interrupted = true
            }
            return interrupted
        }, timeout: handshakeTimeout + 1)
        guard done, peer.status == .established else {
            if !options.json {
                let why = peer.endReason ?? (interrupted ? "interrupted" : "no answer")
                let diagnosis = interrupted ? nil : HandshakeDiagnosis(peer)
                Output.error("handshake with \(destination) failed: \(why)" + (diagnosis.map { " — " + $0.sentence } ?? ""))
                if let e = peer.lastError { e.queue.forEach { Output.error("  \($0)") } }
            }
            throw CommandFailure.exit(1)
        }
        if !options.json {
            Output.error("CONNECTION ESTABLISHED \(peer.version ?? "?") \(peer.cipher ?? "?") to \(destination)")
        }
        if let text = send {
            let message = Array(text.utf8) + (crlf ? [13, 10] : lf ? [10] : [])
            try engine.send(peer, message)
            if !options.json { Output.error("sent \(message.count) bytes") }
            engine.run(until: { !peer.received.isEmpty || peer.status != .established }, timeout: wait)
            if peer.received.isEmpty, !options.json {
                Output.error(peer.status == .established ? "no reply within \(Self.seconds(wait))"
                                                         : "no reply: \(peer.endReason ?? "the session ended")")
            }
            printReplies(engine, peer)
        } else {
            interactive(engine, peer, sigfd: sigfd, signals: signals)
        }
        if peer.status == .established {
            engine.close(peer)
        }
        engine.closeAll()
    }

    /// Lines from stdin go out as messages; replies are printed as they come.
    private func interactive(_ engine: Engine, _ peer: Peer, sigfd: [Int32], signals: SignalWatch?) {
        var pending: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 65_536)
        while peer.status == .established {
            let ready = engine.runOnce(timeout: 0.5, watching: [STDIN_FILENO] + sigfd)
            printReplies(engine, peer)
            if let fd = sigfd.first, ready.contains(fd), signals?.take().isEmpty == false { return }
            guard ready.contains(STDIN_FILENO) else { continue }
            let n = read(STDIN_FILENO, &buffer, buffer.count)
            if n <= 0 {
                if !pending.isEmpty { sendLine(engine, peer, pending) }
                // Give replies to what was sent a moment to arrive.
                engine.run(until: { peer.status != .established }, timeout: wait)
                printReplies(engine, peer)
                return
            }
            pending += buffer[0..<n]
            while let nl = pending.firstIndex(of: UInt8(ascii: "\n")) {
                sendLine(engine, peer, Array(pending[...nl]))
                pending.removeSubrange(...nl)
            }
        }
    }

    private func sendLine(_ engine: Engine, _ peer: Peer, _ line: [UInt8]) {
        var line = line
        if crlf, line.last == 10, line.dropLast().last != 13 { line.insert(13, at: line.count - 1) }
        do { try engine.send(peer, line) } catch { Output.error("dtlsh: \(error)") }
    }

    /// "2 s", "0.5 s": as the user wrote --wait.
    static func seconds(_ s: Double) -> String {
        s == s.rounded() ? "\(Int(s)) s" : "\(s) s"
    }

    private func printReplies(_ engine: Engine, _ peer: Peer) {
        guard !options.json else { _ = engine.read(peer); return }
        for m in engine.read(peer) {
            Output.write(STDOUT_FILENO, String(decoding: m, as: UTF8.self) + (m.last == UInt8(ascii: "\n") ? "" : "\n"))
        }
    }
}
