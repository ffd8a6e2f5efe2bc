import DTLSPlex
import DTLSShell
import Testing

/// `explain` after each classic mistake: the cause in one sentence, naming the
/// alert, OpenSSL's reason and the likely mistake. A server socket keeps the
/// settings it was opened with, so one shell holds both sides of a mismatch.
@Suite struct ExplainFailureTests {
    static let key = "set psk client:00112233445566778899aabbccddeeff"
    static let otherKey = "set psk client:ffeeddccbbaa99887766554433221100"

    @Test func wrongPSKInOneShell() {
        let t = Transcript()
        t.twoSockets(["set timer-initial 100", Self.key], server: [Self.otherKey])
        t.throughFlight3()
        t.throughFlight5()
        t.ok("expect state srv.1 handshaking")  // DTLS drops what it cannot decrypt, without a word
        var s = t.prose("explain srv.1")
        #expect(s.contains("It has sent flight 4 (ServerHello, ServerHelloDone) and read flight 5 (ClientKeyExchange, ChangeCipherSpec), and waits for the rest of flight 5 (its Finished)."))
        #expect(s.contains("Cause: srv.1 read the client's ChangeCipherSpec but could not decrypt the Finished that came with it (DTLS drops such a record without an alert, so OpenSSL reports no error) — likely a PSK mismatch: both sides use the identity \"client\" but not the same key"), "\(s)")
        #expect(!t.prose("explain c1").contains("Cause"), "c1 cannot tell yet")

        // The server's timer resends flight 4: now c1 sees its Finished was refused.
        t.ok("tick srv.1")
        t.deliver("srv.1", to: "cli")
        s = t.prose("explain c1")
        #expect(s.contains("Cause: the server sent flight 4 again after c1's flight 5 reached it, so it did not accept c1's Finished — likely a PSK mismatch"), "\(s)")
        let rows = LadderTests.arrows(t.ok("ladder"))
        #expect(rows.last?.contains("flight 4") == true && rows.last?.hasSuffix("retransmission") == true)
    }

