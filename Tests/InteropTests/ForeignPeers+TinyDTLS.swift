import Foundation
import SubprocessSupport
import Testing

/// tinydtls (Eclipse), the DTLS stack of constrained devices, through python's dtlssocket, which
/// vendors it: the server fixture in Fixtures/tinydtls_peer.py. PSK with AES-128-CCM-8 or -CCM only.
extension Peers {
    static let tinydtlsFixture = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .appendingPathComponent("Fixtures/tinydtls_peer.py").path

    /// python3 that can `import DTLSSocket`, checked once per run.
    static let tinydtlsPython: String? = {
        guard let python = Tools.which("python3"),
              let p = try? Subprocess(python, ["-c", "from DTLSSocket import dtls"]), p.waitExit(timeout: 20) == 0 else { return nil }
        return python
    }()

    /// The tinydtls echo server with the suite's PSK: binds 127.0.0.1:0 itself and says its port.
    static func tinydtlsServer(lifetime: Double = 30) throws -> (Subprocess, Int) {
        let python = try #require(tinydtlsPython, "python3 cannot import DTLSSocket: `make test-deps` installs dtlssocket")
        let p = try Subprocess(python, [tinydtlsFixture, "server", "--psk", psk, "--lifetime", "\(lifetime)"])
        return (p, try readyPort(p, "tinydtls server"))
    }
}
