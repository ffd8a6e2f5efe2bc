import Foundation
import SubprocessSupport
import Testing

/// `inject` and `replay` against real peers: openssl s_server, dtlsh serve --echo.
@Suite struct ForgingInteropTests {
    /// A ClientHello built with DTLSWire's encoder, sent by hand: s_server answers
    /// with a HelloVerifyRequest, which the shell decodes.
    @Test func anInjectedClientHelloGetsAHelloVerifyRequestFromSServer() throws {
        let (server, port) = try Peers.sServer(["-nocert", "-cipher", "PSK-AES128-GCM-SHA256"] + OpenSSLInteropTests.pskArgs)
        defer { server.closeInput(); Peers.end(server) }
        let shell = try Subprocess(Tools.dtlsh, ["-c", "trace records; open cli; inject cli 127.0.0.1:\(port) clienthello; recv cli for 3s"])
        #expect(shell.waitExit(timeout: 15) == 0, "\(shell.stdout)\(shell.stderr)")
        #expect(shell.stdout.contains("Handshake(ClientHello seq=0)  [injected]"), "\(shell.stdout)")
        #expect(shell.stdout.contains("◀") && shell.stdout.contains("Handshake(HelloVerifyRequest seq=0)"), "\(shell.stdout)")
        #expect(shell.stdout.contains("HelloVerifyRequest msg_seq=0") && shell.stdout.contains("cookie="), "\(shell.stdout)")
    }

    /// A relay in the shell between c1 and `dtlsh serve --echo --json`: the
    /// application record replayed up the leg is not echoed twice (OpenSSL's
    /// replay window), and the server's event says why.
    @Test func aReplayedRecordTowardServeEchoIsNotEchoedTwice() throws {
        let (server, port) = try Observe.serveJSON(["--psk", Peers.psk, "--echo"])
        let script = "set psk \(Peers.psk); trace off; auto on; open cli; relay r 0 127.0.0.1:\(port); connect c1 cli r; "
            + "wait until established c1 for 5s; send c1 only once; wait until data c1 for 3s; read c1; "
            + "replay r.1 up 1; wait for 1s; read c1; expect state r.1 established"
        let shell = try Subprocess(Tools.dtlsh, ["-c", script])
        #expect(shell.waitExit(timeout: 20) == 0, "\(shell.stdout)\(shell.stderr)")
        let lines = shell.stdout.split(separator: "\n")
        #expect(lines.filter { $0 == "c1: < only once" }.count == 1, "\(shell.stdout)")
        #expect(lines.filter { $0 == "only once" }.count == 1, "\(shell.stdout)")
        #expect(shell.stdout.contains("REPLAYED (a copy of the datagram sent last)"), "\(shell.stdout)")
        #expect(shell.stdout.contains("c1: no messages"), "\(shell.stdout)")
        server.signal(SIGINT)
        #expect(server.waitExit() == 0)
        let events = Observe.objects(server.stdout)
        #expect(events.filter { $0["event"] as? String == "app_data" && $0["direction"] as? String == "in" }.count == 1)
        let why = events.filter { $0["event"] as? String == "dropped" && ($0["reason"] as? String)?.hasPrefix("replay: epoch 1") == true }
        #expect(why.count == 1, "\(server.stdout)")
        #expect((why.first?["reason"] as? String)?.contains("inferred") == true)
        #expect(why.first?["verdict"] as? String == "replay" && why.first?["inferred"] as? Bool == true)
        #expect((why.first?["record"] as? [String: Any])?["epoch"] as? Int == 1)
        let dir = try Observe.directory("replay-schema")
        defer { Observe.remove(dir) }
        let (valid, report) = try Observe.validate(server.stdout.split(separator: "\n").map(String.init), in: dir)
        #expect(valid, "lines that do not match docs/events.schema.json:\n\(report)")
    }
}
