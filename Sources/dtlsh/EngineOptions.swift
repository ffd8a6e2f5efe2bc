import ArgumentParser
import DTLSPlex
import DTLSShell
import DTLSWire

/// The credential, protocol and output flags every subcommand that runs an
/// engine takes, in the spelling of `openssl s_client`/`s_server` where one exists.
struct EngineOptions: ParsableArguments {
    @OptionGroup var credentials: CredentialOptions

    @Option(help: ArgumentHelp("Datagram payload limit for DTLS (SSL_set_mtu).", valueName: "BYTES"))
    var mtu: Int = 1400

    @Option(help: ArgumentHelp("use_srtp profiles, e.g. SRTP_AES128_CM_SHA1_80.", valueName: "PROFILES"))
    var srtp: String?

    @Option(help: ArgumentHelp("First retransmission timeout (doubles each time, up to 60 s).", valueName: "MS"))
    var timerInitial: Int?

    @Option(name: .customLong("export"), help: ArgumentHelp("At each handshake, print RFC 5705 keying material (as DTLS-SRTP derives its keys).", valueName: "LABEL:LENGTH"))
    var exports: [String] = []

    @Flag(help: ArgumentHelp(
        "Allow anonymous (ADH/AECDH) and NULL cipher suites: no authentication at all (the 2006 example's mode).",
        discussion: "It puts @SECLEVEL=0 in the cipher string: OpenSSL 3.0 refuses any unauthenticated suite at level 1 or above "
            + "(Debian runs at 2). The 2006 example's peers also speak only DTLS 1.0: add --dtls1_0 (or --any-version). "
            + "The peer needs @SECLEVEL=0 too, e.g. openssl -cipher 'aNULL:@SECLEVEL=0'."))
    var insecure = false

    @Flag(help: "Print one JSON object per engine event instead of text.")
    var json = false

    @Option(help: TraceLevel.flagHelp("How much of each datagram to decode"))
    var trace: String = TraceLevel.off.rawValue

    @Option(help: ArgumentHelp("Write every datagram to a pcap file.", valueName: "FILE"))
    var pcap: String?

    @Option(help: ArgumentHelp("Write TLS secrets in NSS key log format (mode 0600), for Wireshark.", valueName: "FILE"))
    var keylog: String?

    func validate() throws {
        let mtus = SettingTable.mtuRange, timers = SettingTable.timerRange
        guard mtus.contains(mtu) else { throw ValidationError("--mtu must be \(mtus.lowerBound)-\(mtus.upperBound)") }
        if let t = timerInitial, !timers.contains(t) {
            throw ValidationError("--timer-initial must be \(timers.lowerBound)-\(timers.upperBound) ms (OpenSSL treats under \(timers.lowerBound) ms as expired)")
        }
        _ = try TraceLevel.flag(trace)
        let lengths = KeyingMaterialRequest.lengths
        for e in exports where KeyingMaterialRequest(parsing: e) == nil {
            throw ValidationError("--export takes LABEL:LENGTH with LENGTH \(lengths.lowerBound)-\(lengths.upperBound), not '\(e)'")
        }
    }

    func tlsConfiguration(defaultPSK: TLSConfiguration.PSK? = nil) throws -> TLSConfiguration {
        var tls = try credentials.tlsConfiguration(defaultPSK: defaultPSK)
        tls.srtpProfiles = srtp
        tls.timerInitialMilliseconds = timerInitial
        tls.insecure = insecure
        for w in tls.warnings { Output.error("dtlsh: warning: \(w)") }
        return tls
    }

    var traceLevel: TraceLevel { TraceLevel(rawValue: trace) ?? .off }

