/// The guided lesson behind `tour`: a complete PSK handshake between two
/// sockets of this shell, one command at a time, with one lost flight. Each
/// step says what to type (Enter types it), and after it runs, what happened
/// and why.
struct Tour {
    struct Step {
        var command: String
        var before: String
        var after: String
    }

    private(set) var index = 0
    var isFinished: Bool { index >= Self.steps.count }
    var current: Step? { isFinished ? nil : Self.steps[index] }
    var progress: String { "\(min(index + 1, Self.steps.count))/\(Self.steps.count)" }

    mutating func advance() { index += 1 }

    static let steps: [Step] = [
        Step(command: "open srv accept",
             before: "A DTLS server needs a UDP socket. 'accept' lets unknown clients become peers on it.",
             after: "srv is bound to a free port on 127.0.0.1. No peer exists yet."),
        Step(command: "open cli",
             before: "The client needs a socket of its own.",
             after: "cli is bound too. Both sockets live in this one shell and one engine."),
        Step(command: "connect c1 cli srv",
             before: "Make a client peer, c1, on cli, talking to srv's address.",
             after: "c1 exists but has said nothing: in manual mode nothing moves until you step it."),
        Step(command: "step c1",
             before: "Flight 1. Step c1: OpenSSL runs SSL_do_handshake once.",
             after: "c1 wrote a ClientHello into its outbound queue and now waits (SSL_ERROR_WANT_READ). A retransmission timer started: if no answer comes, c1 will send it again. In manual mode time stands still for OpenSSL: an expired timer fires only when you tick (or wait, handshake, auto on)."),
        Step(command: "flush c1",
             before: "Nothing leaves a socket until it is flushed. Send c1's queue.",
             after: "The ClientHello is on the wire, one datagram to srv."),
        Step(command: "recv srv",
             before: "Flight 2. Let srv receive what is waiting on it.",
             after: "srv saw a ClientHello without a cookie from an unknown address. It made no peer (no state: a forged source costs nothing) and queued a small HelloVerifyRequest carrying a cookie, an HMAC of the client's address and port."),
        Step(command: "flush srv",
             before: "The HelloVerifyRequest waits on the socket itself. Send it.",
             after: "The cookie is on its way back to the address the ClientHello claimed."),
        Step(command: "recv cli",
             before: "cli receives it; the datagram is routed by its source to c1's inbound queue.",
             after: "c1 has one datagram waiting. OpenSSL has not seen it yet."),
        Step(command: "step c1",
             before: "Flight 3. Step c1 again.",
             after: "c1 read the HelloVerifyRequest and wrote a second ClientHello, now with the cookie: proof that it really receives at its address."),
        Step(command: "flush c1",
             before: "Send it.",
             after: "Sent."),
        Step(command: "recv srv",
             before: "srv receives the ClientHello with the cookie.",
             after: "The cookie checks out, so now, and only now, srv made a peer for this client: srv.1. The ClientHello waits inside its SSL."),
        Step(command: "step srv.1",
             before: "Flight 4. Step the server peer.",
             after: "srv.1 wrote ServerHello and ServerHelloDone (with a PSK there is no certificate) and started its own timer."),
        Step(command: "drop srv.1 out all",
             before: "Now the network loses flight 4. Drop srv.1's queue instead of flushing it.",
             after: "Flight 4 is gone. Neither side knows: c1 waits for an answer that will not come."),
        Step(command: "timers",
             before: "Look at the timers.",
             after: "Both peers have a retransmission timer armed (1 s at first, doubling each time up to 60 s). UDP does not tell anyone about loss; timers are how DTLS finds out."),
        Step(command: "tick srv.1",
             before: "Who notices the loss? srv.1's own timer: nothing that arrives tells it. Wait for the timer and fire it (this waits up to a second).",
             after: "srv.1's timer fired: OpenSSL queued flight 4 again, the same ServerHello and ServerHelloDone, and doubled the timer."),
        Step(command: "flush srv.1",
             before: "Send flight 4, this time for real.",
             after: "Sent."),
        Step(command: "recv cli",
             before: "cli receives it.",
             after: "c1 has flight 4 waiting."),
        Step(command: "step c1",
             before: "Flight 5. Step c1.",
             after: "c1 read ServerHello and ServerHelloDone, and wrote ClientKeyExchange (the PSK identity), ChangeCipherSpec and Finished. Finished is the first encrypted message: epoch 1."),
        Step(command: "flush c1",
             before: "Send flight 5.",
             after: "Sent."),
        Step(command: "recv srv",
             before: "srv receives it.",
             after: "srv.1 has flight 5 waiting."),
        Step(command: "step srv.1",
             before: "Flight 6. Step srv.1.",
             after: "srv.1 checked c1's Finished (so both hold the same key) and answered with its own ChangeCipherSpec and Finished. srv.1 is established."),
        Step(command: "flush srv.1",
             before: "Send flight 6.",
             after: "Sent."),
        Step(command: "recv cli",
             before: "cli receives it.",
             after: "c1 has the last flight waiting."),
        Step(command: "step c1",
             before: "Step c1 one last time.",
             after: "c1 checked the server's Finished: both sides are established."),
        Step(command: "send c1 hello",
             before: "Send application data: one message is one record in one datagram.",
             after: "Queued, encrypted under epoch 1."),
        Step(command: "flush c1",
             before: "Send it.",
             after: "Sent."),
        Step(command: "recv srv",
             before: "srv receives it.",
             after: "Routed to srv.1."),
        Step(command: "step srv.1",
             before: "Once established, a step is one SSL_read pass.",
             after: "srv.1 decrypted one message."),
        Step(command: "read srv.1",
             before: "Read it.",
             after: "That is a whole DTLS 1.2 handshake with a lost flight, by hand. Try 'ladder', 'explain', 'auto on', or the lessons in sample-sessions/."),
    ]
}