    /// `handshake c1` stops once srv.1 has refused c1's Finished twice (its
    /// 100 ms timer resends flight 4), not at the 30 s deadline, and says why.
    @Test func handshakeCommandStopsAtTheRefusal() {
        let t = Transcript()
        t.twoSockets(["set timer-initial 100", "set handshake-timeout 30", Self.key], server: [Self.otherKey])
        let out = t.ok("handshake c1")
        #expect(Array(out.suffix(2)) == [
            "c1: evicted: handshake refused — a PSK mismatch: both sides use the identity \"client\" but not the same key — "
                + "fix: --psk IDENTITY:HEX with the key the peer has (shell: set psk IDENTITY:HEX)",
            "c1: handshake failed: the server resent its flight 4 twice after this side's Finished",
        ], "\(out)")
        t.ok("expect state srv.1 handshaking")
        #expect(t.prose("explain c1").contains("Cause: c1 gave up (the server resent its flight 4 twice after this side's Finished) — "
                                               + "the server sent flight 4 again after c1's flight 5 reached it"), "\(t.prose("explain c1"))")
        let rows = LadderTests.arrows(t.ok("ladder c1"))
        #expect(rows.filter { $0.contains("flight 4") && $0.contains("ServerHelloDone") && $0.hasSuffix("retransmission") }.count >= 2,
                "\(rows)")
    }

    /// `wait until established` ends as `handshake` does: at the refusal of
    /// c1's Finished, and at once when the handshake fails, not at its time.
    @Test func waitUntilEstablishedStopsWhenItCannotHappen() {
        let t = Transcript()
        t.twoSockets(["set timer-initial 100", Self.key], server: [Self.otherKey])
        t.ok("auto on")
        var failures = t.shell.failures
        var out = t.run("wait until established c1 for 30s")
        #expect(t.shell.failures == failures + 1)
        #expect(out.last == "error: c1: handshake failed: the server resent its flight 4 twice after this side's Finished", "\(out)")

        let u = Transcript()
        u.twoSockets(["set ciphers PSK-AES128-GCM-SHA256"], server: ["set ciphers PSK-AES256-GCM-SHA384"])
        u.ok("auto on")
        failures = u.shell.failures
        out = u.run("wait until established c1 for 30s")
        #expect(u.shell.failures == failures + 1)
        #expect(out.last?.hasPrefix("error: c1: handshake failed: ") == true && out.last?.contains("waited") == false, "\(out)")

        // A server peer whose client came and went was established: it says so.
        let v = Transcript()
        v.twoSockets([Self.key])
        v.ok("auto on")
        v.ok("wait until established srv.1 for 5s")
        v.ok("wait until established c1 for 5s")
        v.ok("close c1")
        v.ok("wait until closed srv.1 for 5s")
        v.fails("wait until established srv.1 for 30s", "srv.1 was established, and is closed now: close_notify received")
    }

    @Test func wrongPSKInTwoShells() {
        let server = Transcript(), client = Transcript()
        server.ok("set timer-initial 100")
        server.ok(Self.otherKey)
        server.ok("open srv accept")
        client.ok(Self.key)
        client.ok("open cli")
        client.ok("connect c1 cli \(server.address(of: "srv"))")
        func toServer() { client.ok("flush c1"); server.waitReadable("srv"); server.ok("recv srv") }
        func toClient(_ from: String) { server.ok("flush \(from)"); client.waitReadable("cli"); client.ok("recv cli") }
        client.ok("step c1"); toServer(); toClient("srv")
        client.ok("step c1"); toServer()
        server.ok("step srv.1"); toClient("srv.1")
        client.ok("step c1"); toServer()
        server.ok("step srv.1")
        #expect(server.prose("explain").contains("likely a PSK mismatch: both sides use the identity \"client\" but not the same key"))
        server.ok("tick srv.1")
        toClient("srv.1")
        let s = client.prose("explain c1")
        #expect(s.contains("c1 is a client on cli talking to 127.0.0.1:"))
        #expect(s.contains("Cause: the server sent flight 4 again after c1's flight 5 reached it, so it did not accept c1's Finished — likely a PSK mismatch"), "\(s)")
        let ladder = client.ok("ladder")
        #expect(ladder[1].contains("cli") && ladder[1].contains("remote (c1)"))
        #expect(LadderTests.arrows(ladder).filter { $0.contains("flight 4") && $0.hasSuffix("retransmission") }.count == 2)
    }

    @Test func unknownPSKIdentity() {
        let t = Transcript()
        t.twoSockets([Self.key], server: ["set psk other:00112233445566778899aabbccddeeff"])
        t.throughFlight3()
        t.throughFlight5()
        t.deliver("srv.1", to: "cli")
        t.ok("step c1")
        #expect(t.prose("explain srv.1").contains("Cause: srv.1 sent the alert \"fatal unknown PSK identity\" (OpenSSL: psk identity not found) — likely a PSK identity mismatch: the server has no key for the identity \"client\""))
        #expect(t.prose("explain c1").contains("Cause: c1 received the alert \"fatal unknown PSK identity\" (OpenSSL: tlsv1 alert unknown psk identity) — likely a PSK identity mismatch"))
    }

    @Test func noSharedCipher() {
        let t = Transcript()
        t.twoSockets(["set ciphers PSK-AES128-GCM-SHA256"], server: ["set ciphers PSK-AES256-GCM-SHA384"])
        t.throughFlight3()
        t.ok("step srv.1")
        var s = t.prose("explain srv.1")
        #expect(s.contains(", failed. Its handshake failed"))
        #expect(s.contains("Cause: srv.1 sent the alert \"fatal handshake failure\" (OpenSSL: no shared cipher) — likely no shared cipher: the client offered PSK-AES128-GCM-SHA256; this side allows PSK-AES256-GCM-SHA384. Fix: --ciphers with a suite both sides allow (shell: set ciphers)"))
        #expect(s.hasSuffix("Next: flush srv.1 (srv.1 has written datagrams that have not been sent)."), "the alert is still queued")
        t.deliver("srv.1", to: "cli")
        t.ok("step c1")
        s = t.prose("explain c1")
        #expect(s.contains("Cause: c1 received the alert \"fatal handshake failure\" (OpenSSL: sslv3 alert handshake failure) — likely no shared cipher"))
        #expect(s.contains("To try again, fix the setting and make a new peer: settings apply to peers made afterwards."))
        #expect(LadderTests.arrows(t.ok("ladder")).last?.hasSuffix("Alert(fatal handshake_failure) (15 B)") == true)
    }

    @Test func versionMismatch() {
        let t = Transcript()
        t.twoSockets(["set version 1.0"], server: ["set version 1.2"])
        t.throughFlight3()
        t.ok("step srv.1")
        t.deliver("srv.1", to: "cli")
        t.ok("step c1")
        #expect(t.prose("explain srv.1").contains("Cause: srv.1 sent the alert \"fatal protocol version\" (OpenSSL: unsupported protocol) — likely a version mismatch: the client offered DTLS 1.0, this side allows DTLS 1.2 only. Fix: --dtls1_0 or --any-version (shell: set version 1.0 or any)"))
        #expect(t.prose("explain c1").contains("Cause: c1 received the alert \"fatal protocol version\" (OpenSSL: tlsv1 alert protocol version) — likely a version mismatch"))
    }

    @Test func certificateNotTrusted() {
        let t = Transcript()
        t.twoSockets(["set psk none", "set verify on"])
        t.throughFlight3()
        t.ok("step srv.1")
        t.deliver("srv.1", to: "cli")
        t.ok("step c1")
        #expect(t.prose("explain c1").contains("Cause: c1 sent the alert \"fatal unknown CA\" (OpenSSL: certificate verify failed) — likely the peer's certificate is not trusted: self-signed certificate. Fix: --ca FILE with the CA that signed the peer's certificate (shell: set ca FILE)"))
    }

    @Test func handshakeDeadlineAgainstASilentSocket() {
        let silent = Transcript(), t = Transcript()
        silent.ok("open quiet")  // never received from: nothing ever answers
        t.ok("set timer-initial 100")
        t.ok("set handshake-timeout 0.5")
        t.ok("open cli")
        t.ok("connect c1 cli \(silent.address(of: "quiet"))")
        t.ok("step c1")
        t.ok("flush c1")
        t.ok("wait until closed c1 for 3s")
        let s = t.prose("explain c1")
        #expect(s.contains(", failed."))
        #expect(s.contains("Cause: c1 gave up (handshake not done within 0.5 s) — the peer never answered: c1 sent flight 1 and resent it "), "\(s)")
        #expect(s.contains("and nothing came back from 127.0.0.1:"))
        #expect(s.contains("is a DTLS server listening there?"))
        let ladder = t.ok("ladder")
        #expect(ladder.contains { $0.hasSuffix("c1: retransmission timer expired, last flight resent (1)") })
        #expect(LadderTests.arrows(ladder).dropFirst().allSatisfy { $0.hasSuffix("flight 1  ClientHello (177 B)  retransmission") })
    }

    @Test func aClientNeverStepped() {
        let t = Transcript()
        t.ok("set handshake-timeout 0.1")
        t.twoSockets()
        t.ok("wait until closed c1 for 2s")
        #expect(t.prose("explain c1").contains("— it never sent its ClientHello: a client speaks first only when stepped (step c1, or auto on)."))
    }
}
