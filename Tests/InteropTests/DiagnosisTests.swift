import Foundation
import SubprocessSupport
import Testing

/// README's table of failure causes, a row a test: `openssl s_server` or
/// `s_client` set up to cause each mismatch, and the one line of `dtlsh
/// connect` or `dtlsh serve` that names it, what each side offered and the fix.
@Suite struct DiagnosisTests {
    /// `dtlsh connect` to s_server (started with `server`), which must fail;
    /// returns its "handshake with … failed: …" line.
    static func connectFailure(_ server: [String], version: String = "-dtls1_2", _ args: [String]) throws -> String {
        let (s, port) = try Peers.sServer(server, version: version)
        defer { s.closeInput(); _ = s.waitExitOrKill(timeout: 1) }  // s_server stays in a handshake it was left in
        let client = try Subprocess(Tools.dtlsh, ["connect", "127.0.0.1:\(port)", "--send", "never", "--timer-initial", "100"]
                                                 + (args.contains("--handshake-timeout") ? [] : ["--handshake-timeout", "3"]) + args)
        #expect(client.waitExit(timeout: 15) == 1, "\(client.stderr)")
        return client.stderr.split(separator: "\n").first { $0.hasPrefix("handshake with") }.map(String.init) ?? client.stderr
    }

    /// `dtlsh serve` with `serve`, and s_client with `client`, which must fail;
    /// returns serve's line about the failed peer.
    static func serveFailure(_ serve: [String], _ client: [String], version: String = "-dtls1_2") throws -> String {
        let (server, port) = try OpenSSLInteropTests.serve(["--handshake-timeout", "3"] + serve)
        defer { server.signal(SIGINT); server.waitExit() }
        let c = try Subprocess("/usr/bin/openssl", ["s_client", version, "-connect", "127.0.0.1:\(port)", "-brief", "-no_ign_eof"] + client)
        defer { c.closeInput(); _ = c.waitExitOrKill(timeout: 5) }
        let failed = { (s: String) in s.contains("srv.1: error") || s.contains("srv.1: evicted") }
        #expect(server.waitFor(timeout: 10, failed), "\(server.stdout)")
        return server.stdout.split(separator: "\n").first { failed(String($0)) }.map(String.init) ?? server.stdout
    }

    @Test func versionClientOffersDTLS10() throws {
        let line = try Self.serveFailure(["--psk", Peers.psk], ["-cipher", "PSK-AES128-CBC-SHA"] + OpenSSLInteropTests.pskArgs,
                                         version: "-dtls1")
        #expect(line.contains("a version mismatch: the client offered DTLS 1.0, this side allows DTLS 1.2 only"), "\(line)")
        #expect(line.contains("fix: --dtls1_0 or --any-version"), "\(line)")
    }

    @Test func versionServerSpeaksDTLS10() throws {
        let line = try Self.connectFailure(["-nocert", "-cipher", "PSK-AES128-CBC-SHA"] + OpenSSLInteropTests.pskArgs,
                                           version: "-dtls1", ["--psk", Peers.psk, "--ciphers", "PSK-AES128-GCM-SHA256:PSK-AES128-CBC-SHA"])
        #expect(line.contains("a version mismatch"), "\(line)")
        #expect(line.contains("fix: --dtls1_0 or --any-version"), "\(line)")
    }

    @Test func noSharedCipher() throws {
        let line = try Self.connectFailure(["-nocert", "-cipher", "PSK-AES256-GCM-SHA384"] + OpenSSLInteropTests.pskArgs,
                                           ["--psk", Peers.psk, "--ciphers", "PSK-AES128-GCM-SHA256"])
        #expect(line.contains("no shared cipher: this side allows PSK-AES128-GCM-SHA256, and the server refused them all"), "\(line)")
        #expect(line.contains("fix: --ciphers"), "\(line)")
    }

    /// A PSK-only server has no certificate: a client that offers only certificate suites is refused.
    @Test func missingCertificateOnAPSKOnlyServer() throws {
        let line = try Self.serveFailure(["--psk", Peers.psk], ["-cipher", "ECDHE-ECDSA-AES128-GCM-SHA256"])
        #expect(line.contains("no shared cipher: the client offered ECDHE-ECDSA-AES128-GCM-SHA256"), "\(line)")
        #expect(line.contains("a certificate suite a certificate on the server"), "\(line)")
    }

    /// The 2006 example's client: anonymous suites only, DTLS 1.0.
    @Test func anonymousOnlyClient() throws {
        let line = try Self.serveFailure(["--dtls1_0", "--psk", Peers.psk], ["-cipher", "aNULL:@SECLEVEL=0"], version: "-dtls1")
        #expect(line.contains("the client offers only anonymous suites"), "\(line)")
        #expect(line.contains("fix: --insecure"), "\(line)")
        #expect(line.contains("@SECLEVEL=0"), "\(line)")
    }

