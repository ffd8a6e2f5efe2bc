import ArgumentParser
import DTLSPlex
import DTLSProbe
import DTLSShell
import Glibc

/// `dtlsh probe`: a conformance report of a foreign DTLS server, check by check with its RFC section.
struct ProbeCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "probe",
        abstract: "Run a battery of checks against a DTLS server, or a client (--listen), and print a report card.",
        discussion: """
            Each check runs on a fresh client socket: the cookie exchange and its amplification, the \
            HelloVerifyRequest, fragments, versions and suites, the retransmission timer, and records \
            dtlsh protects itself with the association's keys (replays, bad tags, unknown epochs), the \
            client's flight 5 held and forged, reordered or repeated, and what follows a handshake \
            (a restart from the same port, renegotiation, resumption). \
            Checks: \(ProbeBattery.ids.joined(separator: ", ")). Verdicts: pass, differs (legal, or unlike \
            the RFC's SHOULD), fail (a MUST broken), n/a, error. Exit status 0 when no check fails, 1 when \
            one does, 2 for bad usage.

            With --listen HOST:PORT, dtlsh is the server and probes a client: run the client against it \
            once per check (the probe says which check waits for the next connection); each connection \
            gets one check, and the same report card follows.
            """)

    @Argument(help: ArgumentHelp("The server to probe.", valueName: "HOST:PORT"))
    var server: String?

    @Option(help: ArgumentHelp("Probe a client instead: act as its server here, one check per connection it makes (checks: \(ClientBattery.ids.joined(separator: ", "))).",
                               valueName: "HOST:PORT"))
    var listen: String?

    @OptionGroup var credentials: CredentialOptions

    @Option(help: ArgumentHelp("Run only these checks.", valueName: "ID,…"))
    var only: String?

    @Option(help: ArgumentHelp("Leave these checks out.", valueName: "ID,…"))
    var skip: String?

    @Flag(help: "One JSON object per check, then a summary object.")
    var json = false

    @Flag(help: "Shorter waits and fewer resends timed: the battery within 15 s against a local server; with --listen, two resends timed and 1.5 s of silence taken for a completed handshake.")
    var quick = false

    @Flag(help: "Add what takes minutes: the retransmission timer run until the server gives up.")
    var long = false

    @Flag(help: "The server serves several clients at once: time its resends beside the other checks.")
    var concurrent = false

    func validate() throws {
        if let listen {
            if server != nil { throw ValidationError("--listen probes a client: give no server HOST:PORT with it") }
            if long { throw ValidationError("--long is for servers: --listen has nothing that takes minutes") }
            if concurrent { throw ValidationError("--concurrent is for servers: --listen serves one client at a time") }
            do { _ = try SocketAddress(parsing: listen) } catch { throw ValidationError("--listen: \(error)") }
            do { _ = try selectedClientChecks() } catch { throw ValidationError("\(error)") }
            return
        }
        guard let server else { throw ValidationError("give the server to probe (HOST:PORT), or --listen HOST:PORT to probe a client") }
        do { _ = try SocketAddress(parsing: server) } catch { throw ValidationError("\(error)") }
        if quick && long { throw ValidationError("--quick and --long exclude each other") }
        do { _ = try selectedChecks() } catch { throw ValidationError("\(error)") }
    }

    /// `--only` and `--skip` as lists of ids.
    var onlyList: [String]? { Self.list(only) }
    var skipList: [String] { Self.list(skip) ?? [] }

    private static func list(_ text: String?) -> [String]? {
        text.map { $0.split(separator: ",").map { String($0).trimmingCharacters(in: .whitespaces) } }
    }

    private func selectedChecks() throws -> [ProbeCheck] {
        try ProbeBattery.select(only: onlyList, skip: skipList)
    }

    func run() throws {
        if let listen { return try runListening(on: listen) }
        guard let server else { return }
        let address = try SocketAddress(parsing: server)
        let target = ProbeTarget(address: address, tls: try credentials.tlsConfiguration(), quick: quick, long: long,
                                 concurrent: concurrent)
        let checks = try selectedChecks()
        if let why = ProbeBattery.unreachable(target) {
            throw CommandFailure.runtime(why)
        }
        if !json { Output.line(ProbeReport.textHeader) }
        let results = ProbeBattery.run(checks, against: target) { result in
            Output.line(json ? ProbeReport.json(result) : ProbeReport.textRow(result))
        }
        Output.line(json ? ProbeReport.jsonSummary(results, target: server) : ProbeReport.summary(results, target: server))
        let status = ProbeReport.exitStatus(results)
        if status != 0 { throw CommandFailure.exit(status) }
    }
}
