import DTLSPlex
import DTLSShell
import Foundation
import Testing

/// What issue 16 saw a new user trip over in the shell, each as the user
/// would expect it now.
@Suite struct UserExpectationTests {
    /// Two peers of one shell, handshaken with `handshake c1`.
    static func pair(_ settings: String = "") -> Transcript {
        let t = Transcript()
        if !settings.isEmpty { t.ok(settings) }
        t.ok("open srv accept")
        t.ok("open cli")
        t.ok("connect c1 cli srv")
        t.ok("handshake c1")
        return t
    }

    static func row(_ t: Transcript, _ peer: String, _ key: String) -> String {
        t.ok("show \(peer)").first { $0.trimmingCharacters(in: .whitespaces).hasPrefix(key + " ") } ?? ""
    }

    @Test func showOnAPSKSessionNeedsNoCertificate() {
        let t = Self.pair()
        #expect(t.shell.engine.peer(named: "c1")?.status == .established)
        let row = Self.row(t, "c1", "certificate")
        #expect(row.contains("none needed: the pre-shared key authenticates both sides"), "\(row)")
        #expect(!row.contains("NOT verified"))
    }

    @Test func showOnAnAnonymousSessionSaysNobodyIsAuthenticated() {
        let t2 = Transcript()
        t2.ok("set insecure on")
        t2.ok("set psk none")
        t2.ok("set ciphers ADH-AES128-GCM-SHA256")
        t2.ok("open srv accept")
        t2.ok("open cli")
        t2.ok("connect c1 cli srv")
        t2.ok("handshake c1")
        #expect(t2.shell.engine.peer(named: "c1")?.cipher == "ADH-AES128-GCM-SHA256")
        let row = Self.row(t2, "c1", "certificate")
        #expect(row.contains("none: an anonymous suite, neither side is authenticated"), "\(row)")
    }

    @Test func waitUntilDataOnAPeerThatNeverExistedFailsAtOnce() {
        let t = Transcript()
        t.ok("open srv accept")
        let start = Date()
        t.fails("wait until data c1 for 5s", "no peer named 'c1'")
        #expect(Date().timeIntervalSince(start) < 1)
        // A peer an accepting socket may still admit is waited for, as before.
        t.fails("wait until established srv.1 for 200ms", "srv.1 is gone")
    }

    @Test func helpReadSaysHowBytesAreShown() {
        let t = Transcript()
        let help = t.ok("help read").joined(separator: " ")
        #expect(help.contains("a newline inside a message shows as \\n"), "\(help)")
        #expect(help.contains("\\xNN"), "\(help)")
    }

    /// `handshake c1` drives c1 and its other end only: another client, stepped
    /// by hand up to its ClientHello, keeps its datagram queued.
    @Test func handshakeDrivesOnlyItsOwnPeers() {
        let t = Transcript()
        t.ok("open srv accept")
        t.ok("open cli")
        t.ok("open cli2")
        t.ok("connect c2 cli2 srv")
        t.ok("step c2")
        #expect(t.shell.engine.peer(named: "c2")?.outboundQueue.count == 1)
        t.ok("connect c1 cli srv")
        t.ok("handshake c1")
        #expect(t.shell.engine.peer(named: "c1")?.status == .established)
        #expect(t.shell.engine.peer(named: "c2")?.outboundQueue.count == 1, "c2's ClientHello was sent by handshake c1")
        #expect(t.shell.engine.peers.filter { $0.role == .server }.count == 1)
    }

    /// Both ends of one handshake live in the shell: one CLIENT_RANDOM line, not two.
    @Test func keyLogHoldsEachSecretOnce() throws {
        let path = NSTemporaryDirectory() + "dtlsh-keylog-\(UUID().uuidString)"
        defer { try? FileManager.default.removeItem(atPath: path) }
        let t = Transcript()
        t.ok("keylog \(path)")
        t.ok("open srv accept")
        t.ok("open cli")
        t.ok("connect c1 cli srv")
        t.ok("handshake c1")
        let lines = try String(contentsOfFile: path, encoding: .utf8).split(separator: "\n")
        #expect(lines.count == 1, "\(lines)")
        #expect(lines.first?.hasPrefix("CLIENT_RANDOM ") == true)
    }

    @Test func aScriptNamesTheVariableItLacks() throws {
        let path = NSTemporaryDirectory() + "dtlsh-vars-\(UUID().uuidString).dtlsh"
        defer { try? FileManager.default.removeItem(atPath: path) }
        try "set psk ${PSK}   # the key\n".write(toFile: path, atomically: true, encoding: .utf8)
        let t = Transcript()
        t.shell.variables = ["PORT": "4433"]
        #expect(!t.shell.runScript(path: path, keepGoing: false))
        #expect(t.lines.contains { $0.contains("${PSK} is not set: give it with --var PSK=VALUE") }, "\(t.lines)")
    }
}
