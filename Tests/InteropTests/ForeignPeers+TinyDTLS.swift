import Foundation
import SubprocessSupport
import Testing

/// tinydtls (Eclipse), the DTLS stack of constrained devices, through python's dtlssocket, which
/// vendors it: the server fixture in Fixtures/tinydtls_peer.py. PSK with AES-128-CCM-8 or -CCM only.
extension Peers {
    static let tinydtlsFixture = fixture("tinydtls_peer.py")

    /// python3 that can `import DTLSSocket`, checked once per run.
    static let tinydtlsPython = python3(running: "from DTLSSocket import dtls")

    /// The tinydtls echo server with the suite's PSK: binds 127.0.0.1:0 itself and says its port.
    static func tinydtlsServer(lifetime: Double = 30) throws -> (Subprocess, Int) {
        let python = try #require(tinydtlsPython, "python3 cannot import DTLSSocket: `make test-deps` installs dtlssocket")
        let p = try Subprocess(python, [tinydtlsFixture, "server", "--psk", psk, "--lifetime", "\(lifetime)"])
        return (p, try readyPort(p, "tinydtls server"))
    }
}
