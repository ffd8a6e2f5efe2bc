import DTLSPlex
import DTLSShell
import Testing

/// `explain`'s "Next:" is right in every state a lesson reaches: from each
/// point of the lost-flight lesson (sample-sessions/02, the tour's story),
/// typing only what "Next:" says finishes the handshake.
@Suite struct NextCommandWalkTests {
    static let lesson = [
        "step c1", "flush c1", "recv srv", "flush srv", "recv cli", "step c1", "flush c1", "recv srv",
        "step srv.1", "drop srv.1 out all", "timers", "tick c1", "flush c1", "recv srv", "step srv.1",
        "tick srv.1", "flush srv.1", "recv cli", "step c1", "flush c1", "recv srv", "step srv.1",
        "flush srv.1", "recv cli", "step c1",
    ]

    /// Lesson 19: flight 6 lost; srv.1 has no timer left.
    static let lostFlight6 = [
        "step c1", "flush c1", "recv srv", "flush srv", "recv cli", "step c1", "flush c1", "recv srv",
        "step srv.1", "flush srv.1", "recv cli", "step c1", "flush c1", "recv srv", "step srv.1",
        "drop srv.1 out all", "timers", "tick c1", "flush c1", "recv srv", "step srv.1", "flush srv.1",
        "recv cli", "step c1",
    ]

    /// Runs a command as a person would: a `recv` once its datagram is there.
    static func type(_ command: String, into t: Transcript) {
        if command.hasPrefix("recv ") { t.waitReadable(String(command.dropFirst(5))) }
        t.ok(command)
    }

    /// Types what `explain c1` says next until c1 is established; returns what was typed. Bounded.
    static func follow(_ t: Transcript) -> [String] {
        var typed: [String] = []
        for _ in 0..<40 {
            if t.shell.engine.peer(named: "c1")?.status == .established { return typed }
            let prose = t.prose("explain c1")
            guard let r = prose.range(of: "Next: ") else {
                Issue.record("no Next: in \(prose) after \(typed)")
                return typed
            }
            let command = String(prose[r.upperBound...].prefix { $0 != "(" }).trimmingSpaces
            typed.append(command)
            type(command, into: t)
        }
        Issue.record("40 commands from explain did not finish the handshake: \(typed)")
        return typed
    }

    @Test(arguments: [lesson, lostFlight6])
    func followingNextFinishesTheHandshakeFromEveryPointOfTheLesson(lesson: [String]) {
        for k in 0...lesson.count {
            let t = Transcript()
            t.twoSockets(["set timer-initial 200"])
            lesson.prefix(k).forEach { Self.type($0, into: t) }
            let typed = Self.follow(t)
            #expect(t.shell.engine.peer(named: "c1")?.status == .established, "after \(k) lesson lines and \(typed)")
            #expect(t.shell.engine.peer(named: "srv.1")?.status == .established, "after \(k) lesson lines and \(typed)")
        }
    }
}

extension NextCommandWalkTests {
    @Test func aLostLastFlightIsNotTheTimersToResend() {
        let t = Transcript()
        t.twoSockets(["set timer-initial 200"])
        Self.lostFlight6.prefix(16).forEach { Self.type($0, into: t) }
        // srv.1 is established with no timer: only c1's timer moves this on.
        let s = t.prose("explain c1")
        #expect(s.contains("Next: tick c1 (nothing is on its way: c1's retransmission timer resends its last flight"), "\(s)")
    }
}
