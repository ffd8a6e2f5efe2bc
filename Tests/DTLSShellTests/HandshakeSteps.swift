import DTLSPlex
import DTLSShell
import Testing

/// The moves of a handshake by hand, so each test reads as the flights it is about.
extension Transcript {
    /// `flush FROM`, then `recv TO` once the datagram is there.
    func deliver(_ from: String, to socket: String, sourceLocation: SourceLocation = #_sourceLocation) {
        ok("flush \(from)", sourceLocation: sourceLocation)
        waitReadable(socket)
        ok("recv \(socket)", sourceLocation: sourceLocation)
    }

    /// srv accepts, cli connects with c1; nothing stepped yet. `settings` apply
    /// to both sides, `server` ones to the server only.
    func twoSockets(_ settings: [String] = [], server serverSettings: [String] = []) {
        // A server socket keeps the settings in force when it is opened: the
        // server's own come last before it, then the client's are set again.
        settings.forEach { ok($0) }
        serverSettings.forEach { ok($0) }
        ok("open srv accept")
        if !serverSettings.isEmpty { settings.forEach { ok($0) } }
        ok("open cli")
        ok("connect c1 cli srv")
    }

    /// Flights 1 to 3: srv.1 exists and holds c1's ClientHello with the cookie.
    func throughFlight3() {
        ok("step c1")
        deliver("c1", to: "srv")
        deliver("srv", to: "cli")
        ok("step c1")
        deliver("c1", to: "srv")
    }

    /// Flights 4 and 5 each way, and the server's step on flight 5.
    func throughFlight5() {
        ok("step srv.1")
        deliver("srv.1", to: "cli")
        ok("step c1")
        deliver("c1", to: "srv")
        ok("step srv.1")
    }

    /// From flight 1 held in relay r's leg r.1 (`RelayShellTests.heldHello`)
    /// to flight 5 held there, stepped by hand; srv.1 has read flight 3.
    func relayedThroughFlight5() {
        deliver("r.1 up", to: "srv")
        deliver("srv", to: "r")
        deliver("r.1 down", to: "cli")
        ok("step c1")
        deliver("c1", to: "r")
        deliver("r.1 up", to: "srv")
        ok("step srv.1")
        deliver("srv.1", to: "r")
        deliver("r.1 down", to: "cli")
        ok("step c1")
        deliver("c1", to: "r")
    }

    /// What `explain` prints, as one line: it sets its paragraphs with line breaks.
    func prose(_ line: String, sourceLocation: SourceLocation = #_sourceLocation) -> String {
        ok(line, sourceLocation: sourceLocation).map { $0.trimmingSpaces }.joined(separator: " ")
    }

    /// The address a socket of this shell is bound to, for another shell to reach.
    func address(of socket: String) -> String {
        shell.engine.socket(named: socket)?.localAddress.description ?? "?"
    }
}

extension String {
    var trimmingSpaces: String {
        var s = Substring(self)
        while s.first == " " { s = s.dropFirst() }
        while s.last == " " { s = s.dropLast() }
        return String(s)
    }
}
