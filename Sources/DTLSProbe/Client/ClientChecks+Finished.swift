import DTLSPlex
import DTLSWire

/// Client checks of the server's Finished: one whose record does not authenticate, and one that does but
/// says the wrong thing. The probe-as-server holds the association's keys (OpenSSL's master secret and
/// the key block from its PRF), so it can protect a Finished the client takes as the server's own.
extension ClientCheck {
    static let clientBadFinishedTag = ClientCheck(
        "client-bad-finished-tag", rfc: "RFC 6347 §4.1.2.7",
        summary: "flight 6 with the Finished record's tag corrupted, then the intact one once flight 5 comes again"
    ) { session in
        try session.withFlight6Held { six in
            let tampered = try six.map { try FlightRewrite.mapRecords($0) { $0.isProtectedHandshake ? $0.tampered : $0 } }
            try session.send(tampered, flight: 6, rewritten: true)
            let sent = session.engine.now()
            let before = session.flight5Times.count
            session.await(for: 6) { session.flight5Times.count > before || session.fatalAlert != nil }
            if let alert = session.fatalAlert {
                // §4.1.2.7: invalid records SHOULD be discarded silently; an implementation MAY end with a fatal alert.
                return Outcome(verdict: .differs, evidence: "\(alert.levelName) \(alert.descriptionName) alert for the bad record")
            }
            guard let resent = session.flight5Times.dropFirst(before).first else {
                return Outcome(verdict: .fail, evidence: "no resend of flight 5 within 6 s of a Finished that did not authenticate")
            }
            let resendMs = ((resent - sent) * 1000).rounded()
            // The resent flight 5 is a copy the server does not read: the intact Finished goes, with the
            // sequence number the bad one had, which the client's replay window must not have taken.
            session.discardInbound()
            try session.send(six, flight: 6)
            // The client's timer has doubled since: its next resend would come twice as late.
            let ending = session.settle(quiet: max(session.quietWait, 2 * (resent - sent) + 0.5))
            let measured: [(String, MeasuredValue)] = [
                ("resend_after_ms", .number(resendMs)), ("flight5_sent", .number(Double(ending.flight5Sent))),
            ]
            let evidence = "discarded silently; flight 5 again after \(Int(resendMs)) ms; the intact Finished: \(ending.summary)"
            guard ending.completed else { return Outcome(verdict: .fail, evidence: evidence, measured: measured) }
            if ending.flight5Sent > before + 1 {
                return Outcome(verdict: .differs,
                               evidence: "\(evidence) only after the server's own resend with new sequence numbers "
                                   + "(the bad record took its number in the replay window: §4.1.2.6 says not to)",
                               measured: measured)
            }
            return Outcome(verdict: .pass, evidence: evidence, measured: measured)
        }
    }

    static let clientWrongFinished = ClientCheck(
        "client-wrong-finished", rfc: "RFC 5246 §7.4.9",
        summary: "flight 6 with an authenticated Finished whose verify_data is wrong"
    ) { session in
        try session.withFlight6Held { six in
            guard let keys = session.keys?.server else {
                return Outcome(verdict: .error, evidence: "no record keys for \(session.peer.cipher ?? "this suite")")
            }
            let forged = try six.map { try FlightRewrite.mapRecords($0) { $0.isProtectedHandshake ? try keys.wrongFinished($0) : $0 } }
            try session.send(forged, flight: 6, rewritten: true)
            let before = session.flight5Times.count
            session.await(for: 4) { session.fatalAlert != nil || session.flight5Times.count > before }
            if let alert = session.fatalAlert {
                return Outcome(verdict: .pass, evidence: "\(alert.levelName) \(alert.descriptionName) alert",
                               measured: [("alert", .text(alert.descriptionName))])
            }
            if session.flight5Times.count > before {
                return Outcome(verdict: .differs, evidence: "no alert: flight 5 sent again, as if the Finished had been lost")
            }
            if session.unopenedAlerts > 0 { return Outcome(verdict: .pass, evidence: "an alert the probe could not open") }
            return Outcome(verdict: .differs, evidence: "no alert and no resend within 4 s: gave up silently, or took it")
        }
    }
}
