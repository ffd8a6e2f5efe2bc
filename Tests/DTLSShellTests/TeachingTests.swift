import DTLSPlex
import DTLSShell
import Foundation
import Testing

@Suite struct TeachingTests {
    @Test func tourRunsToTheEndOnEnterAlone() {
        let t = Transcript()
        t.ok("tour")
        #expect(t.shell.prompt.hasPrefix("tour 1/"))
        var steps = 0
        while t.shell.prompt.hasPrefix("tour"), steps < 100 {
            t.ok("")
            steps += 1
        }
        #expect(steps == 29)
        #expect(t.lines.contains("End of the tour."))
        #expect(t.lines.contains("hello"))
        t.ok("expect state c1 established")
        t.ok("expect state srv.1 established")
        #expect(t.shell.engine.peer(named: "srv.1")!.counters.retransmits == 1, "the tour loses flight 4; srv.1's timer resends it")
        #expect(t.shell.engine.peer(named: "c1")!.counters.retransmits == 0, "time stands still for c1 in manual mode")
    }

    @Test func tourLetsOtherCommandsRunAndCanStop() {
        let t = Transcript()
        t.ok("tour")
        t.ok("")
        let other = t.ok("sockets")
        #expect(other.contains { $0.hasPrefix("srv") })
        #expect(other.last?.contains("type: open cli") == true, "the tour repeats where it was")
        t.ok("tour stop")
        #expect(t.shell.prompt == "dtlsh> ")
        t.fails("tour", "close srv first")
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
