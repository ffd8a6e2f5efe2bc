import Foundation
import SubprocessSupport
import Testing

/// Launching `dtlsh relay` for the relay tests, and reading its `--json` lines.
enum RelayRun {
    /// `dtlsh relay --listen 127.0.0.1:0 --to 127.0.0.1:PORT --json` plus `extra`;
    /// returns it with the port it listens on (from its relay_opened event).
    static func start(to port: Int, _ extra: [String] = []) throws -> (Subprocess, Int) {
        let p = try Subprocess(Tools.dtlsh, ["relay", "--listen", "127.0.0.1:0", "--to", "127.0.0.1:\(port)", "--json"] + extra)
        try #require(p.waitFor("\"event\":\"relay_opened\""), "relay did not start: \(p.stderr)")
        let first = try #require(Observe.objects(p.stdout).first)
        let listen = try #require(first["listen"] as? String)
        let listenPort = try #require(Int(listen.split(separator: ":").last ?? ""))
        return (p, listenPort)
    }

    /// Ends the relay with SIGINT: exit 0, then its events (the totals last).
    static func stop(_ relay: Subprocess, sourceLocation: SourceLocation = #_sourceLocation) -> [Observe.Object] {
        relay.signal(SIGINT)
        #expect(relay.waitExit() == 0, "relay: \(relay.stderr)", sourceLocation: sourceLocation)
        return Observe.objects(relay.stdout)
    }

    static func events(_ objects: [Observe.Object], _ name: String) -> [Observe.Object] {
        objects.filter { $0["event"] as? String == name }
    }

    /// `dtlsh serve --echo` on a free port (text output), with its port.
    static func serveEcho(_ extra: [String] = []) throws -> (Subprocess, Int) {
        try OpenSSLInteropTests.serve(["--psk", Peers.psk] + extra)
    }

    static func connect(port: Int, send text: String, _ extra: [String] = []) throws -> Subprocess {
        try Subprocess(Tools.dtlsh, ["connect", "127.0.0.1:\(port)", "--psk", Peers.psk, "--send", text,
                                     "--wait", "2", "--handshake-timeout", "10"] + extra)
    }
}
