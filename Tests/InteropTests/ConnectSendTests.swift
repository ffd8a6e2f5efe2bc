import Foundation
import SubprocessSupport
import Testing

/// `dtlsh connect --send` says what it did, also when no reply comes, and
/// ends lines for servers that read lines.
@Suite struct ConnectSendTests {
    /// s_server prints what it receives and answers nothing: the reply never comes.
    @Test func saysSentAndNoReply() throws {
        let (server, port) = try Peers.sServer(["-nocert", "-cipher", "PSK-AES128-GCM-SHA256"] + OpenSSLInteropTests.pskArgs)
        defer { server.closeInput(); server.waitExit() }
        let client = try Peers.connect(port: port, ["--psk", Peers.psk, "--wait", "0.5", "--crlf"], send: "hello")
        #expect(client.waitExit(timeout: 15) == 0, "\(client.stderr)")
        #expect(client.stderr.contains("sent 7 bytes"), "\(client.stderr)")
        #expect(client.stderr.contains("no reply within 0.5 s"), "\(client.stderr)")
        #expect(server.waitFor("hello\r\n"), "\(server.stdout)")
    }

    @Test func lfEndsTheMessageWithANewline() throws {
        let (server, port) = try OpenSSLInteropTests.serve(["--psk", Peers.psk])
        defer { server.signal(SIGINT); server.waitExit() }
        let client = try Peers.connect(port: port, ["--psk", Peers.psk, "--lf"], send: "line")
        #expect(client.waitExit(timeout: 15) == 0, "\(client.stderr)")
        #expect(client.stderr.contains("sent 5 bytes"), "\(client.stderr)")
        #expect(client.stdout == "line\n", "\(client.stdout)")
        #expect(!client.stderr.contains("no reply"))
    }
}
