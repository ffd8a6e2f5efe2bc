import DTLSPlex
import DTLSWire
import Foundation
import SubprocessSupport
import Testing

/// `serve --cookie-key FILE`: two servers given the same key accept each
/// other's cookies, as a fleet behind a UDP balancer must.
@Suite struct CookieKeyTests {
    static func keyFile(mode: mode_t = 0o600) throws -> String {
        let path = try Peers.tempDirectory() + "/cookie.key"
        try (String(repeating: "5a", count: 32) + "\n").write(toFile: path, atomically: true, encoding: .utf8)
        chmod(path, mode)
        return path
    }

    /// A client's hello goes to `first`; its hello with the cookie to `second`.
    static func helloAcross(_ first: Int, _ second: Int) throws {
        var settings = Engine.Settings(tls: TLSConfiguration(psk: .init(identity: Tools.pskIdentity, key: Hex.decode(Tools.pskHex)!)))
        settings.auto = false
        let client = Engine(settings: settings)
        let cli = try client.openSocket(name: "cli", bind: SocketAddress(parsing: "127.0.0.1:0"), accepting: false)
        let c1 = try client.connect(name: "c1", socket: cli, to: SocketAddress(parsing: "127.0.0.1:\(first)"))
        client.step(c1)
        client.flush(c1)
        #expect(client.waitReadable(cli, timeout: 5), "no HelloVerifyRequest from the first server")
        client.receive(cli)
        client.step(c1)
        let withCookie = try #require(c1.outboundQueue.first)
        try cli.udp.send(withCookie, to: SocketAddress(parsing: "127.0.0.1:\(second)"))
    }

    @Test func aHelloAnsweredByOneServerIsAdmittedByTheOther() throws {
        let key = try Self.keyFile()
        let (a, portA) = try OpenSSLInteropTests.serve(["--psk", Peers.psk, "--cookie-key", key])
        defer { a.signal(SIGINT); a.waitExit() }
        // --trace flights: the admission lines a brief server leaves out.
        let (b, portB) = try OpenSSLInteropTests.serve(["--psk", Peers.psk, "--cookie-key", key, "--trace", "flights"])
        defer { b.signal(SIGINT); b.waitExit() }
        #expect(a.stdout.contains("cookies on (key shared from --cookie-key)"))
        try Self.helloAcross(portA, portB)
        #expect(b.waitFor("cookie from 127.0.0.1"), "\(b.stdout)")
        #expect(b.stdout.contains("verified: admitting"), "\(b.stdout)")
        #expect(b.waitFor("srv.1: new server peer"), "\(b.stdout)")
    }

    /// Without a shared key the second server refuses the first one's cookie.
    @Test func withoutTheKeyTheOtherServerRefusesTheCookie() throws {
        let (a, portA) = try OpenSSLInteropTests.serve(["--psk", Peers.psk])
        defer { a.signal(SIGINT); a.waitExit() }
        let (b, portB) = try OpenSSLInteropTests.serve(["--psk", Peers.psk, "--trace", "flights"])
        defer { b.signal(SIGINT); b.waitExit() }
        try Self.helloAcross(portA, portB)
        #expect(b.waitFor("is wrong: answering with a new HelloVerifyRequest"), "\(b.stdout)")
        #expect(!b.stdout.contains("new server peer"))
    }

    @Test func aKeyFileReadableByOthersIsRefused() throws {
        let key = try Self.keyFile(mode: 0o644)
        let p = try Subprocess(Tools.dtlsh, ["serve", "--bind", "127.0.0.1:0", "--psk", Peers.psk, "--cookie-key", key])
        #expect(p.waitExit() == 2)
        #expect(p.stderr.contains("permissions are wider than 0600"), "\(p.stderr)")
        #expect(p.stderr.split(separator: "\n").count == 1, "\(p.stderr)")
    }

    @Test func aShortKeyIsRefused() throws {
        let path = try Peers.tempDirectory() + "/short.key"
        try "abcd\n".write(toFile: path, atomically: true, encoding: .utf8)
        chmod(path, 0o600)
        let p = try Subprocess(Tools.dtlsh, ["serve", "--bind", "127.0.0.1:0", "--cookie-key", path])
        #expect(p.waitExit() == 2)
        #expect(p.stderr.contains("a cookie key is 16 to 4096 bytes"), "\(p.stderr)")
    }
}
