import DTLSPlex
@testable import DTLSShell
import Testing

/// `inject`, `edit` and `replay` between two peers of one shell, and on a relay's leg.
@Suite struct ForgingTests {
    /// c1 and srv.1 established, driven by the engine.
    static func established() -> Transcript {
        let t = Transcript()
        t.ok("trace flights")
        t.ok("open srv accept")
        t.ok("open cli")
        t.ok("connect c1 cli srv")
        t.ok("handshake c1")
        t.ok("expect state srv.1 established")
        return t
    }

    /// An edited byte of an encrypted record: the receiver discards it, the association survives.
    @Test func anEditedRecordIsDiscardedAndTheNextGetsThrough() {
        let t = Self.established()
        t.ok("send c1 first")
        t.ok("edit c1 out 1 30 hex:ff")
        t.ok("flush c1")
        t.ok("recv srv")
        t.ok("step srv.1")
        #expect(t.ok("read srv.1") == ["srv.1: no messages"])
        t.ok("expect state srv.1 established")
        t.ok("send c1 second")
        t.ok("flush c1")
        t.ok("recv srv")
        t.ok("step srv.1")
        t.ok("expect data srv.1 \"second\"")
    }

    /// A replayed record is marked, and OpenSSL's replay window keeps it from being read twice.
    @Test func aReplayedRecordIsMarkedAndNotReadTwice() {
        let t = Self.established()
        t.ok("send c1 once")
        t.ok("flush c1")
        t.ok("recv srv")
        t.ok("step srv.1")
        #expect(t.ok("read srv.1") == ["once"])
        #expect(t.ok("replay c1 out 1").contains { $0.hasSuffix("[replayed]") })
        t.ok("recv srv")
        t.ok("step srv.1")
        #expect(t.ok("read srv.1") == ["srv.1: no messages"])
        t.ok("replay srv.1 in 1")
        t.ok("step srv.1")
        #expect(t.ok("read srv.1") == ["srv.1: no messages"])
    }

    @Test func anInjectedHelloGetsAHelloVerifyRequest() {
        let t = Transcript()
        t.ok("trace flights")
        t.ok("open srv accept")
        t.ok("open cli")
        #expect(t.ok("inject cli srv clienthello").contains { $0.contains("ClientHello seq=0") && $0.hasSuffix("[injected]") })
        t.ok("recv srv")
        t.ok("flush srv")
        t.waitReadable("cli")
        #expect(t.ok("recv cli").contains { $0.contains("HelloVerifyRequest") })
    }

    @Test func onALegInjectedEditedAndReplayedAreMarked() {
        let t = RelayShellTests.heldHello()
        t.ok("edit r.1 up 1 20 hex:00")
        t.ok("flush r.1 up")
        t.ok("replay r.1 up 1")
        t.ok("inject r.1 up clienthello")
        let ladder = t.ok("ladder r.1")
        #expect(ladder.filter { $0.hasSuffix("edited") || $0.hasSuffix("replayed") || $0.hasSuffix("injected") }.count == 3, "\(ladder)")
        #expect(t.shell.relays.leg(named: "r.1")?.1.totals.edited == 1)
    }

    @Test func badInputIsOneLineAndChangesNothing() {
        let t = Self.established()
        t.ok("send c1 kept")
        t.fails("edit c1 out 1 0 zz", "the new bytes are hex:")
        t.fails("edit c1 out 1 500 hex:ff", "do not fit")
        t.fails("edit c1 out 2 0 hex:ff", "datagram number must be a whole number from 1 to 1")
        t.fails("edit c1 in 1 0 hex:ff", "c1 has no inbound datagrams queued")
        t.fails("replay c1 out 99", "datagram number (1 = the latest) must be")
        t.fails("inject cli srv", "usage: inject")
        t.fails("inject cli srv hex:", "bad hex")
        t.fails("inject cli srv hex:00 ccs", "nothing may follow it")
        t.fails("inject cli srv clienthello,frag=0+9999", "fragment")
        t.fails("inject cli srv alert:loud:x", "alert:LEVEL:DESCRIPTION")
        t.fails("inject cli srv record:handshake:zz", "bad hex")
        t.fails("inject nosock srv ccs", "no socket named 'nosock'")
        t.fails("inject cli nowhere ccs", "bad address")
        t.ok("expect pending c1 out 1")
        t.ok("flush c1")
        t.ok("recv srv")
        t.ok("step srv.1")
        t.ok("expect data srv.1 \"kept\"")
    }

    @Test func helpInjectShowsWorkedExamples() {
        let t = Transcript()
        let help = t.ok("help inject")
        #expect(help.contains { $0.contains("inject cli 127.0.0.1:4433 clienthello") })
        #expect(help.contains { $0.contains("alert:fatal:handshake_failure") })
    }
}