    /// Issue 16's case: the default server (a certificate) with --dtls1_0. It once
    /// failed with "no suitable signature algorithm" and an internal_error alert.
    @Test func anonymousOnlyClientOfACertificateServer() throws {
        let line = try Self.serveFailure(["--dtls1_0"], ["-cipher", "aNULL:@SECLEVEL=0"], version: "-dtls1")
        #expect(line.contains("SSL_ERROR_SSL: no shared cipher — the client offers only anonymous suites"), "\(line)")
        #expect(line.contains("fix: --insecure"), "\(line)")
    }

    /// …and what that fix gives: the same client completes against `serve --insecure --dtls1_0`.
    @Test func anonymousOnlyClientWithTheFix() throws {
        let (server, port) = try OpenSSLInteropTests.serve(["--insecure", "--dtls1_0"])
        defer { server.signal(SIGINT); server.waitExit() }
        let c = try Subprocess("/usr/bin/openssl", ["s_client", "-dtls1", "-connect", "127.0.0.1:\(port)", "-brief", "-no_ign_eof",
                                                    "-cipher", "aNULL:@SECLEVEL=0"])
        defer { c.closeInput(); _ = c.waitExitOrKill(timeout: 5) }
        #expect(c.waitFor("CONNECTION ESTABLISHED"), "\(c.stderr)\(server.stdout)")
        #expect(server.waitFor("srv.1: established DTLSv1"), "\(server.stdout)")
    }

