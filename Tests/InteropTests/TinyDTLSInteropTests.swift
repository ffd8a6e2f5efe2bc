import Foundation
import Testing

/// `dtlsh connect` against a tinydtls server (python dtlssocket, Fixtures/tinydtls_peer.py): handshake
/// with dtlsh's default cipher list (which offers the CCM-8 tinydtls wants), one echo, close_notify.
@Suite struct TinyDTLSInteropTests {
    @Test func connectPSKToTinyDTLSServer() throws {
        let (server, port) = try Peers.tinydtlsServer()
        defer { Peers.end(server) }
        let client = try Peers.connect(port: port, ["--psk", Peers.psk], send: "hello tinydtls")
        Peers.expectConnected(client, cipher: "DTLSv1.2 PSK-AES128-CCM8", echo: "hello tinydtls")
        #expect(server.waitFor("established 127.0.0.1:"), "\(server.stdout)\(server.stderr)")
        #expect(server.stdout.contains("received 127.0.0.1:"), "\(server.stdout)")
        // tinydtls reports the close_notify it got as a warning alert of description 0.
        #expect(server.waitFor("warning 0"), "\(server.stdout)")
    }
}
