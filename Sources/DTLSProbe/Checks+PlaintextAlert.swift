import DTLSPlex
import DTLSWire

/// Whether a fatal alert in clear, from the client's address, ends a handshake in progress. The evidence
/// is the server's answer to what the client sends next, never its timer (tinydtls' first resend comes
/// after 2 s). What the probe sends must not harm a server that did end the handshake: openssl s_server
/// then starts over with a fresh state machine that buffers any handshake message of a later
/// message_seq — a ClientHello with the cookie, a flight 5 — and takes it for the next client's, failing
/// the handshakes that follow. So first a fresh ClientHello (message_seq 0) from the same port: a server
/// in the handshake drops it as old, one that ended answers it as a new client's. Flight 5 follows only
/// where it cannot be stray.
extension ProbeCheck {
    static let plaintextAlertInHandshake = ProbeCheck(
        "plaintext-alert-in-handshake", rfc: "RFC 5246 §7.2, RFC 6347 §4.1.2.7",
        summary: "a fatal alert in clear from the client's address mid-handshake ends it (informational: anyone can spoof one)"
    ) { context in
        let held = try context.requireHeldHandshake()
        try held.sendSpoofedAlert()
        let spoofable = " (spoofable from the client's address)"
        let answer = try held.freshHello(wait: held.answerWindow(atLeast: context.target.silence))
        switch answer {
        case .sameHandshake:
            return try flight5Tells(held, context.target, after: "a fresh ClientHello got flight 4 again; ", spoofable)
        case .silence:
            return try flight5Tells(held, context.target, after: "a fresh ClientHello went unanswered; ", spoofable)
        case .newHandshake, .newClient:
            held.ended = answer != .newHandshake
            held.end()
            // A new client's answer says the alert ended the handshake only if a live handshake's port gets
            // another (tinydtls answers every cookie-less hello with a HelloVerifyRequest): one without the
            // alert tells.
            let control = try context.requireHeldHandshake("second ")
            let live = try control.freshHello(wait: control.answerWindow(atLeast: context.target.silence))
            control.end()
            guard live == answer else {
                return Outcome(verdict: .pass, evidence: "the handshake ended: a fresh ClientHello got \(answer), where without the alert it got \(live)"
                               + spoofable, measured: [("answer", .text("new-client"))])
            }
            // The server answers hellos beside a handshake in progress, keeping it per address: a flight 5
            // after the alert is no stray that another client's handshake could take.
            let third = try context.requireHeldHandshake("third ")
            try third.sendSpoofedAlert()
            return try flight5Tells(third, context.target, after: "a fresh ClientHello gets \(answer) even beside a live handshake, so on another: ",
                                    spoofable)
        }
    }

    /// The held flight 5 after the alert: a server still in the handshake answers it with its
    /// ChangeCipherSpec and Finished at once.
    private static func flight5Tells(_ held: HeldHandshake, _ target: ProbeTarget, after prefix: String, _ suffix: String) throws -> Outcome {
        let wait = held.answerWindow(atLeast: target.answerWait)
        let sent = try held.sendFlight5(wait: wait)
        if sent.completed {
            return Outcome(verdict: .differs, evidence: prefix + "flight 5 after the alert completed the handshake (an unauthenticated alert changed nothing)",
                           measured: [("answer", .text("completed"))])
        }
        let answer = sent.answers.lazy.flatMap(\.decoded.alerts).first.map { "a \($0.levelName) \($0.descriptionName) alert" }
            ?? "no ChangeCipherSpec+Finished within \(Formatting.fixed(wait, 1)) s"
        return Outcome(verdict: .pass, evidence: prefix + "the handshake ended: flight 5 after the alert got \(answer)" + suffix,
                       measured: [("answer", .text("unanswered"))])
    }
}
