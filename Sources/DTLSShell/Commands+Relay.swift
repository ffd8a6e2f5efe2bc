import DTLSPlex
import DTLSWire

/// `relay NAME LISTEN UPSTREAM` and what `recv`, `flush`, `pending`, `drop`,
/// `dup`, `swap`, `show`, `ladder`, `explain` and `expect` do with a relay's legs.
extension Shell {
    func relayCommand(_ a: Arguments) throws {
        let name = a[0]
        guard Self.validName(name, dots: false) else {
            throw ShellError.message("bad relay name '\(name)': use letters, digits, _ and - (legs get NAME.1, NAME.2, …)")
        }
        guard relays.relay(named: name) == nil, engine.socket(named: name) == nil else {
            throw ShellError.message("the name '\(name)' is taken")
        }
        var listenText = a[1]
        if listenText.allSatisfy(\.isNumber) { listenText = "127.0.0.1:" + listenText }
        let listen: SocketAddress
        do { listen = try SocketAddress(parsing: listenText) } catch { throw ShellError.message("\(error)") }
        // A socket of this shell may stand for its own address.
        let upstream = try engine.socket(named: a[2])?.localAddress ?? a.address(2)
        let relay: Relay
        do {
            relay = try Relay(name: name, listen: listen, upstream: upstream, settings: relays.impairments(RelaySettings()))
        } catch {
            throw ShellError.message("\(error)")
        }
        relay.holding = !engine.settings.auto
        relay.subscribe { [unowned self] e in
            if let eventLine { return eventLine(RelayEventJSON.line(e)) }
            RelayEventText(level: trace, style: style).lines(e).forEach(output)
        }
        relays.relays.append(relay)
        relay.announce()
        if relay.holding {
            say("\(heading(name)): legs \(name).1, \(name).2, … as clients appear; recv \(name) takes what arrived, "
                + "flush \(name).1 up|down passes it on")
        }
    }

    func relaysCommand() {
        guard !relays.relays.isEmpty else { return say("no relays (make one with: relay NAME LISTEN UPSTREAM)") }
        let rows = relays.relays.flatMap { r -> [[String]] in
            [[r.name, r.listenSocket.localAddress.description, r.upstream.description, "", "", ""]]
                + r.legs.map { l in
                    ["  " + l.name, l.client.description, "via " + l.upstreamAddress.description,
                     "\(l.queue(.up).count)/\(l.queue(.down).count)", "\(l.totals.up)/\(l.totals.down)",
                     l.totals.handshakeCompleted ? "completed (inferred)" : "not completed"]
                }
        }
        TextTable.render(["RELAY/LEG", "LISTEN/CLIENT", "UPSTREAM", "QUEUED UP/DOWN", "SEEN UP/DOWN", "HANDSHAKE"], rows).forEach(say)
    }

    /// `recv RELAY`: what arrived on its sockets joins the legs' queues.
    func recvRelay(_ r: Relay) {
        r.holding = !engine.settings.auto
        let n = r.receiveWaiting()
        if n == 0 { say("\(heading(r.name)): nothing waiting") }
        else if trace == .off { say("\(heading(r.name)): received \(n) datagram\(n == 1 ? "" : "s")") }
    }

    func legDirection(_ a: Arguments, _ i: Int) throws -> RelayDirection {
        guard let d = RelayDirection(rawValue: a[i]) else {
            throw ShellError.message("a leg's queues are up (toward the server) and down (toward the client), not '\(a[i])'")
        }
        return d
    }

    private func legIndex(_ a: Arguments, _ i: Int, _ leg: RelayLeg, _ d: RelayDirection) throws -> Int {
        let n = leg.queue(d).count
        guard n > 0 else { throw ShellError.message("\(leg.name) has nothing queued \(d.rawValue)") }
        return try a.int(i, "datagram number", in: 1...n) - 1
    }

    func flushLeg(_ r: Relay, _ leg: RelayLeg, _ a: Arguments) throws {
        guard a.count <= 2 else { throw ShellError.usage("flush LEG [up|down]") }
        let d = try a.optional(1).map { _ in try legDirection(a, 1) }
        let n = r.flush(leg, d)
        if n == 0 { say("\(heading(leg.name)): nothing queued to pass on") }
        else if trace == .off { say("\(heading(leg.name)): passed on \(n) datagram\(n == 1 ? "" : "s")") }
    }

