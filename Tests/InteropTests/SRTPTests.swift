import Foundation
import SubprocessSupport
import Testing

/// use_srtp and RFC 5705 keying material against OpenSSL's s_server and
/// s_client: the profile is negotiated, `show` names it, and `export`
/// derives the bytes OpenSSL prints for the same label and length.
@Suite struct SRTPTests {
    static let profile = "SRTP_AES128_CM_SHA1_80"
    static let label = "EXTRACTOR-dtls_srtp"
    static let psk = "\(Tools.pskIdentity):\(Tools.pskHex)"
    static let opensslSRTP = ["-use_srtp", profile, "-keymatexport", label, "-keymatexportlen", "60"]
    static let opensslPSK = ["-psk", Tools.pskHex, "-psk_identity", Tools.pskIdentity]

    /// The hex after "Keying material: " in s_server's or s_client's output, lower case.
    static func keyingMaterial(_ output: String) -> String? {
        guard let line = output.split(separator: "\n").first(where: { $0.contains("Keying material: ") }) else { return nil }
        return line.components(separatedBy: "Keying material: ").last?.trimmingCharacters(in: .whitespaces).lowercased()
    }

    /// The one line of 120 hex digits (60 bytes) the shell's `export` printed.
    static func exported(_ output: String) -> String? {
        output.split(separator: "\n").map(String.init).first { $0.count == 120 && $0.allSatisfy(\.isHexDigit) }
    }

    static func sServer() throws -> (Subprocess, Int) {
        try Peers.sServer(["-nocert", "-cipher", "PSK-AES128-GCM-SHA256"] + opensslPSK + opensslSRTP)
    }

    @Test func connectNegotiatesSRTPWithSServer() throws {
        let (server, port) = try Self.sServer()
        let client = try Subprocess(Tools.dtlsh, ["connect", "127.0.0.1:\(port)", "--psk", Self.psk, "--srtp", Self.profile,
                                                  "--send", "srtp", "--wait", "0.3"])
        #expect(client.waitExit(timeout: 10) == 0, "\(client.stderr)")
        #expect(server.waitFor("SRTP Extension negotiated, profile=\(Self.profile)"), "\(server.stdout)")
        #expect(server.waitFor { Self.keyingMaterial($0)?.count == 120 })
        server.closeInput()
        server.waitExit()
        // connect can neither name the profile nor export keying material.
        #expect(client.stderr.contains(Self.profile))
    }

    /// The walk the shell documents: `set srtp`, connect, handshake, show, export.
    @Test func shellExportMatchesSServer() throws {
        let (server, port) = try Self.sServer()
        let shell = try Subprocess(Tools.dtlsh, ["-c", "set psk \(Self.psk); set srtp \(Self.profile); open cli; "
                                                    + "connect c1 cli 127.0.0.1:\(port); handshake c1; show c1; "
                                                    + "export c1 \(Self.label) 60; close c1; flush cli"])
        #expect(shell.waitExit(timeout: 15) == 0, "\(shell.stdout)\(shell.stderr)")
        #expect(shell.stdout.split(separator: "\n").contains { $0.hasPrefix("  srtp ") && $0.hasSuffix(" \(Self.profile)") },
                "show does not name the profile: \(shell.stdout)")
        #expect(server.waitFor { Self.keyingMaterial($0) != nil }, "\(server.stdout)")
        let theirs = try #require(Self.keyingMaterial(server.stdout))
        let ours = try #require(Self.exported(shell.stdout), "no export line in: \(shell.stdout)")
        #expect(ours == theirs)
        #expect(server.stdout.contains("SRTP Extension negotiated, profile=\(Self.profile)"))
        server.closeInput()
        server.waitExit()
    }

    /// s_client against `dtlsh serve --srtp`: the profile is negotiated, but
    /// serve has no way to show it or the keying material.
    @Test func sClientNegotiatesSRTPWithServe() throws {
        let (server, port) = try OpenSSLInteropTests.serve(["--psk", Self.psk, "--srtp", Self.profile])
        let client = try Subprocess("/usr/bin/openssl", ["s_client", "-dtls1_2", "-connect", "127.0.0.1:\(port)"]
                                    + Self.opensslPSK + Self.opensslSRTP)
        #expect(client.waitFor("SRTP Extension negotiated, profile=\(Self.profile)"), "\(client.stdout)\(client.stderr)")
        #expect(client.waitFor { Self.keyingMaterial($0)?.count == 120 })
        client.closeInput()
        client.waitExit()
        #expect(server.waitFor("closed: close_notify received"))
        server.signal(SIGINT)
        #expect(server.waitExit() == 0)
        #expect(server.stdout.contains(Self.profile))
    }

    /// The server role's export, from the shell on an accepting socket,
    /// against what s_client derives.
    @Test func shellServerExportMatchesSClient() throws {
        let shell = try Subprocess(Tools.dtlsh, [])
        shell.write("set psk \(Self.psk)\nset srtp \(Self.profile)\ntrace off\nopen srv accept\nauto on\n")
        try #require(shell.waitFor("auto on:"), "\(shell.stdout)\(shell.stderr)")
        let port = try #require(Observe.listeningPort(shell.stdout, socket: "srv"))
        let client = try Subprocess("/usr/bin/openssl", ["s_client", "-dtls1_2", "-connect", "127.0.0.1:\(port)"]
                                    + Self.opensslPSK + Self.opensslSRTP)
        #expect(client.waitFor { Self.keyingMaterial($0) != nil }, "\(client.stdout)\(client.stderr)")
        #expect(shell.waitFor("srv.1: established"), "\(shell.stdout)")
        shell.write("show srv.1\nexport srv.1 \(Self.label) 60\n")
        #expect(shell.waitFor { Self.exported($0) != nil }, "\(shell.stdout)")
        client.closeInput()
        client.waitExit()
        shell.closeInput()
        #expect(shell.waitExit(timeout: 10) == 0, "\(shell.stdout)")
        #expect(shell.stdout.split(separator: "\n").contains { $0.hasPrefix("  srtp ") && $0.hasSuffix(" \(Self.profile)") })
        let theirs = try #require(Self.keyingMaterial(client.stdout))
        #expect(Self.exported(shell.stdout) == theirs)
    }
}