    /// `connect` → the 2006 example's server (anonymous suites only): the client
    /// cannot see the server's list, so the fix names `--insecure` among the
    /// others; with it, the same server completes.
    @Test func anonymousOnlyServer() throws {
        let anonymous = ["-nocert", "-cipher", "aNULL:@SECLEVEL=0"]
        let line = try Self.connectFailure(anonymous, [])
        #expect(line.contains("sslv3 alert handshake failure — no shared cipher"), "\(line)")
        #expect(line.contains("a server that speaks only anonymous suites (the 2006 example) needs --insecure"), "\(line)")
        let (s, port) = try Peers.sServer(anonymous)
        defer { s.closeInput(); _ = s.waitExitOrKill(timeout: 1) }
        let fixed = try Subprocess(Tools.dtlsh, ["connect", "127.0.0.1:\(port)", "--insecure", "--send", "hi", "--wait", "0.2"])
        #expect(fixed.waitExit(timeout: 10) == 0, "\(fixed.stderr)")
        #expect(fixed.stderr.contains("CONNECTION ESTABLISHED DTLSv1.2 ADH-") || fixed.stderr.contains("CONNECTION ESTABLISHED DTLSv1.2 AECDH-"),
                "\(fixed.stderr)")
    }

    /// `--insecure` alone is not the 2006 mode: its help says what else it needs, and why.
    @Test func insecureHelpSaysWhatThe2006ModeNeeds() throws {
        let help = try Subprocess(Tools.dtlsh, ["connect", "--help"])
        #expect(help.waitExit() == 0)
        let text = (help.stdout + help.stderr).split(whereSeparator: \.isWhitespace).joined(separator: " ")
        #expect(text.contains("It puts @SECLEVEL=0 in the cipher string: OpenSSL 3.0 refuses any unauthenticated suite at level 1 or above"),
                "\(text)")
        #expect(text.contains("add --dtls1_0 (or --any-version)"), "\(text)")
        #expect(text.contains("The peer needs @SECLEVEL=0 too"), "\(text)")
    }

    @Test func legacySignatureInDTLS10() throws {
        let (cert, key) = try Tools.makeCertificate()
        let line = try Self.connectFailure(["-cert", cert, "-key", key, "-cipher", "ECDHE-ECDSA-AES128-SHA:@SECLEVEL=0"],
                                           version: "-dtls1", ["--dtls1_0", "--ca", cert, "--ciphers", "ECDHE-ECDSA-AES128-SHA"])
        #expect(line.contains("legacy sigalg disallowed or unsupported"), "\(line)")
        #expect(line.contains("DTLS 1.0 signs the certificate handshake with SHA-1"), "\(line)")
        #expect(line.contains("fix: --ciphers 'ECDHE-ECDSA-AES128-SHA:@SECLEVEL=0'"), "\(line)")
    }

    /// An RSA-1024 certificate is below Debian's default security level 2.
    @Test func securityLevel() throws {
        let dir = try Peers.tempDirectory()
        let cert = dir + "/weak.crt", key = dir + "/weak.key"
        let req = try Subprocess("/usr/bin/openssl", ["req", "-x509", "-newkey", "rsa:1024", "-nodes", "-keyout", key,
                                                      "-out", cert, "-days", "30", "-subj", "/CN=localhost"])
        try #require(req.waitExit() == 0, "\(req.stderr)")
        let line = try Self.connectFailure(["-cert", cert, "-key", key, "-cipher", "ALL:@SECLEVEL=0"], ["--ca", cert])
        #expect(line.contains("below OpenSSL's security level 2"), "\(line)")
        #expect(line.contains("EE certificate key too weak"), "\(line)")
        #expect(line.contains("@SECLEVEL="), "\(line)")
    }

    static let wrongKey = "\(Tools.pskIdentity):ffeeddccbbaa99887766554433221100"
    /// What a client with `wrongKey` says when the server refused its Finished.
    static let refusal = "the server resent its flight 4 twice after this side's Finished"
    static let diagnosis = "a PSK mismatch: both sides use the identity \"\(Tools.pskIdentity)\" but not the same key "
        + "— fix: --psk IDENTITY:HEX with the key the peer has"

    /// s_server drops the Finished it cannot decrypt, without a word, and resends
    /// its flight 4 on its timer (1 s, then 2 s): its second refusal settles it,
    /// long before the 30 s deadline (connectFailure waits 15 s at most).
    @Test func wrongPSKKey() throws {
        let line = try Self.connectFailure(["-nocert", "-cipher", "PSK-AES128-GCM-SHA256"] + OpenSSLInteropTests.pskArgs,
                                           ["--psk", Self.wrongKey, "--handshake-timeout", "30"])
        #expect(line.contains("failed: \(Self.refusal) — \(Self.diagnosis)"), "\(line)")
    }

    /// The shell's `handshake` ends the same way: the failure's event line
    /// gives the same diagnosis, the command's line the same reason.
    @Test func wrongPSKKeyInTheShell() throws {
        let (s, port) = try Peers.sServer(["-nocert", "-cipher", "PSK-AES128-GCM-SHA256"] + OpenSSLInteropTests.pskArgs)
        defer { s.closeInput(); _ = s.waitExitOrKill(timeout: 1) }
        let shell = try Subprocess(Tools.dtlsh, ["-c", "set psk \(Self.wrongKey); set handshake-timeout 30; open cli; "
                                                 + "connect c1 cli 127.0.0.1:\(port); handshake c1; expect state c1 failed"])
        #expect(shell.waitExit(timeout: 15) == 0, "\(shell.stdout)\(shell.stderr)")
        #expect(shell.stdout.contains("c1: evicted: handshake refused — \(Self.diagnosis)"), "\(shell.stdout)")
        #expect(shell.stdout.contains("c1: handshake failed: \(Self.refusal)\n"), "\(shell.stdout)")
    }

    /// A server whose client holds another key gives up at its deadline, and says why.
    @Test func wrongPSKKeyAtTheServer() throws {
        let line = try Self.serveFailure(["--psk", Peers.psk], ["-psk", "ffeeddccbbaa99887766554433221100",
                                                                "-psk_identity", Tools.pskIdentity])
        #expect(line.contains("srv.1: evicted: handshake deadline — a PSK mismatch: both sides use the identity "
                              + "\"\(Tools.pskIdentity)\" but not the same key"), "\(line)")
        #expect(line.contains("fix: --psk IDENTITY:HEX"), "\(line)")
    }

    /// The wait is not silent: each resend shows, then the diagnosis.
    @Test func wrongPSKKeyShowsResends() throws {
        let (s, port) = try Peers.sServer(["-nocert", "-cipher", "PSK-AES128-GCM-SHA256"] + OpenSSLInteropTests.pskArgs)
        defer { s.closeInput(); _ = s.waitExitOrKill(timeout: 1) }
        let client = try Subprocess(Tools.dtlsh, ["connect", "127.0.0.1:\(port)", "--send", "never", "--handshake-timeout", "2",
                                                  "--timer-initial", "100", "--psk", "\(Tools.pskIdentity):ffeeddccbbaa99887766554433221100"])
        #expect(client.waitExit(timeout: 15) == 1)
        #expect(client.stderr.contains("c1: no answer yet: last flight resent (retransmission 1)"), "\(client.stderr)")
        #expect(client.stderr.contains("failed: handshake not done within 2 s — a PSK mismatch"), "\(client.stderr)")
    }

    @Test func wrongPSKIdentity() throws {
        let line = try Self.serveFailure(["--psk", Peers.psk], ["-psk", Tools.pskHex, "-psk_identity", "stranger"])
        #expect(line.contains("a PSK identity mismatch"), "\(line)")
        #expect(line.contains("fix: --psk IDENTITY:HEX"), "\(line)")
    }

    @Test func untrustedCertificate() throws {
        let (cert, key) = try Tools.makeCertificate()
        let (other, _) = try Tools.makeCertificate()
        let line = try Self.connectFailure(["-cert", cert, "-key", key], ["--ca", other])
        #expect(line.contains("certificate verify failed"), "\(line)")
        #expect(line.contains("the peer's certificate is not trusted"), "\(line)")
        #expect(line.contains("fix: --ca FILE"), "\(line)")
    }

    /// `serve --ca` wants a client certificate; s_client sends none.
    @Test func missingClientCertificate() throws {
        let (cert, _) = try Tools.makeCertificate()
        let line = try Self.serveFailure(["--ca", cert], [])
        #expect(line.contains("the server wants a client certificate and got none"), "\(line)")
        #expect(line.contains("fix: --cert FILE --key FILE"), "\(line)")
    }
}
