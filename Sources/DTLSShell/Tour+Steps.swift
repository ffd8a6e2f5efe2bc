import DTLSPlex

// The tour's story. Each sentence after a command reads the state it
// describes, so it stays true under any timing; the claims about who resends
// what are OpenSSL 3.0's behaviour, checked by TeachingTests and
// FirstHandshakeTests against the real library.
extension Tour {
    static func steps(_ n: Names) -> [Step] {
        let (srv, cli, c1, s1) = (n.srv, n.cli, n.client, n.server)
        func sent(_ v: TourView) -> String { "Sent." }
        return [
            Step(command: "open \(srv) accept",
                 before: "A DTLS server needs a UDP socket. 'accept' lets unknown clients become peers on it.",
                 after: { _ in "\(srv) is bound to a free port on 127.0.0.1. No peer exists yet." }),
            Step(command: "open \(cli)",
                 before: "The client needs a socket of its own.",
                 after: { _ in "\(cli) is bound too. Both sockets live in this one shell and one engine." }),
            Step(command: "connect \(c1) \(cli) \(srv)",
                 before: "Make a client peer, \(c1), on \(cli), talking to \(srv)'s address.",
                 after: { _ in "\(c1) exists but has said nothing: in manual mode nothing moves until you step it." }),
            Step(command: "step \(c1)",
                 before: "Flight 1. Step \(c1): OpenSSL runs SSL_do_handshake once.",
                 after: { v in
                     "\(c1) wrote a ClientHello into its outbound queue (\(TourView.datagrams(v.queued(v.client)))) and now waits (SSL_ERROR_WANT_READ). "
                         + "Its retransmission timer started (\(v.timer(v.client))): if no answer comes, \(c1) sends the ClientHello again. "
                         + "In manual mode time stands still for OpenSSL: an expired timer fires only when you tick (or wait, handshake, auto on)."
                 }),
            Step(command: "flush \(c1)",
                 before: "Nothing leaves a socket until it is flushed. Send \(c1)'s queue.",
                 after: { _ in "The ClientHello is on the wire, one datagram to \(srv)." }),
            Step(command: "recv \(srv)",
                 before: "Flight 2. Let \(srv) receive what is waiting on it.",
                 after: { v in
                     guard v.server == nil, let s = v.engine.socket(named: srv), !s.outbound.isEmpty else {
                         return "Nothing arrived yet; press Enter again (the tour types 'recv \(srv)' once more)."
                     }
                     return "\(srv) saw a ClientHello without a cookie from an unknown address. It made no peer (no state: a forged source costs nothing) "
                         + "and queued a small HelloVerifyRequest carrying a cookie, an HMAC of the client's address and port. "
                         + "It keeps no copy and no timer: a lost HelloVerifyRequest is never resent; the client's timer resends its ClientHello."
                 }),
            Step(command: "flush \(srv)",
                 before: "The HelloVerifyRequest waits on the socket itself. Send it.",
                 after: { _ in "The cookie is on its way back to the address the ClientHello claimed." }),
            Step(command: "recv \(cli)",
                 before: "\(cli) receives it; the datagram is routed by its source to \(c1)'s inbound queue.",
                 after: { v in "\(c1) has \(TourView.datagrams(v.waiting(v.client))) waiting. OpenSSL has not seen it yet." }),
            Step(command: "step \(c1)",
                 before: "Flight 3. Step \(c1) again.",
                 after: { _ in "\(c1) read the HelloVerifyRequest and wrote a second ClientHello, now with the cookie: proof that it really receives at its address." }),
            Step(command: "flush \(c1)", before: "Send it.", after: sent),
            Step(command: "recv \(srv)",
                 before: "\(srv) receives the ClientHello with the cookie.",
                 after: { v in
                     v.server == nil ? "No peer yet: the ClientHello has not arrived."
                         : "The cookie checks out, so now, and only now, \(srv) made a peer for this client: \(s1). The ClientHello waits inside its SSL."
                 }),
            Step(command: "step \(s1)",
                 before: "Flight 4. Step the server peer.",
                 after: { v in
                     "\(s1) wrote ServerHello and ServerHelloDone (with a PSK there is no certificate), "
                         + "\(TourView.datagrams(v.queued(v.server))) queued, and started its own timer (\(v.timer(v.server)))."
                 }),
            Step(command: "drop \(s1) out all",
                 before: "Now the network loses flight 4. Drop \(s1)'s queue instead of flushing it.",
                 after: { _ in "Flight 4 is gone. Neither side knows: \(c1) waits for an answer that will not come." }),
            Step(command: "timers",
                 before: "Look at the timers.",
                 after: { v in
                     "\(c1)'s timer: \(v.timer(v.client)); \(s1)'s: \(v.timer(v.server)). UDP does not tell anyone about loss; timers are how DTLS finds out. "
                         + "The first timeout is 1 s, doubling each time up to 60 s."
                 }),
            Step(command: "tick \(s1)",
                 before: "Who recovers flight 4? Only \(s1)'s own timer: a repeated ClientHello from \(c1) would not make OpenSSL 3.0 resend it. "
                     + "Wait for \(s1)'s timer and fire it (this waits up to a second).",
                 after: { v in
                     guard let s = v.server, s.counters.retransmits > 0, v.queued(s) > 0 else {
                         return "\(s1)'s timer did not resend anything: 'explain \(s1)' says why."
                     }
                     let c = v.timer(v.client)
                     return "\(s1)'s timer fired: OpenSSL queued flight 4 again (\(TourView.datagrams(v.queued(s)))) "
                         + "and doubled the timer (\(v.timer(s))). "
                         + (c == "expired" ? "\(c1)'s timer has expired too, but in manual mode it fires only when you tick it."
                                           : "\(c1)'s timer (\(c)) fires only when you tick it.")
                 }),
            Step(command: "flush \(s1)",
                 before: "Send flight 4, this time for real.",
                 after: sent),
            Step(command: "recv \(cli)",
                 before: "\(cli) receives it.",
                 after: { v in "\(c1) has flight 4 waiting (\(TourView.datagrams(v.waiting(v.client))))." }),
            Step(command: "step \(c1)",
                 before: "Flight 5. Step \(c1).",
                 after: { v in
                     "\(c1) read ServerHello and ServerHelloDone, and wrote ClientKeyExchange (the PSK identity), ChangeCipherSpec and Finished. "
                         + "Finished is the first encrypted message: epoch 1. A new flight, a new timer (\(v.timer(v.client)))."
                 }),
            Step(command: "flush \(c1)", before: "Send flight 5.", after: sent),
            Step(command: "recv \(srv)",
                 before: "\(srv) receives it.",
                 after: { v in "\(s1) has flight 5 waiting (\(TourView.datagrams(v.waiting(v.server))))." }),
            Step(command: "step \(s1)",
                 before: "Flight 6. Step \(s1).",
                 after: { v in
                     v.server?.status == .established
                         ? "\(s1) checked \(c1)'s Finished (so both hold the same key) and answered with its own ChangeCipherSpec and Finished. "
                             + "\(s1) is established and has no timer: if flight 6 were lost, \(c1)'s timer would resend flight 5, "
                             + "and only that repeated Finished makes \(s1) send flight 6 again."
                         : "\(s1) is \(v.server?.status.rawValue ?? "gone"): 'explain \(s1)' says why."
                 }),
            Step(command: "flush \(s1)", before: "Send flight 6.", after: sent),
            Step(command: "recv \(cli)",
                 before: "\(cli) receives it.",
                 after: { _ in "\(c1) has the last flight waiting." }),
            Step(command: "step \(c1)",
                 before: "Step \(c1) one last time.",
                 after: { v in
                     v.client?.status == .established ? "\(c1) checked the server's Finished: both sides are established."
                         : "\(c1) is \(v.client?.status.rawValue ?? "gone"): 'explain \(c1)' says why."
                 }),
            Step(command: "send \(c1) hello",
                 before: "Send application data: one message is one record in one datagram.",
                 after: { _ in "Queued, encrypted under epoch 1." }),
            Step(command: "flush \(c1)", before: "Send it.", after: sent),
            Step(command: "recv \(srv)",
                 before: "\(srv) receives it.",
                 after: { _ in "Routed to \(s1)." }),
            Step(command: "step \(s1)",
                 before: "Once established, a step is one SSL_read pass.",
                 after: { v in "\(s1) decrypted \(v.server?.received.count ?? 0) message\(v.server?.received.count == 1 ? "" : "s")." }),
            Step(command: "read \(s1)",
                 before: "Read it.",
                 after: { _ in
                     "That is a whole DTLS 1.2 handshake with a lost flight, by hand. Try 'ladder', 'explain', 'auto on', or the lessons in sample-sessions/."
                 }),
        ]
    }
}
