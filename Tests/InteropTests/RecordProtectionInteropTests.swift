import DTLSPlex
import DTLSWire
import Foundation
import SubprocessSupport
import Testing

/// Records dtlsh protects itself, sent to a real `openssl s_server`: it prints them as the client's own
/// data. s_server negotiates encrypt-then-MAC for CBC suites (dtlsh's own servers turn it off), so this
/// is where RFC 7366 records are checked.
@Suite struct RecordProtectionInteropTests {
    @Test(arguments: [("PSK-AES128-CBC-SHA256", true), ("PSK-AES128-GCM-SHA256", false)])
    func sServerPrintsWhatIsProtected(suite: String, encryptThenMac: Bool) throws {
        let (server, port) = try Peers.sServer(
            ["-nocert", "-psk", Tools.pskHex, "-psk_identity", Tools.pskIdentity, "-cipher", suite])
        defer { server.signal(SIGTERM); _ = server.waitExitOrKill(timeout: 5) }
        var settings = Engine.Settings(tls: TLSConfiguration(psk: .init(identity: Tools.pskIdentity, key: Array(Tools.pskHex.hexBytes))))
        settings.auto = true
        settings.tls.ciphers = suite
        let engine = Engine(settings: settings)
        let cli = try engine.openSocket(name: "cli", bind: SocketAddress(parsing: "127.0.0.1:0"), accepting: false)
        let c1 = try engine.connect(name: "c1", socket: cli, to: SocketAddress(parsing: "127.0.0.1:\(port)"))
        let end = engine.now() + 10
        while c1.status == .handshaking && engine.now() < end { engine.runOnce(timeout: 0.01) }
        try #require(c1.status == .established, "\(c1.endReason ?? "")")
        #expect(c1.cipher == suite)

        let secrets = try #require(c1.sessionSecrets(encryptThenMac: encryptThenMac))
        let protector = try RecordProtector(secrets, writer: .client)
        let text = "forged-\(suite)\n"
        let fragment = try protector.protect(Array(text.utf8), contentType: 23, version: 0xFEFD, epoch: 1, sequence: 30)
        try cli.udp.send(try OutgoingRecord(.applicationData, epoch: 1, sequence: 30, payload: fragment).encoded,
                         to: c1.address)
        #expect(server.waitFor("forged-\(suite)"), "\(server.stdout)\(server.stderr)")
        withExtendedLifetime(engine) {}
    }
}

extension String {
    fileprivate var hexBytes: [UInt8] {
        stride(from: 0, to: count, by: 2).map {
            let start = index(startIndex, offsetBy: $0)
            return UInt8(self[start..<index(start, offsetBy: 2)], radix: 16)!
        }
    }
}
