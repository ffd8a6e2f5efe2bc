import Dispatch
import DTLSWire

/// The checks `dtlsh probe` runs against a server, in the order they run (the slow one late, so a
/// duplicated flight never lands while its resends are being timed).
public enum ProbeBattery {
    /// close-notify last: its record after the close reaches a server that has gone back to waiting for
    /// hellos, and gnutls-serv, which peeks and consumes only ClientHellos then, never reads past it.
    public static let all: [ProbeCheck] = [
        .handshake, .cookieExchange, .amplification, .cookieBoundToAddress, .cookieGarbage, .hvrVersion,
        .fragmentReassembly, .recordSize, .versionNegotiation, .suites, .replayWindow, .badRecordDiscard,
        .unknownEpochDiscard, .wrongFinished, .outOfOrderHandshake, .plaintextAlertInHandshake, .resumption,
        .restartSamePort, .renegotiation, .retransmissionTimer, .retransmitOnDuplicate, .closeNotify,
    ]

    public static var ids: [String] { all.map(\.id) }

    /// The checks to run: `only` (if given) minus `skip`; an unknown id is an error naming the known ones.
    public static func select(only: [String]?, skip: [String]) throws -> [ProbeCheck] {
        try CheckSelection.select(all, id: \.id, only: only, skip: skip)
    }

    /// Whether anything answers a ClientHello at the target: without it every check would wait out its
    /// time limits to say the same thing. `nil` when something did, else why not.
    public static func unreachable(_ target: ProbeTarget, wait: Double = 2) -> String? {
        let context = ProbeContext(target: target)
        defer { context.finish() }
        do {
            let socket = try context.socket()
            if try socket.exchange(try OutgoingClientHello().datagram(), wait: wait) == nil {
                return "no answer from \(target.address) to a ClientHello within \(Int(wait)) s: is a DTLS server there?"
            }
            return nil
        } catch {
            return "cannot reach \(target.address): \(error)"
        }
    }

    /// Runs `checks`, each on fresh sockets, and hands each result to `progress` in the battery's order.
    /// One after another, except that with `target.concurrent` a slow check runs beside the others: its
    /// seconds of silence then cost the battery nothing. Only for a server that serves several clients
    /// at once: no test tells that safely (a second client's hello breaks gnutls-serv's handshake in
    /// progress, and openssl s_server's), so the user says it.
    public static func run(_ checks: [ProbeCheck], against target: ProbeTarget,
                           progress: (CheckResult) -> Void = { _ in }) -> [CheckResult] {
        let findings = ProbeFindings()
        var beside: [String: PendingResult] = [:]
        let slow = checks.filter(\.slow)
        if target.concurrent, !slow.isEmpty, checks.count > slow.count {
            for check in slow {
                let pending = PendingResult()
                beside[check.id] = pending
                DispatchQueue.global().async { pending.set(runOne(check, against: target, findings: findings)) }
            }
        }
        return checks.map { check in
            let result = beside[check.id]?.wait() ?? runOne(check, against: target, findings: findings)
            progress(result)
            return result
        }
    }

    /// One check on a context of its own, ended whatever happened.
    static func runOne(_ check: ProbeCheck, against target: ProbeTarget, findings: ProbeFindings) -> CheckResult {
        let began = Clock.now()
        let context = ProbeContext(target: target, findings: findings)
        var result: CheckResult
        do {
            let outcome = try check.run(context)
            result = CheckResult(id: check.id, rfc: check.rfc, verdict: outcome.verdict, evidence: outcome.evidence,
                                 measured: outcome.measured)
        } catch {
            result = CheckResult(id: check.id, rfc: check.rfc, verdict: .error, evidence: "\(error)")
        }
        context.finish()
        result.duration = Clock.now() - began
        return result
    }
}

/// The result of a check running on another thread, awaited where the battery reports it.
final class PendingResult: @unchecked Sendable {
    private let done = DispatchSemaphore(value: 0)
    /// Written once before `done` is signalled, read only after it.
    private var result: CheckResult?

    func set(_ result: CheckResult) {
        self.result = result
        done.signal()
    }

    func wait() -> CheckResult {
        done.wait()
        return result ?? CheckResult(id: "?", rfc: "", verdict: .error, evidence: "no result")
    }
}
