import DTLSPlex
import DTLSShell
import Foundation
import Testing

@Suite struct TeachingTests {
    /// Presses Enter until the tour ends (bounded); returns how many times.
    static func enterThroughTour(_ t: Transcript) -> Int {
        var steps = 0
        while t.shell.prompt.hasPrefix("tour"), steps < 100 {
            t.ok("")
            steps += 1
        }
        return steps
    }

    @Test func tourRunsToTheEndOnEnterAlone() {
        let t = Transcript()
        t.ok("tour")
        #expect(t.shell.prompt.hasPrefix("tour 1/"))
        #expect(Self.enterThroughTour(t) == 29)
        #expect(t.lines.contains("End of the tour."))
        #expect(t.lines.contains("hello"))
        t.ok("expect state c1 established")
        t.ok("expect state srv.1 established")
        #expect(t.shell.engine.peer(named: "srv.1")!.counters.retransmits == 1, "the tour loses flight 4; srv.1's timer resends it")
        #expect(t.shell.engine.peer(named: "c1")!.counters.retransmits == 0, "time stands still for c1 in manual mode")
        // Its claims, as OpenSSL made them true.
        #expect(t.lines.contains { $0.contains("srv.1's timer fired: OpenSSL queued flight 4 again") }, "\(t.lines)")
        #expect(t.lines.contains { $0.contains("c1's timer has expired too, but in manual mode it fires only when you tick it") }, "\(t.lines)")
        #expect(!t.lines.contains { $0.contains("did not resend") || $0.contains("cannot go on") })
    }

    /// Any timer setting, any prior state: the tour picks free names, uses
    /// its own settings, finishes, and gives the user's settings back.
    @Test(arguments: [200, 15000])
    func tourWorksAfterAnyStateAndTimer(timerInitial: Int) {
        let t = Transcript()
        t.ok("set timer-initial \(timerInitial)")
        t.ok("set loss 50")
        t.ok("open srv accept")
        t.ok("open cli")
        t.ok("connect c1 cli srv")
        t.ok("auto on")
        let start = t.ok("tour")
        #expect(start.contains { $0.contains("srv2") && $0.contains("cli2") && $0.contains("c2") }, "\(start)")
        #expect(Self.enterThroughTour(t) == 29)
        #expect(t.lines.contains("End of the tour."), "\(t.lines.suffix(20))")
        t.ok("expect state c2 established")
        t.ok("expect state srv2.1 established")
        #expect(t.shell.engine.peer(named: "srv2.1")!.counters.retransmits == 1)
        let settings = t.ok("set")
        #expect(settings.contains { $0.hasPrefix("timer-initial") && $0.contains("\(timerInitial)") }, "\(settings)")
        #expect(settings.contains { $0.hasPrefix("loss") && $0.contains("50") }, "\(settings)")
        #expect(t.shell.engine.settings.auto, "auto is the user's again")
    }

    @Test func tourLetsOtherCommandsRunAndCanStop() {
        let t = Transcript()
        t.ok("set timer-initial 300")
        t.ok("tour")
        t.ok("")
        let other = t.ok("sockets")
        #expect(other.contains { $0.hasPrefix("srv") })
        #expect(other.last?.contains("type: open cli") == true, "the tour repeats where it was")
        let stop = t.ok("tour stop")
        #expect(stop.contains { $0.contains("settings are back") })
        #expect(t.shell.prompt == "dtlsh> ")
        #expect(t.shell.engine.settings.tls.timerInitialMilliseconds == 300)
        let again = t.ok("tour")
        #expect(again.contains { $0.contains("srv2") }, "srv is taken: the tour picks another name: \(again)")
    }

    @Test func tourStopsRatherThanTellAStoryThatNoLongerHolds() {
        let t = Transcript()
        t.ok("tour")
        for _ in 0..<4 { t.ok("") }
        let out = t.ok("auto on")
        #expect(out.contains { $0.contains("The tour cannot go on: auto is on") }, "\(out)")
        #expect(t.shell.prompt.hasPrefix("dtlsh"))
    }

    @Test func recordWritesAReplayableScript() throws {
        let path = NSTemporaryDirectory() + "dtlsh-record-\(UUID().uuidString).dtlsh"
        defer { try? FileManager.default.removeItem(atPath: path) }
        let t = Transcript()
        t.ok("record \(path)")
        t.ok("open srv accept")
        t.run("open srv")            // fails: not recorded
        t.ok("open cli")
        t.ok("connect c1 cli srv")
        t.ok("handshake c1")
        t.ok("expect state c1 established")
        t.ok("record off")
        let script = try String(contentsOfFile: path, encoding: .utf8)
        #expect(script == "# recorded by dtlsh\nopen srv accept\nopen cli\nconnect c1 cli srv\nhandshake c1\nexpect state c1 established\n")
        let replay = Transcript()
        #expect(replay.shell.runScript(path: path))
    }

    @Test func scriptFailuresNameFileAndLine() throws {
        let path = NSTemporaryDirectory() + "dtlsh-fail-\(UUID().uuidString).dtlsh"
        defer { try? FileManager.default.removeItem(atPath: path) }
        try "open srv accept\n# a comment\nexpect peers srv 2\necho never\n".write(toFile: path, atomically: true, encoding: .utf8)
        let t = Transcript()
        #expect(!t.shell.runScript(path: path))
        #expect(t.lines.contains("\(path):3: expected 2 peers on srv, saw 0"))
        #expect(!t.lines.contains("never"), "a script stops at its first failure")
        t.fails("source /nonexistent/script", "cannot open '/nonexistent/script'")
    }

    @Test func variablesFillScripts() {
        let t = Transcript()
        t.shell.variables = ["NAME": "srv"]
        t.ok("open ${NAME} accept")
        t.ok("expect peers srv 0")
    }
}
