import DTLSPlex
import DTLSShell
import Testing

/// `explain`: plain words for every state of the manual handshake.
@Suite struct ExplainTests {
    @Test func beforeThereArePeers() {
        let t = Transcript()
        #expect(t.prose("explain").hasPrefix("no peers yet"))
        t.fails("explain c9", "no peer named 'c9'")
        #expect(t.ok("help explain").first == "usage: explain [PEER]")
    }

    @Test func everyStepOfTheFirstHandshake() {
        let t = Transcript()
        t.twoSockets(["set psk client:00112233445566778899aabbccddeeff"])
        var s = t.prose("explain c1")
        #expect(s.hasPrefix("c1 is a client on cli talking to srv (127.0.0.1:"))
        #expect(s.contains("It has sent nothing yet: its first step writes flight 1 (ClientHello)."))
        #expect(s.hasSuffix("Next: step c1 (it writes flight 1, the ClientHello)."))

        t.ok("step c1")
        s = t.prose("explain c1")
        #expect(s.contains("It has written flight 1 (ClientHello), and now expects flight 2 (HelloVerifyRequest) — or flight 4 (ServerHello … ServerHelloDone) if the server skips the cookie exchange."))
        #expect(s.contains("Its retransmission timer is armed: it fires in "))
        #expect(s.contains("and resends flight 1 unless the answer comes first."))
        #expect(s.contains("1 datagram waits in its outbound queue, not yet sent: ClientHello."))
        #expect(s.hasSuffix("Next: flush c1 (c1 has written datagrams that have not been sent)."))

        t.ok("flush c1")
        s = t.prose("explain c1")
        #expect(s.contains("It has sent flight 1 (ClientHello)"))
        #expect(s.contains("Flight 1 is on its way: it waits in srv's receive buffer."))
        #expect(s.hasSuffix("Next: recv srv (c1's datagram waits in srv's receive buffer)."))

        t.waitReadable("srv")
        t.ok("recv srv")
        s = t.prose("explain")
        #expect(s.hasPrefix("srv holds flight 2 (HelloVerifyRequest) for 127.0.0.1:"))
        #expect(s.contains("and no state for it: a server peer exists only once the ClientHello comes back with the cookie. Next: flush srv"))
        #expect(t.prose("explain c1").hasSuffix("Next: flush srv (srv holds its stateless answer, a HelloVerifyRequest)."))

        t.ok("flush srv")
        #expect(t.prose("explain c1").hasSuffix("Next: recv cli (a datagram for c1 waits in cli's receive buffer)."))
        t.waitReadable("cli")
        t.ok("recv cli")
        s = t.prose("explain c1")
        #expect(s.contains("1 datagram waits in its inbound queue, not yet read by OpenSSL: HelloVerifyRequest."))
        #expect(s.hasSuffix("Next: step c1 (c1 has received datagrams OpenSSL has not read)."))

        t.ok("step c1")
        s = t.prose("explain c1")
        #expect(s.contains("It has written flight 3 (ClientHello with the cookie) and read flight 2 (HelloVerifyRequest), and now expects flight 4 (ServerHello … ServerHelloDone)."))
        t.deliver("c1", to: "srv")
        s = t.prose("explain srv.1")
        #expect(s.hasPrefix("srv.1 is a server on srv talking to cli (127.0.0.1:"))
        #expect(s.contains("It was admitted on flight 3 (ClientHello with the cookie); OpenSSL holds that hello"))
        #expect(s.hasSuffix("Next: step srv.1 (it answers the ClientHello)."))
        #expect(t.prose("explain c1").hasSuffix("Next: step srv.1 (srv.1 holds the ClientHello that admitted it and has not answered yet)."))

        t.ok("step srv.1")
        s = t.prose("explain srv.1")
        #expect(s.contains("It has written flight 4 (ServerHello, ServerHelloDone) and read flight 3 (ClientHello with the cookie), and now expects flight 5"))
        #expect(s.hasSuffix("Next: flush srv.1 (srv.1 has written datagrams that have not been sent)."))
        t.deliver("srv.1", to: "cli")
        s = t.prose("explain srv.1")
        #expect(s.contains("Flight 4 has reached c1, whose OpenSSL has not read it yet."))
        #expect(s.hasSuffix("Next: step c1 (c1, the other end, has received datagrams OpenSSL has not read)."))

        t.ok("step c1")
        s = t.prose("explain c1")
        #expect(s.contains("It has written flight 5 (ClientKeyExchange, ChangeCipherSpec, Finished) and read flight 4 (ServerHello, ServerHelloDone), and now expects flight 6 (ChangeCipherSpec, Finished)."))
        t.deliver("c1", to: "srv")
        t.ok("step srv.1")
        s = t.prose("explain srv.1")
        #expect(s.hasPrefix("srv.1 is a server on srv talking to cli (127.0.0.1:") && s.contains("), established."))
        #expect(s.contains("The handshake is complete: DTLSv1.2 with PSK-AES128-GCM-SHA256 (the last flights: it wrote 6 and read 5)."))
        #expect(s.hasSuffix("Next: flush srv.1 (srv.1 has written datagrams that have not been sent)."))
        #expect(!s.contains("timer is armed"))

        t.deliver("srv.1", to: "cli")
        t.ok("step c1")
        s = t.prose("explain c1")
        #expect(s.contains("The handshake is complete: DTLSv1.2 with PSK-AES128-GCM-SHA256 (the last flights: it sent 5 and read 6)."))
        #expect(s.hasSuffix("Next: send c1 TEXT (the handshake is done)."))
        #expect(!s.contains("Cause"))

        t.ok("send c1 hello")
        t.deliver("c1", to: "srv")
        t.ok("step srv.1")
        s = t.prose("explain srv.1")
        #expect(s.contains("1 application message arrived and waits to be read."))
        #expect(s.hasSuffix("Next: read srv.1 (1 message arrived)."))
    }