    /// Attaches the renderer and the capture/key-log sinks the flags ask for.
    /// Text goes to `textFD`: stdout for a server, stderr for a client whose
    /// stdout carries the replies. Every line goes out through `write`
    /// (descriptor, line without its newline): by default one write(2) each.
    /// `quiet` keeps only the socket and error events: a server under load
    /// would otherwise spend part of its time writing a line per peer.
    /// `brief` (serve at --trace off): a peer's story in two lines, its
    /// establishment and its end (or its failure), and fatal alerts; the
    /// admission and close_notify lines in between come with --trace flights.
    /// Seven lines a peer cost a PSK handshake about 8 % of its instructions.
    func attachOutput(to engine: Engine, textFD: Int32 = STDOUT_FILENO, quiet: Bool = false, brief: Bool = false,
                      write: @escaping (Int32, String) -> Void = EngineOptions.writeLine) throws -> EngineSinks {
        let sinks = EngineSinks()
        // A file that cannot be written is a bad argument: exit 2, like a bad flag.
        do {
            if let pcap {
                let w = try PcapWriter(path: pcap)
                w.attach(to: engine)
                sinks.pcap = w
            }
            if let keylog {
                let w = try KeyLogWriter(path: keylog)
                w.attach(to: engine)
                sinks.keyLog = w
            }
        } catch {
            throw CommandFailure.usage("\(error)")
        }
        attachExports(to: engine, textFD: textFD, write: write)
        let diagnosis = HandshakeDiagnosis.lookup(in: engine)
        if quiet {
            let json = self.json
            var text = EventText(level: .off, style: TextStyle(enabled: Output.colourWanted(textFD)))
            text.diagnosis = diagnosis
            engine.subscribe(.essentials) { e in
                if json { write(STDOUT_FILENO, EventJSON.line(e, diagnosis: diagnosis)) } else { text.lines(e).forEach { write(textFD, $0) } }
            }
        } else if json {
            engine.subscribe { write(STDOUT_FILENO, EventJSON.line($0, diagnosis: diagnosis)) }
        } else {
            // Messages are shown from the flights level up: a loaded server would
            // spend its time printing them.
            var text = EventText(level: traceLevel, style: TextStyle(enabled: Output.colourWanted(textFD)),
                                 showData: traceLevel >= .flights)
            text.diagnosis = diagnosis
            let brief = brief && traceLevel == .off
            // A brief server shows nothing of admission: none of its events is built.
            engine.subscribe(brief ? text.interest.subtracting(.admission) : text.interest) { e in
                if brief && !Self.briefLine(e) { return }
                text.forEachLine(e) { write(textFD, $0) }
            }
        }
        return sinks
    }

    /// What a brief server prints of the events it gets (admission's it never
    /// subscribes to): a peer's establishment and end, failures, sockets.
    static func briefLine(_ e: Event) -> Bool {
        if case let .alert(_, level, _) = e.kind { return level == "fatal" }
        return true
    }

    /// The default: stdout through Output.line (gathered while Output.buffering
    /// is on), any other descriptor one write(2) per line.
    static func writeLine(_ fd: Int32, _ line: String) {
        if fd == STDOUT_FILENO { Output.line(line) } else { Output.write(fd, line + "\n") }
    }
}

extension EngineOptions {
    /// `--export LABEL:LENGTH`: keying material of every peer as it is established.
    func attachExports(to engine: Engine, textFD: Int32, write: @escaping (Int32, String) -> Void) {
        let wanted = exports.compactMap(KeyingMaterialRequest.init(parsing:))
        guard !wanted.isEmpty else { return }
        let json = self.json
        engine.subscribe(.lifecycle) { [unowned engine] e in
            guard case .established = e.kind, let name = e.peer, let p = engine.peer(named: name) else { return }
            for request in wanted {
                let label = request.label, length = request.length
                guard let bytes = try? p.exportKeyingMaterial(label: label, length: length) else { continue }
                if json {
                    var j = JSONWriter()
                    j.add("t", e.time)
                    j.add("event", "keying_material")
                    j.add("socket", e.socket)
                    j.add("peer", name)
                    j.add("label", label)
                    j.add("length", length)
                    j.add("hex", Hex.encode(bytes))
                    write(STDOUT_FILENO, j.string)
                } else {
                    write(textFD, "\(name): keying material \(label) \(length): \(Hex.encode(bytes))")
                }
            }
        }
    }
}

/// Keeps the file sinks alive as long as the command runs.
final class EngineSinks {
    var pcap: PcapWriter?
    var keyLog: KeyLogWriter?
}

#if canImport(Glibc)
import Glibc
#endif
