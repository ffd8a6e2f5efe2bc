import Foundation
import Testing

/// `dtlsh connect` against `gnutls-serv --udp --echo`, and `gnutls-cli --udp`
/// against `dtlsh serve --echo`: handshake, one message each way, close_notify.
@Suite struct GnuTLSInteropTests {
    @Test func connectPSKToGnutlsServ() throws {
        let (server, port) = try Peers.gnutlsServ(.psk)
        defer { Peers.end(server) }
        let client = try Peers.connect(port: port, ["--psk", Peers.psk], send: "hello gnutls-serv")
        Peers.expectConnected(client, cipher: "DTLSv1.2 PSK-AES128-GCM-SHA256", echo: "hello gnutls-serv")
        #expect(server.waitFor(": hello gnutls-serv"), "\(server.stdout)")
        // gnutls-serv prints EOF when a record read ends in close_notify.
        #expect(server.waitFor("\nEOF\n"), "\(server.stdout)\(server.stderr)")
    }

    @Test func connectCertificateToGnutlsServ() throws {
        let (cert, key) = try Tools.makeCertificate()
        let (server, port) = try Peers.gnutlsServ(.certificate, certificate: (cert, key))
        defer { Peers.end(server) }
        let client = try Peers.connect(port: port, ["--ca", cert], send: "verified gnutls-serv")
        Peers.expectConnected(client, cipher: "DTLSv1.2 ECDHE-ECDSA-", echo: "verified gnutls-serv")
        #expect(server.waitFor(": verified gnutls-serv"), "\(server.stdout)")
        #expect(server.waitFor("\nEOF\n"), "\(server.stdout)\(server.stderr)")
    }

    /// Plain PSK only: gnutls-cli 3.7.9 segfaults after an ECDHE-PSK handshake.
    @Test(arguments: [Peers.Mode.psk, .certificate])
    func gnutlsCliAgainstServe(_ mode: Peers.Mode) throws {
        let (server, port) = try OpenSSLInteropTests.serve(mode == .psk ? ["--psk", Peers.psk] : [])
        defer { Peers.end(server) }
        let client = try Peers.gnutlsCli(port: port, mode)
        #expect(client.waitFor(Peers.gnutlsEstablished), "\(client.stdout)\(client.stderr)")
        client.write("hello from gnutls-cli\n")
        #expect(client.waitFor("\nhello from gnutls-cli\n"), "no echo: \(client.stdout)")
        client.closeInput()
        #expect(client.waitExit() == 0, "\(client.stdout)\(client.stderr)")
        // dtlsh answered gnutls-cli's close_notify with its own.
        #expect(client.stdout.contains("- Peer has closed the GnuTLS connection"))
        #expect(server.waitFor("closed: close_notify received"), "\(server.stdout)")
        let cipher = mode == .psk ? "PSK-AES128-GCM-SHA256" : "ECDHE-ECDSA-"
        #expect(server.stdout.contains("established DTLSv1.2 \(cipher)"), "\(server.stdout)")
        Peers.stop(server, handshakes: 1)
    }
}
