import Foundation
import SubprocessSupport
import Testing

/// Clients of three stacks at once on one `dtlsh serve` socket: each handshake
/// completes, each client gets its own message back and nobody else's.
@Suite struct MixedClientsInteropTests {
    struct Client {
        let name: String
        let process: Subprocess
        /// What the client prints once its handshake is done.
        let established: String
        /// What it prints when `message` comes back.
        let echo: String
        var message: String { "from \(name)" }
    }

    @Test func gnutlsMbedTLSAndOpenSSLClientsShareOneServeSocket() throws {
        let (server, port) = try OpenSSLInteropTests.serve(["--psk", Peers.psk])
        defer { server.process.terminate() }
        var clients: [Client] = []
        for i in 0..<2 {
            let name = "gnutls-cli \(i)"
            clients.append(Client(name: name, process: try Peers.gnutlsCli(port: port, .psk),
                                  established: Peers.gnutlsEstablished, echo: "\nfrom \(name)\n"))
        }
        for i in 0..<2 {
            let name = "mbed TLS \(i)"
            clients.append(Client(name: name, process: try Peers.mbedtlsClient(port: port, ["--psk", Peers.psk, "--stdin"]),
                                  established: "established TLS-PSK-", echo: "echo from \(name)\n"))
        }
        for i in 0..<2 {
            let name = "s_client \(i)"
            clients.append(Client(name: name, process: try OpenSSLInteropTests.sClient(port: port, OpenSSLInteropTests.pskArgs),
                                  established: "CONNECTION ESTABLISHED", echo: "from \(name)\n"))
        }
        // All six associations are up at the same time before anyone speaks.
        for c in clients {
            #expect(c.process.waitFor(c.established), "\(c.name): \(c.process.stdout)\(c.process.stderr)")
        }
        #expect(server.waitFor { $0.components(separatedBy: "established DTLSv1.2 PSK-AES128-GCM-SHA256").count - 1 == 6 },
                "\(server.stdout)")
        for c in clients { c.process.write(c.message + "\n") }
        for c in clients {
            #expect(c.process.waitFor(c.echo), "\(c.name) got no echo: \(c.process.stdout)")
            for other in clients where other.name != c.name {
                #expect(!c.process.stdout.contains(other.message), "\(c.name) got \(other.name)'s message")
            }
        }
        for c in clients { c.process.closeInput() }
        for c in clients {
            let status = c.process.waitExit(timeout: 15)
            #expect(status == 0, "\(c.name) exited \(String(describing: status)): \(c.process.stdout)\(c.process.stderr)")
        }
        #expect(server.waitFor { $0.components(separatedBy: "closed: close_notify received").count - 1 == 6 },
                "\(server.stdout)")
        Peers.stop(server, handshakes: 6)
    }
}
