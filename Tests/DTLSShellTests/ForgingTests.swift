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

    /// An edited byte of an encrypted record: marked edited when it leaves, the
    /// receiver discards it and says so (inferred: nothing came of it), the
    /// association survives.
    @Test func anEditedRecordIsDiscardedAndTheNextGetsThrough() {
        let t = Self.established()
        t.ok("send c1 first")
        t.ok("edit c1 out 1 30 hex:ff")
        #expect(t.ok("pending c1").last?.hasSuffix("[edited]") == true)
        #expect(t.ok("flush c1").contains { $0.hasSuffix("[edited]") })
        t.ok("recv srv")
        let stepped = t.ok("step srv.1")
        #expect(stepped.contains { $0.contains("read and nothing came of it: discarded, likely a bad MAC (inferred)") }, "\(stepped)")
        #expect(t.ok("read srv.1") == ["srv.1: no messages"])
        let ladder = t.ok("ladder srv.1")
        #expect(ladder.contains { $0.contains("[edited]") && $0.contains("discarded: likely bad MAC (inferred)") }, "\(ladder)")
        t.ok("expect state srv.1 established")
        t.ok("send c1 second")
        t.ok("flush c1")
        t.ok("recv srv")
        t.ok("step srv.1")
        t.ok("expect data srv.1 \"second\"")
    }

    /// A record edited to carry the highest sequence number fails its MAC
    /// (the number is part of it): OpenSSL's replay window does not move and
    /// neither does dtlsh's, so the next genuine record is read, not called
    /// older than the window.
    @Test func aForgedHighSequenceNumberDoesNotMoveTheReplayWindow() {
        let t = Self.established()
        t.ok("send c1 forged")
        t.ok("edit c1 out 1 5 hex:ffffffffffff")
        t.deliver("c1", to: "srv")
        let stepped = t.ok("step srv.1")
        #expect(stepped.contains { $0.contains("epoch 1 sequence 281474976710655 (ApplicationData) read and nothing came of it: "
                + "discarded, likely a bad MAC (inferred)") }, "\(stepped)")
        t.ok("send c1 genuine")
        t.deliver("c1", to: "srv")
        let next = t.ok("step srv.1")
        #expect(!next.contains { $0.contains("dropped") }, "\(next)")
        t.ok("expect data srv.1 \"genuine\"")
        #expect(!t.ok("ladder srv.1").contains { $0.contains("older than the replay window") })
    }

    /// Held back by the reorder impairment, an edited datagram keeps its mark
    /// when it leaves behind the next one.
    @Test func aReorderedEditedDatagramKeepsItsMark() {
        let t = Self.established()
        t.ok("set reorder 100")
        t.ok("send c1 first")
        t.ok("edit c1 out 1 30 hex:ff")
        #expect(!t.ok("flush c1").contains { $0.contains("▶") }, "held back, nothing sent yet")
        t.ok("send c1 second")
        let sent = t.ok("flush c1").filter { $0.contains("▶") }
        #expect(sent.count == 2 && sent[0].hasSuffix("[edited]") == false && sent[1].hasSuffix("[edited]"), "\(sent)")
    }

    /// Edited in the receiver's own queue: what OpenSSL reads is drawn as a
    /// datagram of its own, marked, and judged when it is read.
    @Test func anInboundEditIsMarkedAndJudged() {
        let t = Self.established()
        t.ok("send c1 inbound")
        t.ok("flush c1")
        t.ok("recv srv")
        #expect(t.ok("edit srv.1 in 1 30 hex:ff").contains { $0.hasSuffix("[edited, queued in by hand]") })
        #expect(t.ok("step srv.1").contains { $0.contains("likely a bad MAC (inferred)") })
        #expect(t.ok("ladder srv.1").contains { $0.contains("[edited]") && $0.contains("discarded: likely bad MAC (inferred)") })
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
        #expect(t.ok("step srv.1").contains { $0.contains("replay: epoch 1 sequence") && $0.contains("(inferred") })
        #expect(t.ok("read srv.1") == ["srv.1: no messages"])
        #expect(t.ok("replay srv.1 in 1").contains { $0.contains("[replayed, queued in by hand]") })
        #expect(t.ok("step srv.1").contains { $0.contains("replay: epoch 1 sequence") })
        #expect(t.ok("read srv.1") == ["srv.1: no messages"])
        let ladder = t.ok("ladder srv.1")
        #expect(ladder.filter { $0.contains("[replayed]") && $0.contains("discarded: replay (inferred)") }.count == 2, "\(ladder)")
    }

    /// With the trace off the shell still says what OpenSSL discards silently:
    /// the check runs in the peer, not on datagram events.
    @Test func aReplayIsReportedWithTheTraceOff() {
        let t = Self.established()
        t.ok("trace off")
        t.ok("send c1 once")
        t.ok("flush c1")
        t.ok("recv srv")
        t.ok("step srv.1")
        t.ok("replay c1 out 1")
        t.ok("recv srv")
        #expect(t.ok("step srv.1").contains { $0.contains("replay: epoch 1 sequence") }, "replay not reported at trace off")
        t.ok("send c1 twice")
        t.ok("flush c1")
        t.ok("recv srv")
        #expect(!t.ok("step srv.1").contains { $0.contains("dropped") }, "a fresh record was reported")
        t.ok("expect data srv.1 \"twice\"")
    }

    /// Flight 5 in one datagram (ClientKeyExchange, ChangeCipherSpec,
    /// Finished): the Finished ahead of its ChangeCipherSpec is one command.
    /// OpenSSL 3.0 reads the ClientKeyExchange, keeps the early Finished for
    /// its epoch and reads nothing more of that datagram: the handshake waits
    /// for the client's resend of flight 5, in order, and then completes.
    @Test func aFinishedAheadOfItsChangeCipherSpecIsOneCommand() {
        let t = Transcript()
        t.ok("trace flights")
        t.twoSockets()
        t.throughFlight3()
        t.ok("step srv.1")
        t.deliver("srv.1", to: "cli")
        t.ok("step c1")
        let before = t.ok("pending c1").last ?? ""
        #expect(before.contains("ChangeCipherSpec | Handshake(encrypted Finished, epoch 1)"), "\(before)")
        #expect(t.ok("swap-records c1 out 1 2 3") == ["c1: out 1: records 2 and 3 swapped (flush c1 sends it, marked edited)"])
        let after = t.ok("pending c1").last ?? ""
        #expect(after.contains("Handshake(encrypted Finished, epoch 1) | ChangeCipherSpec  [edited]"), "\(after)")
        #expect(t.ok("flush c1").contains { $0.hasSuffix("[edited]") })
        t.waitReadable("srv")
        t.ok("recv srv")
        let stepped = t.ok("step srv.1")
        #expect(stepped.contains { $0.hasSuffix("read  ClientKeyExchange") }, "\(stepped)")
        t.ok("expect state srv.1 handshaking")
        #expect(t.ok("ladder c1").contains { $0.contains("flight 5") && $0.contains("[edited]") })
        t.ok("tick c1")
        t.deliver("c1", to: "srv")
        t.ok("step srv.1")
        t.ok("expect state srv.1 established")
        t.fails("swap-records c1 out 1 1 2", "c1 has no outbound datagrams queued")
    }

    /// The same on a relay's leg: flight 5 held in r.1's up queue, its
    /// Finished put ahead of its ChangeCipherSpec, marked edited on the leg.
    @Test func aFinishedAheadOfItsChangeCipherSpecOnALeg() {
        let t = RelayShellTests.heldHello()
        t.relayedThroughFlight5()
        #expect(t.ok("swap-records r.1 up 1 2 3") == ["r.1: up 1: records 2 and 3 swapped (flush r.1 up sends it, marked edited)"])
        let pending = t.ok("pending r.1")
        #expect(pending.contains { $0.contains("Handshake(encrypted Finished, epoch 1) | ChangeCipherSpec  [edited]") }, "\(pending)")
        t.ok("flush r.1 up")
        t.waitReadable("srv")
        t.ok("recv srv")
        t.ok("step srv.1")
        t.ok("expect state srv.1 handshaking")
        let ladder = t.ok("ladder r.1")
        #expect(ladder.contains { $0.contains("5 ClientKeyExchange") && $0.hasSuffix("edited") }, "\(ladder)")
        t.fails("swap-records r.1 up 1 1 2", "r.1 has nothing queued up")
    }

    /// A client restart on a live leg (RFC 6347 §4.2.8) is one command: the
    /// server answers the injected ClientHello with a HelloVerifyRequest and
    /// the association it had goes on.
    @Test func aClientHelloInjectedOnALiveLegGetsAHelloVerifyRequest() {
        let t = RelayShellTests.establishedByItself()
        t.ok("auto off")
        t.ok("inject r.1 up clienthello")
        t.waitReadable("srv")
        t.ok("recv srv")
        t.ok("flush srv")
        t.ok("recv r")
        let pending = t.ok("pending r.1")
        #expect(pending.contains { $0.contains("down 1") && $0.contains("HelloVerifyRequest") }, "\(pending)")
        #expect(t.ok("ladder r.1").contains { $0.contains("ClientHello") && $0.hasSuffix("injected") })
        t.ok("expect state srv.1 established")
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
        t.fails("swap-records c1 out 1 1 2", "the datagram holds one record")
        t.fails("swap-records c1 sideways 1 1 2", "expected in or out, not 'sideways'")
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