    func dropLeg(_ r: Relay, _ leg: RelayLeg, _ a: Arguments) throws {
        let d = try legDirection(a, 1)
        let which = a.optional(2) ?? "all"
        let index = which == "all" ? nil : try legIndex(a, 2, leg, d)
        let n = try r.drop(leg, d, index: index)
        say("\(heading(leg.name)): dropped \(n) datagram\(n == 1 ? "" : "s") going \(d.rawValue)")
    }

    func dupLeg(_ r: Relay, _ leg: RelayLeg, _ a: Arguments) throws {
        let d = try legDirection(a, 1)
        let i = try legIndex(a, 2, leg, d)
        try r.duplicate(leg, d, index: i)
        say("\(heading(leg.name)): datagram \(i + 1) going \(d.rawValue) duplicated")
    }

    func swapLeg(_ r: Relay, _ leg: RelayLeg, _ a: Arguments) throws {
        let d = try legDirection(a, 1)
        let i = try legIndex(a, 2, leg, d), j = try legIndex(a, 3, leg, d)
        try r.swap(leg, d, i, j)
        say("\(heading(leg.name)): datagrams \(i + 1) and \(j + 1) going \(d.rawValue) swapped")
    }

    func pendingLeg(_ leg: RelayLeg) {
        let up = leg.queue(.up), down = leg.queue(.down)
        say("\(heading(leg.name)): up \(up.count) (\(up.reduce(0) { $0 + $1.bytes.count }) B), "
            + "down \(down.count) (\(down.reduce(0) { $0 + $1.bytes.count }) B)")
        for (d, q) in [("up  ", up), ("down", down)] {
            for (k, h) in q.enumerated() {
                let f = h.observation.flight.map { "flight \($0)\(h.observation.isResend ? " resend" : ""): " } ?? ""
                // Changed by hand: its records as they stand now, not as they came.
                let what = h.edited ? WireSummary.datagram(h.bytes) + "  [edited]" : h.observation.names.joined(separator: ", ")
                say("    \(d) \(k + 1): \(h.bytes.count) B  \(f)\(what)")
            }
        }
    }

    func showLeg(_ r: Relay, _ leg: RelayLeg) {
        let t = leg.totals
        let rows: [(String, String)] = [
            ("relay", "\(r.name): listening on \(r.listenSocket.localAddress), forwarding to \(r.upstream)"),
            ("client", leg.client.description),
            ("upstream", "from \(leg.upstreamAddress) to \(r.upstream)" + (leg.unreachable ? " (unreachable)" : "")),
            ("mode", r.holding ? "manual: datagrams wait in the queues" : "auto: forwarded through the impairments"),
            ("queued", "up \(leg.queue(.up).count), down \(leg.queue(.down).count)"),
            ("datagrams", "\(t.up) up, \(t.down) down, \(t.dropped) dropped, \(t.duplicated) duplicated, "
             + "\(t.reordered) reordered, \(t.delayed) delayed"),
            ("handshake", t.handshakeCompleted ? "completed (inferred)" : "not completed"),
        ]
        say(heading("leg \(leg.name)"))
        for (k, v) in rows { say("  " + k + String(repeating: " ", count: max(1, 12 - k.count)) + v) }
    }

    /// `expect state LEG established|handshaking` and `expect message LEG NAME`.
    func expectLeg(_ leg: RelayLeg, _ a: Arguments) throws {
        switch a[0] {
        case "state":
            let saw = leg.totals.handshakeCompleted ? "established" : "handshaking"
            guard ["established", "handshaking"].contains(a[2]) else {
                throw ShellError.message("a leg's state is established (inferred from the wire) or handshaking, not '\(a[2])'")
            }
            if saw != a[2] { throw ShellError.expectation("expected \(leg.name) \(a[2]), saw \(saw)") }
        default:
            // In the last flight seen on the leg, either way.
            let flights = leg.history.filter { $0.observation.flight != nil }
            guard let last = flights.last else { throw ShellError.expectation("expected \(a[2]) on \(leg.name), saw no flight") }
            let names = flights.filter { $0.observation.flight == last.observation.flight && $0.direction == last.direction }
                .flatMap(\.observation.messageNames)
            if !names.contains(a[2]) {
                throw ShellError.expectation("expected \(a[2]) in \(leg.name)'s last flight (\(last.observation.flight ?? 0)), "
                                             + "saw \(names.joined(separator: ", "))")
            }
        }
    }

    func closeRelay(_ r: Relay) {
        r.finish()
        for leg in r.legs { r.close(leg, reason: "relay closed") }
        relays.relays.removeAll { $0 === r }
    }
}
