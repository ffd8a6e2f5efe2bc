import Foundation
import Testing

/// Against a real openssl s_server, the shell's `errors` and `explain` name
/// the cause of each classic failure.
@Suite struct ForeignFailureTests {
    static let psk = "00112233445566778899aabbccddeeff"

    /// Runs a shell session against the server on `port` and returns its output.
    static func shell(_ port: Int, _ settings: String) throws -> String {
        let p = try Subprocess(Tools.dtlsh, ["-c", "trace off; set handshake-timeout 3; set timer-initial 100; \(settings); "
                                                + "open cli; connect c1 cli 127.0.0.1:\(port); handshake c1; errors c1; explain c1"])
        p.waitExit(timeout: 30)
        // explain wraps its sentences: compare words, not line breaks.
        return (p.stdout + p.stderr).split(whereSeparator: { $0 == " " || $0 == "\n" }).joined(separator: " ")
    }

    @Test func wrongPSKKey() throws {
        let (server, port) = try OpenSSLInteropTests.sServer(["-nocert", "-cipher", "PSK-AES128-GCM-SHA256",
                                                              "-psk", Self.psk, "-psk_identity", "client"])
        defer { server.closeInput(); server.waitExit() }
        let out = try Self.shell(port, "set psk client:ffeeddccbbaa99887766554433221100")
        #expect(out.contains("likely a PSK mismatch"), "\(out)")
    }

    @Test func noSharedCipher() throws {
        let (server, port) = try OpenSSLInteropTests.sServer(["-nocert", "-cipher", "PSK-AES256-GCM-SHA384",
                                                              "-psk", Self.psk, "-psk_identity", "client"])
        defer { server.closeInput(); server.waitExit() }
        let out = try Self.shell(port, "set psk client:\(Self.psk); set ciphers PSK-AES128-GCM-SHA256")
        #expect(out.contains("alert received: fatal handshake failure"), "\(out)")
        #expect(out.contains("likely no shared cipher"), "\(out)")
    }

    @Test func versionMismatch() throws {
        let port = Tools.freeUDPPort()
        let server = try Subprocess("/usr/bin/openssl", ["s_server", "-dtls1", "-accept", "127.0.0.1:\(port)", "-nocert",
                                                         "-cipher", "PSK-AES128-CBC-SHA", "-psk", Self.psk, "-psk_identity", "client"])
        try #require(server.waitFor("ACCEPT"), "s_server did not start: \(server.stderr)")
        defer { server.closeInput(); server.waitExit() }
        // A suite both could use, so the server really answers with DTLS 1.0.
        let out = try Self.shell(port, "set psk client:\(Self.psk); set ciphers PSK-AES128-GCM-SHA256:PSK-AES128-CBC-SHA")
        #expect(out.contains("protocol version") || out.contains("unsupported protocol"), "\(out)")
        #expect(out.contains("likely a version mismatch"), "\(out)")
    }

    @Test func untrustedCertificate() throws {
        let (cert, key) = try Tools.makeCertificate()
        let (other, _) = try Tools.makeCertificate()
        let (server, port) = try OpenSSLInteropTests.sServer(["-cert", cert, "-key", key])
        defer { server.closeInput(); server.waitExit() }
        let out = try Self.shell(port, "set psk none; set ca \(other)")
        #expect(out.contains("certificate verify failed"), "\(out)")
        #expect(out.contains("likely the peer's certificate is not trusted"), "\(out)")
    }
}
