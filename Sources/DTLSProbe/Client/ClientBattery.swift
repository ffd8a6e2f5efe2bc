import DTLSPlex

/// The checks `dtlsh probe --listen` runs against a client, one per connection the client makes, in the
/// order they run.
public enum ClientBattery {
    public static let all: [ClientCheck] = [
        .clientHandshake, .clientHVR, .clientFragmentedFlight, .clientReorderedFlight, .clientDuplicateFlight,
        .clientResendTimer, .clientBadFinishedTag, .clientWrongFinished,
    ]

    public static var ids: [String] { all.map(\.id) }

    public static func select(only: [String]?, skip: [String]) throws -> [ClientCheck] {
        try CheckSelection.select(all, id: \.id, only: only, skip: skip)
    }

    /// Runs `checks` in turn, each on the next client that connects to `listener`: `waiting` is told which
    /// check waits before each wait, `connected` which client it got, `progress` sees each result as it
    /// comes. After `clientWait` seconds with no client, the checks left are not run (error).
    public static func run(_ checks: [ClientCheck], on listener: ProbeListener, clientWait: Double = 300,
                           waiting: (ClientCheck) -> Void = { _ in },
                           connected: (ClientCheck, SocketAddress) -> Void = { _, _ in },
                           progress: (CheckResult) -> Void = { _ in }) -> [CheckResult] {
        var results: [CheckResult] = []
        var nobodyCame = false
        for (index, check) in checks.enumerated() {
            let result: CheckResult
            if nobodyCame {
                result = CheckResult(id: check.id, rfc: check.rfc, verdict: .error, evidence: "not run: no client came for an earlier check")
            } else {
                waiting(check)
                let next = checks.dropFirst(index + 1).first
                result = run(check, on: listener, clientWait: clientWait, nextCookies: next?.cookies ?? false) { address in
                    connected(check, address)
                }
                nobodyCame = result.verdict == .error && result.evidence.hasPrefix(noClient)
            }
            progress(result)
            results.append(result)
        }
        return results
    }

    private static let noClient = "no client connected"

    private static func run(_ check: ClientCheck, on listener: ProbeListener, clientWait: Double, nextCookies: Bool,
                            connected: (SocketAddress) -> Void) -> CheckResult {
        func result(_ verdict: Verdict, _ evidence: String, _ measured: [(String, MeasuredValue)] = []) -> CheckResult {
            CheckResult(id: check.id, rfc: check.rfc, verdict: verdict, evidence: evidence, measured: measured)
        }
        switch listener.nextClient(cookies: check.cookies, nextCookies: nextCookies, wait: clientWait) {
        case .nobody:
            return result(.error, "\(noClient) within \(Int(clientWait)) s")
        case let .stuck(source, hellos):
            let why = check.cookies ? " (none returned the cookie)" : " (an unfragmented ClientHello is what admits a client)"
            return result(.fail, "\(source) sent \(hellos) ClientHello(s) and none the server could admit\(why)",
                          [("hellos", .number(Double(hellos)))])
        case let .client(session):
            let began = Clock.now()
            defer { listener.finish(session) }
            connected(session.source)
            var judged: CheckResult
            do {
                let outcome = try check.run(session)
                judged = result(outcome.verdict, outcome.evidence, outcome.measured)
            } catch {
                judged = result(.error, "\(error)")
            }
            // From the connection taken to the verdict: the wait for the client is the user's, not the check's.
            judged.duration = Clock.now() - began
            return judged
        }
    }
}
