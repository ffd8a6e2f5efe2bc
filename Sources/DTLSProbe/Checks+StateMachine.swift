import DTLSPlex
import DTLSWire

/// Checks of the server's handshake state machine at the client's flight 5: OpenSSL makes the flight
/// (`HeldHandshake`), the probe holds it and sends it as the check wants.
extension ProbeCheck {
    static let wrongFinished = ProbeCheck(
        "wrong-finished", rfc: "RFC 5246 §7.4.9",
        summary: "an authenticated Finished with a wrong verify_data is refused with decrypt_error or handshake_failure"
    ) { context in
        let held = try context.requireHeldHandshake()
        let protector = try RecordProtector(try held.secrets(), writer: .client)
        // The Finished OpenSSL wrote, with a wrong verify_data.
        let forged = try held.flight.map { try FlightRewrite.mapRecords($0) { $0.isProtectedHandshake ? try protector.wrongFinished($0) : $0 } }
        try held.send(forged)
        let wait = held.answerWindow(atLeast: context.target.silence)
        let answer = try held.raw.collect(for: wait) { arrivals in
            arrivals.contains { $0.switchedEpoch || !$0.decoded.alerts.isEmpty }
        }
        if answer.contains(where: \.switchedEpoch) {
            return Outcome(verdict: .fail, evidence: "ChangeCipherSpec back: the server took a wrong Finished")
        }
        guard let alert = answer.lazy.flatMap(\.decoded.alerts).first else {
            return Outcome(verdict: .differs, evidence: "no answer within \(Formatting.fixed(wait, 1)) s: the Finished was dropped, no alert")
        }
        let named = "\(alert.levelName) \(alert.descriptionName) alert"
        let measured: [(String, MeasuredValue)] = [("alert", .text(alert.descriptionName))]
        if alert.level == AlertLevel.fatal && (alert.description == AlertDescription.decryptError || alert.description == AlertDescription.handshakeFailure) {
            return Outcome(verdict: .pass, evidence: named, measured: measured)
        }
        return Outcome(verdict: .differs, evidence: named + " (RFC 5246 §7.2.2: decrypt_error)", measured: measured)
    }

    static let outOfOrderHandshake = ProbeCheck(
        "out-of-order-handshake", rfc: "RFC 6347 §4.2.2, §4.1",
        summary: "ChangeCipherSpec before ClientKeyExchange, Finished before ChangeCipherSpec, a gap in message_seq"
    ) { context in
        var outcomes: [(String, Reordering.Outcome)] = []
        for reordering in Reordering.all {
            let held = try context.requireHeldHandshake()
            outcomes.append((reordering.name, try reordering.run(held, context.target)))
            // Before the next: servers that serve one client at a time wait for this one to end.
            held.end()
        }
        let evidence = outcomes.map { "\($0.0): \($0.1.description)" }.joined(separator: "; ")
        let measured = zip(Reordering.all, outcomes).map { ($0.key, MeasuredValue.text($1.1.word)) }
        if outcomes.contains(where: { $0.1.breaksHandshake }) { return Outcome(verdict: .fail, evidence: evidence, measured: measured) }
        // A datagram network reorders: RFC 6347 §4.2.2 has a future message queued or discarded, not fatal.
        if outcomes.contains(where: { $0.1.isFatal }) { return Outcome(verdict: .differs, evidence: evidence, measured: measured) }
        return Outcome(verdict: .pass, evidence: evidence, measured: measured)
    }

    static let retransmitOnDuplicate = ProbeCheck(
        "retransmit-on-duplicate", rfc: "RFC 6347 §4.2.4",
        summary: "a repeated last flight from the client makes the server resend its own"
    ) { context in
        let held = try context.requireHeldHandshake()
        guard let hello = held.sent.last else { throw ProbeError("no ClientHello was sent") }
        // At once after flight 4, a resend within this long is the duplicate's doing, not a timer's: the
        // shortest first timeout seen (mbed TLS) is 500 ms, RFC 6347's 1 s.
        let window = 0.2
        // What the server sent before (its flight 4 still coming, a resend) is not an answer.
        try held.raw.drain()
        let helloSent = Clock.now()
        try held.send(try held.resent([hello]))
        let helloAnswer = try held.raw.collect(for: window) { arrivals in arrivals.contains { $0.decoded.serverHello != nil } }
        let answered = helloAnswer.first { $0.decoded.serverHello != nil }
        let helloResend = answered.map { ($0.at - helloSent) * 1000 }
        let first = try held.repeatFlight5(context.target)
        func ms(_ delay: Double) -> String { "\(Formatting.fixed(delay, delay < 10 ? 1 : 0)) ms" }
        func said(_ delay: Double?, _ what: String) -> String { delay.map { "\(what) again after \(ms($0))" } ?? "ignored" }
        func milliseconds(_ key: String, _ value: Double?) -> [(String, MeasuredValue)] {
            value.map { [(key, .number(($0 * 10).rounded() / 10))] } ?? []
        }
        // A ServerHello with another random is a new handshake in place of the one in progress (tinydtls
        // takes every ClientHello with a valid cookie for a restart): the client's flight 5, made for the
        // first, cannot complete it, so a duplicated or late hello costs the client its handshake.
        if let answered, answered.decoded.serverHello?.random != held.serverRandom, !first.completed {
            let replaced = "a repeated ClientHello → a new handshake (a ServerHello with a new random) after \(ms(helloResend ?? 0)),"
                + " and flight 5 then no longer completes the handshake"
            // The repeated flight 5 on a handshake of its own, no hello repeated.
            guard let other = try context.heldHandshake() else {
                return Outcome(verdict: .fail, evidence: replaced + "; no second handshake reached flight 5", measured: [("hello", .text("restarted"))])
            }
            let second = try other.repeatFlight5(context.target)
            let then = second.completed ? said(second.resend, "ChangeCipherSpec+Finished") : "the handshake did not complete"
            return Outcome(verdict: .fail, evidence: replaced + "; on another handshake, a repeated flight 5 → " + then,
                           measured: [("hello", .text("restarted"))] + milliseconds("finished_resend_ms", second.resend))
        }
        guard first.completed else {
            return Outcome(verdict: .error, evidence: "the handshake did not complete after flight 5")
        }
        let evidence = "a repeated ClientHello → \(said(helloResend, "flight 4")); a repeated flight 5 → \(said(first.resend, "ChangeCipherSpec+Finished"))"
        let measured = milliseconds("hello_resend_ms", helloResend) + milliseconds("finished_resend_ms", first.resend)
        // A server that ignores a repeat still completes when its own timer fires: the RFC's SHOULD unmet, no failure.
        return Outcome(verdict: helloResend != nil && first.resend != nil ? .pass : .differs, evidence: evidence, measured: measured)
    }
}
