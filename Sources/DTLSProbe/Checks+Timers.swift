import DTLSWire

/// Checks of retransmission: what a server does when its flight seems lost.
extension ProbeCheck {
    static let retransmissionTimer = ProbeCheck(
        "retransmission-timer", rfc: "RFC 6347 §4.2.4.1",
        summary: "times the server's resends of its flight while the probe stays silent", slow: true
    ) { context in
        let socket = try context.socket()
        let flight = try ServerFlight.fetch(on: socket, wait: context.target.answerWait)
        guard let first = flight.datagrams.first(where: { $0.decoded.serverHello != nil }) else {
            return Outcome(verdict: .error, evidence: "no ServerHello to time")
        }
        let wanted = context.target.quick ? 3 : 5
        // Doubling from up to 1 s: 1 + 2 + 4 (+ 8 + 16) s, with room for a slower first timer.
        let budget = context.target.long ? 180.0 : (context.target.quick ? 9.0 : 40.0)
        func resends(_ arrivals: [ProbeSocket.Arrival]) -> [Double] {
            arrivals.filter { $0.decoded.serverHello != nil }.map(\.at)
        }
        let end = Clock.now() + budget
        let later = try socket.collect(for: budget) { arrivals in
            guard !context.target.long else { return false }
            let times = [first.at] + resends(arrivals)
            if times.count - 1 >= wanted { return true }
            // The next resend, at the backoff seen so far, would come after the budget: waiting for it
            // would only end the budget (gnutls-serv triples, 1 s then 3 s then 9 s).
            guard times.count >= 3 else { return false }
            let last = times[times.count - 1] - times[times.count - 2]
            let previous = times[times.count - 2] - times[times.count - 3]
            return times[times.count - 1] + last * last / previous > end
        }
        let times = [first.at] + resends(later)
        guard let timing = ResendTiming(times: times) else {
            return Outcome(verdict: .fail, evidence: "no resend within \(Int(budget)) s of silence")
        }
        var measured = timing.measured
        var evidence = timing.evidence
        if context.target.long, let last = times.last {
            let silentFor = Clock.now() - last
            evidence += "; then silent (gave up) for \(Int(silentFor)) s"
            measured.append(("gave_up_after_s", .number((last - first.at).rounded())))
        }
        // RFC 6347 §4.2.4.1: the timer doubles, up to 60 s. A constant timer still recovers: differs.
        if let backoff = timing.backoff, backoff < 1.5 || backoff > 2.5 {
            return Outcome(verdict: .differs, evidence: evidence + " (the RFC doubles)", measured: measured)
        }
        return Outcome(verdict: .pass, evidence: evidence, measured: measured)
    }
}
