import Foundation
import SubprocessSupport
import Testing

/// Against a real openssl s_server, the shell's `errors` and `explain` name
/// the cause of each classic failure.
@Suite struct ForeignFailureTests {
    /// Runs a shell session against the server on `port` and returns its output.
    static func shell(_ port: Int, _ settings: String) throws -> String {
        let p = try Subprocess(Tools.dtlsh, ["-c", "trace off; set handshake-timeout 3; set timer-initial 100; \(settings); "
                                                + "open cli; connect c1 cli 127.0.0.1:\(port); handshake c1; errors c1; explain c1"])
        p.waitExit(timeout: 30)
        // explain wraps its sentences: compare words, not line breaks.
        return (p.stdout + p.stderr).split(whereSeparator: { $0 == " " || $0 == "\n" }).joined(separator: " ")
    }

    @Test func wrongPSKKey() throws {
        let (server, port) = try Peers.sServer(["-nocert", "-cipher", "PSK-AES128-GCM-SHA256"] + OpenSSLInteropTests.pskArgs)
        defer { server.closeInput(); server.waitExit() }
        let out = try Self.shell(port, "set psk client:ffeeddccbbaa99887766554433221100")
        #expect(out.contains("likely a PSK mismatch"), "\(out)")
    }

    @Test func noSharedCipher() throws {
        let (server, port) = try Peers.sServer(["-nocert", "-cipher", "PSK-AES256-GCM-SHA384"] + OpenSSLInteropTests.pskArgs)
        defer { server.closeInput(); server.waitExit() }
        let out = try Self.shell(port, "set psk \(Peers.psk); set ciphers PSK-AES128-GCM-SHA256")
        #expect(out.contains("alert received: fatal handshake failure"), "\(out)")
        #expect(out.contains("likely no shared cipher"), "\(out)")
    }

    @Test func versionMismatch() throws {
        let (server, port) = try Peers.sServer(["-nocert", "-cipher", "PSK-AES128-CBC-SHA"] + OpenSSLInteropTests.pskArgs,
                                                version: "-dtls1")
        defer { server.closeInput(); server.waitExit() }
        // A suite both could use, so the server really answers with DTLS 1.0.
        let out = try Self.shell(port, "set psk \(Peers.psk); set ciphers PSK-AES128-GCM-SHA256:PSK-AES128-CBC-SHA")
        #expect(out.contains("protocol version") || out.contains("unsupported protocol"), "\(out)")
        #expect(out.contains("likely a version mismatch"), "\(out)")
    }

    @Test func untrustedCertificate() throws {
        let (cert, key) = try Tools.makeCertificate()
        let (other, _) = try Tools.makeCertificate()
        let (server, port) = try Peers.sServer(["-cert", cert, "-key", key])
        defer { server.closeInput(); server.waitExit() }
        let out = try Self.shell(port, "set psk none; set ca \(other)")
        #expect(out.contains("certificate verify failed"), "\(out)")
        #expect(out.contains("likely the peer's certificate is not trusted"), "\(out)")
    }
}
