import Foundation
import SubprocessSupport
import Testing

/// `dtlsh serve` and `dtlsh connect` against OpenSSL's own s_client and s_server.
@Suite struct OpenSSLInteropTests {
    /// Starts `dtlsh serve` on a free loopback port and returns it with the port.
    static func serve(_ extra: [String]) throws -> (Subprocess, Int) {
        let p = try Subprocess(Tools.dtlsh, ["serve", "--bind", "127.0.0.1:0", "--echo"] + extra)
        try #require(p.waitFor("serving DTLS on"), "serve did not start: \(p.stderr)")
        let line = try #require(p.stdout.split(separator: "\n").first { $0.hasPrefix("serving DTLS on") })
        let port = try #require(Int(line.split(separator: ":")[1].prefix { $0.isNumber }))
        return (p, port)
    }

    static func sClient(port: Int, _ extra: [String]) throws -> Subprocess {
        try Subprocess("/usr/bin/openssl", ["s_client", "-dtls1_2", "-connect", "127.0.0.1:\(port)",
                                            "-brief", "-no_ign_eof"] + extra)
    }

    static let pskArgs = ["-psk", Tools.pskHex, "-psk_identity", Tools.pskIdentity]

    @Test func sClientPSKAgainstServe() throws {
        let (server, port) = try Self.serve(["--psk", "\(Tools.pskIdentity):\(Tools.pskHex)"])
        let client = try Self.sClient(port: port, Self.pskArgs)
        #expect(client.waitFor("CONNECTION ESTABLISHED"))
        client.write("hello\n")
        #expect(client.waitFor { $0.contains("hello\n") && $0.contains("Ciphersuite: PSK-") }, "\(client.stdout)\(client.stderr)")
        client.closeInput()
        client.waitExit()
        #expect(server.waitFor("closed: close_notify received"))
        #expect(server.stdout.contains("established DTLSv1.2 PSK-AES128-GCM-SHA256"))
        server.signal(SIGINT)
        #expect(server.waitExit() == 0)
        #expect(server.stdout.contains("totals: 1 peers, 1 handshakes completed"))
        #expect(server.stdout.contains(", at most 1 peer at once"), "\(server.stdout)")
        // A PSK-only server loads no certificate, and its banner shows none.
        #expect(!server.stdout.contains("certificate SHA-256"), "\(server.stdout)")
    }

    @Test func sClientCertificateAgainstServe() throws {
        let (server, port) = try Self.serve([])
        let client = try Self.sClient(port: port, [])
        #expect(client.waitFor("CONNECTION ESTABLISHED"))
        client.write("certificate mode\n")
        #expect(client.waitFor { $0.contains("certificate mode\n") && $0.contains("Ciphersuite: ECDHE-ECDSA") })
        client.closeInput()
        client.waitExit()
        server.signal(SIGTERM)
        #expect(server.waitExit() == 0)
        #expect(server.stdout.contains("certificate SHA-256 "), "the banner names the certificate it serves: \(server.stdout)")
    }