    @Test func afterClose() {
        let t = Transcript()
        t.twoSockets()
        t.ok("handshake c1")
        t.ok("close c1")
        #expect(t.prose("explain c1") == "c1 is gone: closed here (close_notify to the other side), then forgotten. Its close_notify waits on cli: next: flush cli.")
        t.deliver("cli", to: "srv")
        t.ok("step srv.1")
        let s = t.prose("explain")
        #expect(s.contains("srv.1 is a server on srv talking to cli (127.0.0.1:"))
        #expect(s.contains(", closed. It ended: close_notify received. 1 datagram waits in its outbound queue, not yet sent: Alert (encrypted)."))
        #expect(s.hasSuffix("c1 is gone: closed here (close_notify to the other side), then forgotten."))
        #expect(LadderTests.arrows(t.ok("ladder")).last?.hasSuffix("Alert(warning close notify) (39 B)") == true)
    }

    @Test func autoModeMovesByItself() {
        let t = Transcript()
        t.twoSockets()
        t.ok("auto on")
        #expect(t.prose("explain c1").hasSuffix("Auto is on: the engine receives, steps, flushes and fires timers by itself."))
    }

    @Test func aDroppedFlight() {
        let t = Transcript()
        t.twoSockets(["set timer-initial 100"])
        t.throughFlight3()
        t.ok("step srv.1")
        t.ok("drop srv.1 out all")
        var s = t.prose("explain srv.1")
        #expect(s.contains("Flight 4 never arrived (lost: dropped by hand); the retransmission timer sends it again."))
        let next = t.prose("explain c1")
        #expect(next.contains("Next: tick c1 (nothing is on its way: of the 2 retransmission timers, c1's runs out first"), "\(next)")
        #expect(!next.contains("only"), "srv.1's timer runs too: \(next)")
        t.ok("tick c1")
        // Both timers have run out now (srv.1's was armed with c1's): explain names both.
        let both = t.prose("explain c1")
        #expect(both.contains("Next: flush c1"), "\(both)")
        t.ok("drop c1 out all")
        t.ok("tick srv.1")
        t.ok("drop srv.1 out all")
        let again = t.prose("explain c1")
        #expect(again.contains("tick"), "\(again)")
        #expect(!again.contains("only"), "\(again)")
        t.ok("tick c1")
        s = t.prose("explain c1")
        #expect(s.contains("It has resent its last flight 2 times so far."))
        #expect(s.contains("1 datagram waits in its outbound queue, not yet sent: ClientHello with cookie."))
        #expect(!s.contains("Cause"), "one retransmission is no failure: \(s)")
    }
}
