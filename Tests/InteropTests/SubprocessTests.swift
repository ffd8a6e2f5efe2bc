import Foundation
import SubprocessSupport
import Testing

@Suite struct SubprocessTests {
    /// A foreign server must die on SIGTERM (Subprocess.deinit sends it), so it
    /// must not inherit the blocked signals of the test's worker thread.
    @Test func childrenStartWithNoSignalBlockedAndDieOnSIGTERM() throws {
        let p = try Subprocess("/bin/sleep", ["30"])
        let status = try String(contentsOfFile: "/proc/\(p.process.processIdentifier)/status", encoding: .utf8)
        let blocked = status.split(separator: "\n").first { $0.hasPrefix("SigBlk:") }
        #expect(blocked == "SigBlk:\t0000000000000000")
        p.signal(SIGTERM)
        #expect(p.waitExit(timeout: 2) == SIGTERM)
    }
}
