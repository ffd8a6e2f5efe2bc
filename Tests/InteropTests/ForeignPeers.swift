import Foundation
import SubprocessSupport
import Testing

/// Launchers for the foreign DTLS stacks the interop tests run `dtlsh` against:
/// GnuTLS (`gnutls-serv`, `gnutls-cli` from gnutls-bin), mbed TLS (the
/// python-mbedtls fixture in Fixtures/) and OpenSSL (`s_server`, `s_client`).
/// A missing tool fails the test that needs it: `make test` installs them all.
enum Peers {
    static let psk = "\(Tools.pskIdentity):\(Tools.pskHex)"

    enum Mode: String, CustomTestStringConvertible, Sendable {
        case psk, certificate
        var testDescription: String { rawValue }
    }

    // MARK: - tools

    static func tool(_ name: String, from package: String) throws -> String {
        try #require(Tools.which(name), "\(name) is not installed: `make test-deps` installs \(package)")
    }

    static func tempDirectory() throws -> String {
        let dir = NSTemporaryDirectory() + "dtlsh-interop-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        return dir
    }

    /// Starts a foreign server on a UDP port found free just before; a server
    /// that lost the race for it (another test took the port) is stopped and
    /// started again on another. `start` returns nil when the bind failed.
    static func onFreePort(_ what: String, _ start: (Int) throws -> Subprocess?) throws -> (Subprocess, Int) {
        for _ in 0..<3 {
            let port = Tools.freeUDPPort()
            if let server = try start(port) { return (server, port) }
        }
        throw StartFailure(description: "\(what) could not bind a free port, three times")
    }

    struct StartFailure: Error, CustomStringConvertible {
        let description: String
    }

    /// Ends a foreign server (through `timeout`, which passes SIGTERM on).
    static func end(_ p: Subprocess) {
        guard p.process.isRunning else { return }
        p.signal(SIGTERM)
        p.waitExit(timeout: 5)
    }

    // MARK: - dtlsh

    /// `dtlsh connect --send TEXT` to 127.0.0.1:PORT; it closes with close_notify after the reply.
    static func connect(port: Int, _ extra: [String], send text: String) throws -> Subprocess {
        try Subprocess(Tools.dtlsh, ["connect", "127.0.0.1:\(port)", "--send", text, "--wait", "2",
                                     "--handshake-timeout", "5"] + extra)
    }