    @Test func manySClientsAtOnceOnOneServeSocket() throws {
        let (server, port) = try Self.serve(["--psk", "\(Tools.pskIdentity):\(Tools.pskHex)"])
        let clients = try (0..<6).map { _ in try Self.sClient(port: port, Self.pskArgs) }
        for c in clients { #expect(c.waitFor("CONNECTION ESTABLISHED")) }
        for (i, c) in clients.enumerated() { c.write("client \(i)\n") }
        for (i, c) in clients.enumerated() {
            #expect(c.waitFor("client \(i)\n"), "client \(i) got no echo: \(c.stdout)")
        }
        #expect(server.waitFor { $0.components(separatedBy: "established DTLSv1.2").count - 1 == 6 })
        for c in clients { c.closeInput() }
        for c in clients { c.waitExit() }
        server.signal(SIGINT)
        #expect(server.waitExit() == 0)
        #expect(server.stdout.contains("6 handshakes completed"))
    }

    /// s_server exits when its stdin closes; the Subprocess keeps it open.
    @Test func connectPSKToSServer() throws {
        let (server, port) = try Peers.sServer(["-nocert", "-cipher", "PSK-AES128-GCM-SHA256"] + Self.pskArgs)
        let client = try Subprocess(Tools.dtlsh, ["connect", "127.0.0.1:\(port)", "--psk",
                                                  "\(Tools.pskIdentity):\(Tools.pskHex)", "--send", "hello s_server",
                                                  "--wait", "0.3"])
        #expect(client.waitExit() == 0, "\(client.stderr)")
        #expect(client.stderr.contains("CONNECTION ESTABLISHED DTLSv1.2 PSK-AES128-GCM-SHA256"))
        #expect(server.waitFor("hello s_server"))
        server.closeInput()
        server.waitExit()
    }

    @Test func connectCertificateToSServerWithVerification() throws {
        let (cert, key) = try Tools.makeCertificate()
        let (server, port) = try Peers.sServer(["-cert", cert, "-key", key])
        let client = try Subprocess(Tools.dtlsh, ["connect", "127.0.0.1:\(port)", "--ca", cert,
                                                  "--send", "verified", "--wait", "0.3"])
        #expect(client.waitExit() == 0, "\(client.stderr)")
        #expect(client.stderr.contains("CONNECTION ESTABLISHED DTLSv1.2 ECDHE-ECDSA"))
        #expect(server.waitFor("verified"))
        server.closeInput()
        server.waitExit()
    }

    @Test func connectRefusesAnUntrustedCertificate() throws {
        let (cert, key) = try Tools.makeCertificate()
        let (other, _) = try Tools.makeCertificate()
        let (server, port) = try Peers.sServer(["-cert", cert, "-key", key])
        let client = try Subprocess(Tools.dtlsh, ["connect", "127.0.0.1:\(port)", "--ca", other,
                                                  "--send", "x", "--handshake-timeout", "5"])
        #expect(client.waitExit() == 1)
        #expect(client.stderr.contains("certificate verify failed"), "\(client.stderr)")
        server.closeInput()
        server.waitExit()
    }

    @Test func connectExitsOneWhenNobodyAnswers() throws {
        let port = Tools.freeUDPPort()
        let client = try Subprocess(Tools.dtlsh, ["connect", "127.0.0.1:\(port)", "--handshake-timeout", "0.5",
                                                  "--timer-initial", "100"])
        #expect(client.waitExit() == 1)
        #expect(client.stderr.contains("failed"))
    }

    @Test func connectSendsStdinLinesToServe() throws {
        let (server, port) = try Self.serve([])
        let client = try Subprocess(Tools.dtlsh, ["connect", "127.0.0.1:\(port)", "--wait", "0.5"])
        client.write("one\ntwo\n")
        #expect(client.waitFor { $0.contains("one\n") && $0.contains("two\n") })
        client.closeInput()
        #expect(client.waitExit() == 0)
        server.signal(SIGINT)
        #expect(server.waitExit() == 0)
    }

    @Test func serveJSONIsOneObjectPerLine() throws {
        let p = try Subprocess(Tools.dtlsh, ["serve", "--bind", "127.0.0.1:0", "--json", "--echo"])
        #expect(p.waitFor("\"event\":\"socket_opened\""))
        let opened = try #require(p.stdout.split(separator: "\n").first)
        let json = try JSONSerialization.jsonObject(with: Data(opened.utf8)) as? [String: Any]
        let address = try #require(json?["address"] as? String)
        let jsonPort = try #require(Int(address.split(separator: ":").last ?? ""))
        let client = try Subprocess(Tools.dtlsh, ["connect", "127.0.0.1:\(jsonPort)", "--send", "json", "--wait", "1"])
        #expect(client.waitExit() == 0)
        #expect(client.stdout == "json\n")
        p.signal(SIGINT)
        #expect(p.waitExit() == 0)
        for line in p.stdout.split(separator: "\n") {
            let object = try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any]
            #expect(object?["event"] is String, "not an event: \(line)")
        }
        #expect(p.stdout.contains("\"event\":\"established\""))
        #expect(p.stdout.contains("\"event\":\"totals\""))
    }
}

@Suite struct CommandLineTests {
    @Test(arguments: [
        ["serve", "--bind", "nowhere"],
        ["serve", "--psk", "nocolon"],
        ["serve", "--psk", "id:zz"],
        ["serve", "--mtu", "10"],
        ["serve", "--cert", "/nonexistent.pem", "--key", "/nonexistent.key"],
        ["serve", "--trace", "loud"],
        ["serve", "--ciphers", "NO-SUCH-CIPHER"],
        ["connect"],
        ["connect", "127.0.0.1"],
        ["serve", "--frobnicate"],
    ])
    func badFlagsExitTwoWithOneLine(_ args: [String]) throws {
        let p = try Subprocess(Tools.dtlsh, args)
        #expect(p.waitExit() == 2)
        let lines = p.stderr.split(separator: "\n")
        #expect(lines.count == 1, "\(p.stderr)")
        #expect(lines.first?.hasPrefix("dtlsh: ") == true)
    }

    @Test func portInUseIsARuntimeFailure() throws {
        let (server, port) = try OpenSSLInteropTests.serve([])
        let second = try Subprocess(Tools.dtlsh, ["serve", "--bind", "127.0.0.1:\(port)"])
        #expect(second.waitExit() == 1)
        #expect(second.stderr.contains("Address already in use"))
        server.signal(SIGINT)
        server.waitExit()
    }
}
