import Foundation
import SubprocessSupport
import Testing

/// `dtlsh relay` between other stacks: gnutls-cli → relay → dtlsh serve, and
/// dtlsh connect → relay → gnutls-serv and → an mbed TLS server.
@Suite struct RelayForeignTests {
    @Test func gnutlsCliThroughTheRelayToServe() throws {
        let (server, serverPort) = try RelayRun.serveEcho()
        let (relay, port) = try RelayRun.start(to: serverPort)
        let client = try Peers.gnutlsCli(port: port, .psk)
        #expect(client.waitFor(Peers.gnutlsEstablished), "\(client.stdout)\(client.stderr)")
        client.write("gnutls through the relay\n")
        #expect(client.waitFor("\ngnutls through the relay\n"), "no echo: \(client.stdout)")
        client.closeInput()
        client.waitExit()
        let events = RelayRun.stop(relay)
        #expect(RelayRun.events(events, "relay_totals").first?["handshake_completed"] as? Bool == true)
        Peers.stop(server, handshakes: 1)
    }

    @Test func connectThroughTheRelayToGnutlsServ() throws {
        let (server, serverPort) = try Peers.gnutlsServ(.psk)
        defer { Peers.end(server) }
        let (relay, port) = try RelayRun.start(to: serverPort)
        let client = try Peers.connect(port: port, ["--psk", Peers.psk], send: "relayed to gnutls-serv")
        Peers.expectConnected(client, cipher: "DTLSv1.2 PSK-AES128-GCM-SHA256", echo: "relayed to gnutls-serv")
        let events = RelayRun.stop(relay)
        #expect(RelayRun.events(events, "relay_totals").first?["handshake_completed"] as? Bool == true)
    }

    @Test func connectThroughTheRelayToMbedTLS() throws {
        let (server, serverPort) = try Peers.mbedtlsServer(["--psk", Peers.psk, "--ciphers", "TLS-PSK-WITH-AES-128-GCM-SHA256"])
        defer { Peers.end(server) }
        let (relay, port) = try RelayRun.start(to: serverPort)
        let client = try Peers.connect(port: port, ["--psk", Peers.psk], send: "relayed to mbed TLS")
        #expect(client.waitExit(timeout: 15) == 0, "\(client.stderr)")
        #expect(client.stdout == "relayed to mbed TLS\n", "\(client.stdout)\(client.stderr)")
        let events = RelayRun.stop(relay)
        #expect(RelayRun.events(events, "relay_totals").first?["handshake_completed"] as? Bool == true)
    }
}