    /// Checks a finished `dtlsh connect --send`: exit 0, the cipher, the echo, our close_notify.
    static func expectConnected(_ client: Subprocess, cipher: String, echo: String? = nil,
                                sourceLocation: SourceLocation = #_sourceLocation) {
        let status = client.waitExit(timeout: 10)
        #expect(status == 0, "dtlsh connect exited \(String(describing: status)):\n\(client.stderr)",
                sourceLocation: sourceLocation)
        #expect(client.stderr.contains("CONNECTION ESTABLISHED \(cipher)"), "\(client.stderr)",
                sourceLocation: sourceLocation)
        if let echo {
            #expect(client.stdout == echo + "\n", "no echo: \(client.stderr)", sourceLocation: sourceLocation)
        }
        #expect(client.stderr.contains("alert sent: warning close notify"), sourceLocation: sourceLocation)
    }

    /// Stops a `dtlsh serve` and checks it exits cleanly with the totals line.
    static func stop(_ server: Subprocess, handshakes: Int, sourceLocation: SourceLocation = #_sourceLocation) {
        server.signal(SIGINT)
        #expect(server.waitExit() == 0, sourceLocation: sourceLocation)
        #expect(server.stdout.contains("totals: \(handshakes) peers, \(handshakes) handshakes completed, 0 failed"),
                "\(server.stdout)", sourceLocation: sourceLocation)
    }

    // MARK: - GnuTLS

    /// `gnutls-serv --udp --echo` on a free port: plain PSK only, or the given certificate.
    /// It listens on every interface (no bind option); the tests only send to 127.0.0.1.
    static func gnutlsServ(_ mode: Mode, certificate: (cert: String, key: String)? = nil) throws -> (Subprocess, Int) {
        let serv = try tool("gnutls-serv", from: "gnutls-bin")
        var credentials: [String]
        switch mode {
        case .psk:
            let file = try tempDirectory() + "/psk.passwd"
            try "\(psk)\n".write(toFile: file, atomically: true, encoding: .utf8)
            credentials = ["--pskpasswd", file, "--priority", "NORMAL:-KX-ALL:+PSK"]
        case .certificate:
            let (cert, key) = try #require(certificate)
            credentials = ["--x509certfile", cert, "--x509keyfile", key]
        }
        return try onFreePort("gnutls-serv") { port in
            // Its stdout is block-buffered in a pipe: stdbuf makes it line-buffered.
            // It never ends by itself: `timeout` ends it should the test process die.
            let p = try Subprocess("/usr/bin/timeout", ["60", "stdbuf", "-oL", serv, "--udp", "--echo",
                                                        "-p", "\(port)"] + credentials)
            // A failed bind does not stop gnutls-serv: it prints so and waits for nothing.
            // The tests only use IPv4, which it binds first.
            let bound = "listening on IPv4 0.0.0.0 port \(port)...done"
            if p.waitFor(timeout: 10, { $0.contains(bound) || $0.contains("bind() failed") || !p.process.isRunning }),
               (p.stdout + p.stderr).contains(bound) {
                return p
            }
            end(p)
            return nil
        }
    }

    /// `gnutls-cli --udp` to 127.0.0.1:PORT. Lines written to it are sent; at the
    /// end of its input it sends close_notify and exits. Offered plain PSK only:
    /// gnutls-cli 3.7.9 crashes after an ECDHE-PSK handshake. Against a certificate
    /// it does not verify (dtlsh's certificate is a fresh self-signed one).
    static func gnutlsCli(port: Int, _ mode: Mode) throws -> Subprocess {
        let cli = try tool("gnutls-cli", from: "gnutls-bin")
        let credentials = switch mode {
        case .psk: ["--pskusername", Tools.pskIdentity, "--pskkey", Tools.pskHex, "--priority", "NORMAL:-KX-ALL:+PSK"]
        case .certificate: ["--insecure"]
        }
        return try Subprocess(cli, ["--udp", "-p", "\(port)", "127.0.0.1"] + credentials)
    }

    static let gnutlsEstablished = "- Handshake was completed"

    // MARK: - mbed TLS (python-mbedtls)

    static let mbedtlsFixture = fixture("mbedtls_peer.py")

    /// python3 that can `import mbedtls`, checked once per run.
    static let mbedtlsInterpreter = python3(running: "import mbedtls")

    static func mbedtlsPython() throws -> String {
        try #require(mbedtlsInterpreter, "python3 cannot import mbedtls: `make test-deps` installs python-mbedtls")
    }

    /// A script of Fixtures/, beside this file.
    static func fixture(_ name: String) -> String {
        URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Fixtures/\(name)").path
    }

    /// The python3 on PATH if it runs `statement` (an import) without error.
    static func python3(running statement: String) -> String? {
        guard let python = Tools.which("python3"),
              let p = try? Subprocess(python, ["-c", statement]), p.waitExit(timeout: 20) == 0 else { return nil }
        return python
    }

    /// The mbed TLS echo server: binds 127.0.0.1:0 itself and says its port.
    static func mbedtlsServer(_ args: [String]) throws -> (Subprocess, Int) {
        let p = try Subprocess(try mbedtlsPython(), [mbedtlsFixture, "server", "--lifetime", "30"] + args)
        return (p, try readyPort(p, "mbed TLS server"))
    }

    /// The port a python fixture server bound, from its "ready port N" line.
    static func readyPort(_ p: Subprocess, _ what: String) throws -> Int {
        try #require(p.waitFor("ready port"), "\(what) did not start: \(p.stdout)\(p.stderr)")
        let line = try #require(p.stdout.split(separator: "\n").first { $0.hasPrefix("ready port ") })
        return try #require(Int(line.dropFirst("ready port ".count)))
    }

    /// The mbed TLS client: sends `--message TEXT` (or each stdin line with `--stdin`),
    /// prints "echo …" for each reply, closes with close_notify.
    static func mbedtlsClient(port: Int, _ args: [String]) throws -> Subprocess {
        try Subprocess(try mbedtlsPython(), [mbedtlsFixture, "client", "\(port)", "--timeout", "20"] + args)
    }

    // MARK: - OpenSSL

    /// `openssl s_server` on a free loopback port, stdin kept open (it exits when stdin closes).
    static func sServer(_ extra: [String], version: String = "-dtls1_2") throws -> (Subprocess, Int) {
        try onFreePort("s_server") { port in
            let p = try Subprocess("/usr/bin/openssl", ["s_server", version, "-accept", "127.0.0.1:\(port)"] + extra)
            p.waitFor { $0.contains("ACCEPT") || !p.process.isRunning }
            if (p.stdout + p.stderr).contains("ACCEPT") && p.process.isRunning { return p }
            p.waitExit()
            return nil
        }
    }
}
