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
        var intervals: [Double] = []
        let ending = try session.serve(flight4: { four in
            session.await(for: budget) { session.clientHelloTimes.count > wanted }
            let times = session.clientHelloTimes
            intervals = zip(times.dropFirst(), times).map { ($0 - $1) * 1000 }
            // The resent hellos are copies: the server never reads them.
            session.discardInbound()
            return four
        })
        guard let initial = intervals.first else {
            return Outcome(verdict: .fail, evidence: "no resend of the ClientHello within \(Int(budget)) s without an answer")
        }
        let ratios = zip(intervals.dropFirst(), intervals).map { $0 / $1 }
        let backoff = ratios.isEmpty ? nil : ratios.sorted()[ratios.count / 2]
        var measured: [(String, MeasuredValue)] = [
            ("initial_timeout_ms", .number(initial.rounded())), ("retransmissions", .number(Double(intervals.count))),
            ("intervals_ms", .numbers(intervals.map { $0.rounded() })),
        ]
        if let backoff { measured.append(("backoff", .number((backoff * 100).rounded() / 100))) }
        let shown = intervals.map { String(Int($0.rounded())) }.joined(separator: ", ")
        var evidence = "\(intervals.count) resend(s) after \(shown) ms"
        if let backoff { evidence += "; backoff ×\(Formatting.fixed(backoff, 2))" }
        evidence += "; then flight 4: \(ending.summary)"
        guard ending.completed else { return Outcome(verdict: .fail, evidence: evidence, measured: measured) }
        // RFC 6347 §4.2.4.1: SHOULD start at 1 s and double. Another timer still recovers: differs.
        var unlike: [String] = []
        if !(800...1500).contains(initial) { unlike.append("the RFC starts at 1 s") }
        if let backoff, !(1.5...2.5).contains(backoff) { unlike.append("the RFC doubles") }
        if !unlike.isEmpty {
            return Outcome(verdict: .differs, evidence: evidence + " (" + unlike.joined(separator: "; ") + ")", measured: measured)
        }
        return Outcome(verdict: .pass, evidence: evidence, measured: measured)
    }
}
