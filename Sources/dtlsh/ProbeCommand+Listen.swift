import DTLSPlex
import DTLSProbe
import DTLSShell

/// `dtlsh probe --listen HOST:PORT`: dtlsh is the server, the client under test connects once per check.
extension ProbeCommand {
    func selectedClientChecks() throws -> [ClientCheck] {
        try ClientBattery.select(only: onlyList, skip: skipList)
    }

    func runListening(on listen: String) throws {
        var tls = try credentials.tlsConfiguration()
        if credentials.servesPSKOnly { tls.certificateSuites = false }
        let checks = try selectedClientChecks()
        let listener: ProbeListener
        do {
            listener = try ProbeListener(address: try SocketAddress(parsing: listen), tls: tls, quick: quick)
        } catch {
            throw CommandFailure.usage("--listen \(listen): \(error)")
        }
        let address = listener.address.description
        // Status lines: JSON objects on stdout with --json; text on stderr without, so stdout is the table.
        func tell(_ text: String, _ object: String) {
            if json { Output.line(object) } else { Output.error(text) }
        }
        Output.line(json ? ProbeReport.jsonListening(address, checks: checks.count) : ProbeReport.listening(address, checks: checks.count))
        if !json { Output.line(ProbeReport.textHeader) }
        var position = 0
        let results = ClientBattery.run(checks, on: listener, waiting: { check in
            position += 1
            tell(ProbeReport.waiting(check, position: position, of: checks.count),
                 ProbeReport.jsonWaiting(check, position: position, of: checks.count))
        }, connected: { check, client in
            tell(ProbeReport.connected(check, client: client.description), ProbeReport.jsonConnected(check, client: client.description))
        }, progress: { result in
            Output.line(json ? ProbeReport.json(result) : ProbeReport.textRow(result))
        })
        let target = "client at " + address
        Output.line(json ? ProbeReport.jsonSummary(results, target: target) : ProbeReport.summary(results, target: target))
        let status = ProbeReport.exitStatus(results)
        if status != 0 { throw CommandFailure.exit(status) }
    }
}
