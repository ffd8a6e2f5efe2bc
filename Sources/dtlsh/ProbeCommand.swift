import ArgumentParser
import DTLSPlex
import DTLSProbe
import DTLSShell
import Glibc

/// `dtlsh probe`: a conformance report of a foreign DTLS server, check by check with its RFC section.
struct ProbeCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "probe",
        abstract: "Run a battery of checks against a DTLS server and print a report card.",
        discussion: """
            Each check runs on a fresh client socket: the cookie exchange and its amplification, the \
            HelloVerifyRequest, fragments, versions and suites, the retransmission timer, and records \
            dtlsh protects itself with the association's keys (replays, bad tags, unknown epochs), the \
            client's flight 5 held and forged, reordered or repeated, and what follows a handshake \
            (a restart from the same port, renegotiation, resumption). \
            Checks: \(ProbeBattery.ids.joined(separator: ", ")). Verdicts: pass, differs (legal, or unlike \
            the RFC's SHOULD), fail (a MUST broken), n/a, error. Exit status 0 when no check fails, 1 when \
            one does, 2 for bad usage.
            """)

    @Argument(help: ArgumentHelp("The server to probe.", valueName: "HOST:PORT"))
    var server: String

    @OptionGroup var credentials: CredentialOptions

    @Option(help: ArgumentHelp("Run only these checks.", valueName: "ID,…"))
    var only: String?

    @Option(help: ArgumentHelp("Leave these checks out.", valueName: "ID,…"))
    var skip: String?

    @Flag(help: "One JSON object per check, then a summary object.")
    var json = false

    @Flag(help: "Shorter waits and fewer resends timed: the battery within 15 s against a local server.")
    var quick = false

    @Flag(help: "Add what takes minutes: the retransmission timer run until the server gives up.")
    var long = false

    @Flag(help: "The server serves several clients at once: time its resends beside the other checks.")
    var concurrent = false

    func validate() throws {
        do { _ = try SocketAddress(parsing: server) } catch { throw ValidationError("\(error)") }
        if quick && long { throw ValidationError("--quick and --long exclude each other") }
        do { _ = try selectedChecks() } catch { throw ValidationError("\(error)") }
    }

    private func selectedChecks() throws -> [ProbeCheck] {
        func list(_ text: String?) -> [String]? {
            text.map { $0.split(separator: ",").map { String($0).trimmingCharacters(in: .whitespaces) } }
        }
        return try ProbeBattery.select(only: list(only), skip: list(skip) ?? [])
    }

    func run() throws {
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
