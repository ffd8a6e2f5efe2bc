import Foundation
import Testing

/// `dtlsh connect` against an mbed TLS server, and an mbed TLS client against
/// `dtlsh serve --echo` (python-mbedtls, Fixtures/mbedtls_peer.py): handshake,
/// one message each way, close_notify.
@Suite struct MbedTLSInteropTests {
    /// The mbed TLS server prefers its own suites (CHACHA20 first): it is given the one wanted.
    @Test func connectPSKToMbedTLSServer() throws {
        let (server, port) = try Peers.mbedtlsServer(["--psk", Peers.psk, "--ciphers", "TLS-PSK-WITH-AES-128-GCM-SHA256"])
        defer { Peers.end(server) }
        let client = try Peers.connect(port: port, ["--psk", Peers.psk], send: "hello mbed TLS")
        Peers.expectConnected(client, cipher: "DTLSv1.2 PSK-AES128-GCM-SHA256", echo: "hello mbed TLS")
        #expect(server.waitFor("established 127.0.0.1:"), "\(server.stdout)\(server.stderr)")
        #expect(server.stdout.contains("hello_verify_request"))
        #expect(server.waitFor("received 127.0.0.1:"))
        #expect(server.waitFor { $0.contains("closed 127.0.0.1:") && $0.contains(" close_notify") }, "\(server.stdout)")
    }

    @Test func connectCertificateToMbedTLSServer() throws {
        let (cert, key) = try Tools.makeCertificate()
        let (server, port) = try Peers.mbedtlsServer(["--cert", cert, "--key", key,
                                                      "--ciphers", "TLS-ECDHE-ECDSA-WITH-AES-128-GCM-SHA256"])
        defer { Peers.end(server) }
        let client = try Peers.connect(port: port, ["--ca", cert], send: "verified mbed TLS")
        Peers.expectConnected(client, cipher: "DTLSv1.2 ECDHE-ECDSA-AES128-GCM-SHA256", echo: "verified mbed TLS")
        #expect(server.waitFor { $0.contains("closed 127.0.0.1:") && $0.contains(" close_notify") },
                "\(server.stdout)\(server.stderr)")
    }

    @Test(arguments: [Peers.Mode.psk, .certificate])
    func mbedTLSClientAgainstServe(_ mode: Peers.Mode) throws {
        let (server, port) = try OpenSSLInteropTests.serve(mode == .psk ? ["--psk", Peers.psk] : [])
        defer { Peers.end(server) }
        let client = try Peers.mbedtlsClient(port: port, (mode == .psk ? ["--psk", Peers.psk] : [])
                                             + ["--message", "hello from mbed TLS"])
        #expect(client.waitExit(timeout: 25) == 0, "\(client.stdout)\(client.stderr)")
        let suite = mode == .psk ? "established TLS-PSK-WITH-AES-128-GCM-SHA256 DTLSv1_2" : "established TLS-ECDHE-ECDSA-"
        #expect(client.stdout.contains(suite), "\(client.stdout)")
        #expect(client.stdout.contains("echo hello from mbed TLS\nclose_notify sent"), "\(client.stdout)")
        #expect(server.waitFor("closed: close_notify received"), "\(server.stdout)")
        Peers.stop(server, handshakes: 1)
    }
}
