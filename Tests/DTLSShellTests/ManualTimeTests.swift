import DTLSPlex
import DTLSShell
import Testing

/// In manual mode time stands still for OpenSSL until the user lets timers
/// fire (docs/time-in-manual-mode.md): a handshake stepped slowly is the
/// same handshake as one stepped fast.
@Suite struct ManualTimeTests {
    /// The first handshake by hand, pausing after each command until every
    /// armed retransmission timer has expired when `slow`. Returns what each
    /// `step` read and wrote, in order.
    private func firstHandshake(slow: Bool) -> (flights: [String], t: Transcript) {
        let t = Transcript()
        t.ok("set timer-initial 50")
        t.ok("open srv accept")
        t.ok("open cli")
        t.ok("connect c1 cli srv")
        var flights: [String] = []
        func step(_ peer: String) {
            let out = t.ok("step \(peer)")
            flights += out.filter { $0.contains("  read ") || $0.contains("  wrote ") }.map {
                // The datagram count stays; nothing else in these lines varies.
                $0.trimmingSpaces
            }
            if slow { pauseUntilTimersExpire(t) }
        }
        func deliver(_ from: String, to socket: String) {
            t.deliver(from, to: socket)
            if slow { pauseUntilTimersExpire(t) }
        }
        step("c1"); deliver("c1", to: "srv"); deliver("srv", to: "cli")
        step("c1"); deliver("c1", to: "srv")
        step("srv.1"); deliver("srv.1", to: "cli")
        step("c1"); deliver("c1", to: "srv")
        step("srv.1"); deliver("srv.1", to: "cli")
        step("c1")
        t.ok("expect state c1 established")
        t.ok("expect state srv.1 established")
        return (flights, t)
    }

    /// Lets the wall clock run, touching nothing, until no peer's timer has
    /// time left (the event a slow typist waits for). Bounded.
    private func pauseUntilTimersExpire(_ t: Transcript) {
        let e = t.shell.engine
        for _ in 0..<200 {
            let armed = e.peers.compactMap { e.timerStatus($0).retransmit }
            if armed.allSatisfy({ $0 == 0 }) { return }
            e.runOnce(timeout: 0.01, drive: false)
        }
        Issue.record("timers never expired")
    }

    @Test func slowStepsGiveTheSameFlightsAsFastOnes() {
        let fast = firstHandshake(slow: false)
        let slow = firstHandshake(slow: true)
        #expect(slow.flights == fast.flights)
        #expect(fast.flights.count == 10, "\(fast.flights)")
        for run in [fast.t, slow.t] {
            for p in run.shell.engine.peers {
                #expect(p.counters.retransmits == 0, "\(p.name) resent in manual mode without a tick")
            }
        }
    }

    @Test func anExpiredTimerWaitsForTick() {
        let t = Transcript()
        t.ok("set timer-initial 50")
        t.twoSockets()
        t.ok("step c1")
        pauseUntilTimersExpire(t)
        // A step with nothing to read must not resend the ClientHello.
        let step = t.ok("step c1")
        #expect(!step.contains { $0.contains("wrote") }, "\(step)")
        #expect(t.ok("expect pending c1 out 1").isEmpty)
        pauseUntilTimersExpire(t)
        let timers = t.ok("timers")
        #expect(timers.contains { $0.hasPrefix("c1") && $0.contains("expired") }, "\(timers)")
        let tick = t.ok("tick")
        #expect(tick.contains { $0.contains("c1") && $0.contains("resent") } , "\(tick)")
        t.ok("expect pending c1 out 2")
        #expect(t.shell.engine.peer(named: "c1")?.counters.retransmits == 1)
    }

    /// "fired N timers" counts what fired to effect, one resend line each.
    @Test func tickCountsTheResendsItShows() {
        let t = Transcript()
        t.ok("set timer-initial 50")
        t.twoSockets()
        t.ok("trace off")
        t.throughFlight3()
        t.ok("step srv.1")
        t.ok("drop srv.1 out all")
        pauseUntilTimersExpire(t)
        let out = t.ok("tick")
        let resends = out.filter { $0.contains("timer expired: last flight resent") }
        #expect(resends.count == 2, "\(out)")
        #expect(out.last == "fired 2 timers", "\(out)")
        let again = t.ok("tick")
        #expect(again.count == 1 && again[0].hasPrefix("no timer has expired"), "\(again)")
    }

    /// What lets time run again fires what expired meanwhile: `wait` and `auto on`.
    @Test(arguments: ["wait for 100ms", "auto on"])
    func timeRunsAgainOn(_ command: String) {
        let t = Transcript()
        t.ok("set timer-initial 50")
        t.twoSockets()
        t.ok("step c1")
        t.ok("drop c1 out all")
        pauseUntilTimersExpire(t)
        #expect(t.shell.engine.peer(named: "c1")?.counters.retransmits == 0)
        t.ok(command)
        if command == "auto on" { t.ok("wait until established c1 for 5s") }
        #expect((t.shell.engine.peer(named: "c1")?.counters.retransmits ?? 0) >= 1, "\(command) fired no timer")
    }
}
