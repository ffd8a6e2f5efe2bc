/// Client checks of retransmission: what a client does when the server's flight seems lost.
extension ClientCheck {
    static let clientResendTimer = ClientCheck(
        "client-resend-timer", rfc: "RFC 6347 §4.2.4.1",
        summary: "flight 4 held back: the client's ClientHello resends timed, then the flight goes"
    ) { session in
        let quick = session.listener.quick
        let wanted = quick ? 2 : 3
        // Doubling from 1 s: 1 + 2 (+ 4) s, with room for a slower first timer.
        let budget = quick ? 8.0 : 16.0
        var times: [Double] = []
        let ending = try session.serve(flight4: { four in
            session.await(for: budget) { session.clientHelloTimes.count > wanted }
            times = session.clientHelloTimes
            // The resent hellos are copies: the server never reads them.
            session.discardInbound()
            return four
        })
        guard let timing = ResendTiming(times: times) else {
            return Outcome(verdict: .fail, evidence: "no resend of the ClientHello within \(Int(budget)) s without an answer")
        }
        let measured = timing.measured
        var evidence = timing.evidence
        evidence += "; then flight 4: \(ending.summary)"
        guard ending.completed else { return Outcome(verdict: .fail, evidence: evidence, measured: measured) }
        // RFC 6347 §4.2.4.1: SHOULD start at 1 s and double. Another timer still recovers: differs.
        var unlike: [String] = []
        if !(800...1500).contains(timing.initial) { unlike.append("the RFC starts at 1 s") }
        if let backoff = timing.backoff, !(1.5...2.5).contains(backoff) { unlike.append("the RFC doubles") }
        if !unlike.isEmpty {
            return Outcome(verdict: .differs, evidence: evidence + " (" + unlike.joined(separator: "; ") + ")", measured: measured)
        }
        return Outcome(verdict: .pass, evidence: evidence, measured: measured)
    }
}
