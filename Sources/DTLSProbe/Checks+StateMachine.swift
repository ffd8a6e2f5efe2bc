import DTLSPlex
import DTLSWire

/// Checks of the server's handshake state machine at the client's flight 5: OpenSSL makes the flight
/// (`HeldHandshake`), the probe holds it and sends it as the check wants.
extension ProbeCheck {
    static let wrongFinished = ProbeCheck(
        "wrong-finished", rfc: "RFC 5246 §7.4.9",
        summary: "an authenticated Finished with a wrong verify_data is refused with decrypt_error or handshake_failure"
    ) { context in
        guard let held = try context.heldHandshake() else {
            return Outcome(verdict: .error, evidence: "no handshake reached the client's flight 5")
        }
        let protector = try RecordProtector(try held.secrets(), writer: .client)
        // The Finished OpenSSL wrote, opened, one byte of its verify_data flipped and protected again:
        // authentic to the record layer, wrong to the handshake.
        let forged = try held.flight.map { datagram in
            try OutgoingDatagram(try RecordLayer.split(datagram).records.map { record -> OutgoingRecord in
                guard record.header.epoch == 1 else { return record.outgoing() }
                let type = record.header.contentType
                let opened = try protector.unprotect(Array(record.fragment), contentType: type, version: record.header.version,
                                                     epoch: 1, sequence: record.header.sequence)
                guard case let .handshake(fragments) = DatagramDecoder.decodePlaintext(opened, contentType: type).body,
                      let finished = fragments.first, finished.header.type == HandshakeType.finished.rawValue,
                      !finished.body.isEmpty else { throw ProbeError("flight 5 has no Finished") }
                var verifyData = Array(finished.body)
                verifyData[0] ^= 0xFF
                let message = try OutgoingHandshake(.finished, messageSeq: finished.header.messageSeq, body: verifyData).whole
                return record.outgoing(payload: try protector.protect(message.encoded, contentType: type, version: record.header.version,
                                                                      epoch: 1, sequence: record.header.sequence))
            }).encoded
        }
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
        if alert.level == AlertLevel.fatal && (alert.description == 51 || alert.description == AlertDescription.handshakeFailure) {
            return Outcome(verdict: .pass, evidence: named, measured: measured)
        }
        return Outcome(verdict: .differs, evidence: named + " (RFC 5246 §7.2.2: decrypt_error)", measured: measured)
    }

    static let plaintextAlertInHandshake = ProbeCheck(
        "plaintext-alert-in-handshake", rfc: "RFC 5246 §7.2, RFC 6347 §4.1.2.7",
        summary: "a fatal alert in clear from the client's address mid-handshake ends it (informational: anyone can spoof one)"
    ) { context in
        guard let held = try context.heldHandshake() else {
            return Outcome(verdict: .error, evidence: "no handshake reached the client's flight 5")
        }
        // Above the record numbers of the hellos and of flight 5, which follows it.
        try held.raw.send(try OutgoingDatagram(.alert(Alert(level: AlertLevel.fatal, description: AlertDescription.handshakeFailure),
                                                      sequence: 10)).encoded)
        // Nothing more until the server shows it is still in the handshake by resending flight 4 (the
        // same ServerHello) when its timer fires: records to a server that ended it are stray, and
        // gnutls-serv, back to reading hellos only, would never read past them; a repeated ClientHello is
        // no test either (openssl s_server keeps cookies per handshake and refuses it).
        // RFC 6347's first timeout is 1 s (mbed TLS: 0.5 s), and flight 4 has just come.
        let wait = context.target.quick ? 1.3 : 2.0
        let resend = try held.raw.collect(for: wait) { arrivals in
            arrivals.contains { $0.decoded.serverHello.map { $0.random == held.serverRandom } ?? false }
        }
        guard resend.contains(where: { $0.decoded.serverHello != nil }) else {
            held.ended = true
            return Outcome(verdict: .pass, evidence: "the handshake ended: no resend of flight 4 within \(Formatting.fixed(wait, 1)) s (spoofable from the client's address)")
        }
        let start = held.raw.arrivals.count
        try held.send(held.flight)
        if try held.completes(from: start, wait: context.target.answerWait) {
            return Outcome(verdict: .differs, evidence: "ignored: flight 4 came again, and flight 5 completed the handshake (an unauthenticated alert changed nothing)")
        }
        return Outcome(verdict: .pass, evidence: "the handshake ended: flight 4 came again, but flight 5 went unanswered")
    }

    static let outOfOrderHandshake = ProbeCheck(
        "out-of-order-handshake", rfc: "RFC 6347 §4.2.2, §4.1",
        summary: "ChangeCipherSpec before ClientKeyExchange, Finished before ChangeCipherSpec, a gap in message_seq"
    ) { context in
        var outcomes: [(String, Reordering.Outcome)] = []
        for reordering in Reordering.all {
            guard let held = try context.heldHandshake() else {
                return Outcome(verdict: .error, evidence: "no handshake reached the client's flight 5")
            }
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
        guard let held = try context.heldHandshake(), let hello = held.sent.last else {
            return Outcome(verdict: .error, evidence: "no handshake reached the client's flight 5")
        }
        // At once after flight 4, a resend within this long is the duplicate's doing, not a timer's: the
        // shortest first timeout seen (mbed TLS) is 500 ms, RFC 6347's 1 s.
        let window = 0.2
        // What the server sent before (its flight 4 still coming, a resend) is not an answer.
        try held.raw.drain()
        let helloSent = Clock.now()
        try held.send(try held.resent([hello]))
        let helloAnswer = try held.raw.collect(for: window) { arrivals in arrivals.contains { $0.decoded.serverHello != nil } }
        let helloResend = helloAnswer.first { $0.decoded.serverHello != nil }.map { ($0.at - helloSent) * 1000 }

        let start = held.raw.arrivals.count
        try held.send(held.flight)
        guard try held.completes(from: start, wait: context.target.answerWait) else {
            return Outcome(verdict: .error, evidence: "the handshake did not complete after flight 5")
        }
        let finishedSent = Clock.now()
        try held.send(try held.resent(held.flight))
        let finishedAnswer = try held.raw.collect(for: held.answerWindow(atLeast: context.target.silence)) { arrivals in
            arrivals.contains(where: \.switchedEpoch)
        }
        let finishedResend = finishedAnswer.first(where: \.switchedEpoch).map { ($0.at - finishedSent) * 1000 }

        func said(_ delay: Double?, _ what: String) -> String {
            delay.map { "\(what) again after \(Formatting.fixed($0, $0 < 10 ? 1 : 0)) ms" } ?? "ignored"
        }
        let evidence = "a repeated ClientHello → \(said(helloResend, "flight 4")); a repeated flight 5 → \(said(finishedResend, "ChangeCipherSpec+Finished"))"
        var measured: [(String, MeasuredValue)] = []
        if let helloResend { measured.append(("hello_resend_ms", .number((helloResend * 10).rounded() / 10))) }
        if let finishedResend { measured.append(("finished_resend_ms", .number((finishedResend * 10).rounded() / 10))) }
        // A server that waits for its own timer still completes: the RFC's SHOULD, never a failure.
        return Outcome(verdict: helloResend != nil && finishedResend != nil ? .pass : .differs, evidence: evidence, measured: measured)
    }
}
