import DTLSPlex
@testable import DTLSShell
import Testing

/// `relay NAME LISTEN UPSTREAM` in the shell: legs, their queues by hand,
/// auto forwarding, ladder, explain, expect, completion and bad input.
@Suite struct RelayShellTests {
    /// c1 on cli connected to srv through relay r, after `setup`.
    static func relayed(after setup: [String] = []) -> Transcript {
        let t = Transcript()
        t.ok("trace off")
        setup.forEach { t.ok($0) }
        ["open srv accept", "open cli", "relay r 0 srv", "connect c1 cli r"].forEach { t.ok($0) }
        return t
    }

    /// A relay between c1 and srv, flight 1 held on leg r.1.
    static func heldHello() -> Transcript {
        let t = relayed()
        t.ok("step c1")
        t.ok("flush c1")
        t.ok("recv r")
        return t
    }

    /// A relay between c1 and srv that forwarded by itself (auto on) until
    /// both ends were established.
    static func establishedByItself() -> Transcript {
        let t = relayed(after: ["auto on"])
        t.ok("wait until established c1 for 5s")
        t.ok("wait until established srv.1 for 2s")
        return t
    }

    @Test func aClientHelloWaitsInTheLegsUpQueue() {
        let t = Self.heldHello()
        let pending = t.ok("pending r.1")
        #expect(pending.first == "r.1: up 1 (177 B), down 0 (0 B)", "\(pending)")
        #expect(pending.dropFirst().first?.contains("flight 1: ClientHello") == true)
        t.ok("expect message r.1 ClientHello")
        t.ok("expect state r.1 handshaking")
        t.fails("expect state r.1 established", "expected r.1 established, saw handshaking")
        #expect(Completer(shell: t.shell).candidates("flush ").contains("r.1"))
        #expect(Completer(shell: t.shell).candidates("drop r.1 ") == ["down", "up"])
        #expect(t.ok("relays").contains { $0.contains("r.1") && $0.contains("1/0") })
        #expect(t.ok("show r.1").contains { $0.contains("manual: datagrams wait in the queues") })
    }

    @Test func dupSwapAndDropWorkOnALegsQueue() {
        let t = Self.heldHello()
        t.ok("dup r.1 up 1")
        t.ok("expect message r.1 ClientHello")
        #expect(t.ok("pending r.1").first?.hasPrefix("r.1: up 2") == true)
        t.ok("swap r.1 up 1 2")
        let dropped = t.ok("drop r.1 up 2")
        #expect(dropped.last == "r.1: dropped 1 datagram going up")
        #expect(dropped.first?.contains("DROPPED (dropped by hand); the client resends its ClientHello") == true)
        t.ok("flush r.1 up")
        t.waitReadable("srv")
        t.ok("recv srv")
        #expect(t.ok("ladder r.1").contains { $0.contains("1 ClientHello") && $0.contains("x lost") })
    }

    @Test func badInputIsOneLineAndChangesNothing() {
        let t = Self.heldHello()
        t.fails("relay r 0 srv", "the name 'r' is taken")
        t.fails("relay r2 nowhere:x srv", "bad")
        t.fails("relay r3 0 nowhere", "bad address 'nowhere'")
        t.fails("relay bad.name 0 srv", "bad relay name")
        t.fails("flush r.1 sideways", "a leg's queues are up")
        t.fails("drop r.1 in", "a leg's queues are up")
        t.fails("dup r.1 up 5", "datagram number must be a whole number from 1 to 1")
        t.fails("swap r.1 down 1 2", "r.1 has nothing queued down")
        t.fails("flush r.9", "no peer or socket named 'r.9'")
        t.fails("relay r4 \(t.address(of: "srv")) srv", "in use")
        #expect(t.ok("pending r.1").first == "r.1: up 1 (177 B), down 0 (0 B)")
        #expect(t.shell.relays.relays.count == 1)
    }

    /// With auto on the relay forwards by itself, and the leg's handshake completes.
    @Test func autoModeForwardsAndTheHandshakeCompletes() {
        let t = Self.establishedByItself()
        t.ok("expect state r.1 established")
        t.ok("send c1 through the relay")
        t.ok("wait until data srv.1 for 2s")
        let explained = t.ok("explain r.1")
        #expect(explained.contains { $0.hasPrefix("handshake completed (inferred") }, "\(explained)")
        #expect(explained.contains { $0.hasPrefix("a flight-5 resend within 2 s of flight 6 would say") }, "\(explained)")
        // The second sign, inferred: twice the timer without a flight-5 resend.
        t.ok("wait for 2100ms")
        #expect(t.ok("explain r.1").contains { $0.hasPrefix("no flight-5 resend within 2 s (twice the timer) of flight 6") })
        t.ok("close r")
        t.ok("relays")
    }

    @Test func helpExplainsRelayWithAnExample() {
        let t = Transcript()
        let help = t.ok("help relay")
        #expect(help.first == "usage: relay NAME LISTEN UPSTREAM")
        #expect(help.contains { $0.contains("relay r 0 srv") })
    }
}
