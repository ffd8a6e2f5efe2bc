import Foundation
import SubprocessSupport
import Testing

/// What constrained devices speak: AES-128-CCM-8 (RFC 7252, RFC 7925), with a
/// PSK or with ECDHE-ECDSA, against an OpenSSL server that offers nothing else.
/// dtlsh offers CCM8 by default; these take its default cipher list.
@Suite struct ConstrainedInteropTests {
    @Test func connectPSKToCCM8OnlySServer() throws {
        let (server, port) = try Peers.sServer(["-nocert", "-cipher", "PSK-AES128-CCM8"] + OpenSSLInteropTests.pskArgs)
        defer { server.closeInput(); server.waitExit() }
        let client = try Peers.connect(port: port, ["--psk", Peers.psk, "--wait", "0.3"], send: "ccm8 psk")
        Peers.expectConnected(client, cipher: "DTLSv1.2 PSK-AES128-CCM8")
        #expect(server.waitFor("ccm8 psk"))
        #expect(server.waitFor("CIPHER is PSK-AES128-CCM8"))
    }

    @Test func connectECDSAToCCM8OnlySServer() throws {
        let (cert, key) = try Tools.makeCertificate()
        let (server, port) = try Peers.sServer(["-cert", cert, "-key", key, "-cipher", "ECDHE-ECDSA-AES128-CCM8"])
        defer { server.closeInput(); server.waitExit() }
        let client = try Peers.connect(port: port, ["--ca", cert, "--wait", "0.3"], send: "ccm8 ecdsa")
        Peers.expectConnected(client, cipher: "DTLSv1.2 ECDHE-ECDSA-AES128-CCM8")
        #expect(server.waitFor("ccm8 ecdsa"))
    }
}

/// DTLS 1.0 against `openssl s_server -dtls1`. OpenSSL 3.0 allows it at the
/// default security level as long as no signature is made: PSK suites work as
/// they are. A certificate handshake signs with SHA-1, which level 1 forbids:
/// both sides need `@SECLEVEL=0`, and a CBC suite (DTLS 1.0 has no AEAD).
@Suite struct DTLS10InteropTests {
    /// nil: dtlsh's default list, of which only ECDHE-PSK-AES128-CBC-SHA256 exists in DTLS 1.0.
    @Test(arguments: [nil, "PSK-AES128-CBC-SHA"])
    func connectPSKOverDTLS10(_ cipher: String?) throws {
        let (server, port) = try Peers.sServer(["-nocert", "-cipher", cipher ?? "ALL"] + OpenSSLInteropTests.pskArgs, version: "-dtls1")
        defer { server.closeInput(); server.waitExit() }
        let ciphers = cipher.map { ["--ciphers", $0] } ?? []
        let client = try Peers.connect(port: port, ["--dtls1_0", "--psk", Peers.psk, "--wait", "0.3"] + ciphers,
                                       send: "dtls 1.0 psk")
        Peers.expectConnected(client, cipher: "DTLSv1 \(cipher ?? "ECDHE-PSK-AES128-CBC-SHA256")")
        #expect(server.waitFor("dtls 1.0 psk"))
    }

    /// s_server speaking DTLS 1.0 with an ECDSA certificate and a SHA-1 suite,
    /// allowed only at security level 0.
    static func dtls10CertificateServer() throws -> (cert: String, server: Subprocess, port: Int) {
        let (cert, key) = try Tools.makeCertificate()
        let (server, port) = try Peers.sServer(["-cert", cert, "-key", key, "-cipher", "ECDHE-ECDSA-AES128-SHA:@SECLEVEL=0"],
                                                version: "-dtls1")
        return (cert, server, port)
    }

    @Test func connectCertificateOverDTLS10AtSecurityLevel0() throws {
        let (cert, server, port) = try Self.dtls10CertificateServer()
        defer { server.closeInput(); server.waitExit() }
        let client = try Peers.connect(port: port, ["--dtls1_0", "--ca", cert, "--ciphers", "ECDHE-ECDSA-AES128-SHA:@SECLEVEL=0",
                                                    "--wait", "0.3"], send: "dtls 1.0 ecdsa")
        Peers.expectConnected(client, cipher: "DTLSv1 ECDHE-ECDSA-AES128-SHA")
        #expect(server.waitFor("dtls 1.0 ecdsa"))
    }

    /// At the default security level dtlsh refuses the server's SHA-1 signature and says so.
    @Test func connectCertificateOverDTLS10FailsAtTheDefaultSecurityLevel() throws {
        let (cert, server, port) = try Self.dtls10CertificateServer()
        defer { server.closeInput(); server.waitExit() }
        let client = try Peers.connect(port: port, ["--dtls1_0", "--ca", cert, "--ciphers", "ECDHE-ECDSA-AES128-SHA"],
                                       send: "never sent")
        #expect(client.waitExit(timeout: 10) == 1)
        #expect(client.stderr.contains("handshake with 127.0.0.1:\(port) failed: legacy sigalg disallowed or unsupported"),
                "\(client.stderr)")
        #expect(!client.stderr.contains("CONNECTION ESTABLISHED"))
    }
}
