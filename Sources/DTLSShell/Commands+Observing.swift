import DTLSPlex

extension Shell {
    // MARK: - ladder

    func ladderCommand(_ a: Arguments) throws {
        if a.count == 1, let (r, leg) = relays.leg(named: a[0]) {
            return RelayLadder.lines(leg, server: r.upstream, unicode: unicode).forEach(say)
        }
        let rows: [LadderEntry]
        let columns: [LadderDrawing.Column]
        let title: String
        if a.count == 1 {
            let name = a[0]
            // A peer closed or forgotten still has a ladder: the recorder kept its ends.
            let live = engine.peer(named: name).map { (local: $0.socket.localAddress, remote: $0.address) }
            guard let ends = live ?? wire.peerEnds[name] else { _ = try a.peer(0); return }
            let pair = AddressPair(ends.local, ends.remote)
            rows = wire.entries.filter { entry in
                switch entry {
                case let .arrow(x): AddressPair(x.from, x.to) == pair
                case let .note(_, _, peer, _): peer == name
                }
            }
            // The client on the left, as in RFC 6347's figures.
            let role = engine.peer(named: name)?.role
                ?? wire.history(ends.local, ends.remote).map { $0.client == ends.local ? .client : .server }
            let (left, right) = role == .server ? (ends.remote, ends.local) : (ends.local, ends.remote)
            columns = [column(left), column(right)]
            title = "\(name), between \(columns[0].name) and \(columns[1].name)"
        } else {
            rows = wire.entries
            columns = allColumns(rows)
            title = "\(columns.count) endpoint\(columns.count == 1 ? "" : "s")"
        }
        let datagrams = rows.filter { if case .arrow = $0 { true } else { false } }.count
        guard datagrams > 0, columns.count >= 2 else {
            return say(a.count == 1 ? "nothing has crossed the wire between \(a[0])'s two ends yet"
                                    : "nothing has crossed the wire yet (step a client peer, then flush it)")
        }
        say(heading("ladder: \(title), \(datagrams) datagram\(datagrams == 1 ? "" : "s")"))
        if wire.forgotten > 0, a.count == 0 {
            say("(only the last \(WireRecorder.capacity) rows are kept: \(wire.forgotten) older ones are not shown)")
        }
        LadderDrawing(columns: columns, glyphs: unicode ? .unicode : .ascii).lines(rows).forEach(say)
    }

    /// Endpoints in the order they first appear on the wire, so the side
    /// that speaks first (a client) stands on the left as in RFC 6347's
    /// figures; then open sockets that have not spoken yet.
    private func allColumns(_ rows: [LadderEntry]) -> [LadderDrawing.Column] {
        var seen: [SocketAddress] = []
        for case let .arrow(x) in rows {
            for address in [x.from, x.to] where !seen.contains(address) { seen.append(address) }
        }
        let quiet = engine.sockets.map(\.localAddress).filter { !seen.contains($0) }
        return (seen + quiet).map(column)
    }

    private func column(_ address: SocketAddress) -> LadderDrawing.Column {
        if let name = wire.name(of: address) { return .init(name: name, address: address) }
        let peers = engine.peers.filter { $0.address == address }.map(\.name)
        return .init(name: peers.isEmpty ? "remote" : "remote (\(peers.joined(separator: ", ")))", address: address)
    }

    // MARK: - explain

    func explainCommand(_ a: Arguments) throws {
        if a.count == 1, let (r, leg) = relays.leg(named: a[0]) {
            return RelayExplanation.lines(leg, holding: r.holding, now: r.now(), quiet: r.settings.quietAfterFlight6Seconds)
                .forEach(say)
        }
        if a.count == 1 {
            if let p = engine.peer(named: a[0]) {
                return paragraph(PeerExplanation(peer: p, engine: engine, wire: wire).sentences)
            }
            if let gone = goneExplanation(a[0]) { return paragraph(gone) }
            _ = try a.peer(0)
        }
        var paragraphs = statelessAnswers()
        paragraphs += engine.peers.map { PeerExplanation(peer: $0, engine: engine, wire: wire).sentences }
        paragraphs += endedPeers.keys.sorted().filter { engine.peer(named: $0) == nil }.compactMap(goneExplanation)
        guard !paragraphs.isEmpty else {
            return say("no peers yet: open srv accept, open cli, then connect c1 cli srv makes a client; step c1 starts its handshake")
        }
        for (i, p) in paragraphs.enumerated() {
            if i > 0 { say("") }
            paragraph(p)
        }
    }

    private func paragraph(_ sentences: [String]) {
        TextWrap.paragraph(sentences.joined(separator: " ")).forEach(say)
    }

    /// HelloVerifyRequests an accepting socket holds for sources that have no peer:
    /// the cookie exchange keeps no state, so no peer can speak of them.
    private func statelessAnswers() -> [[String]] {
        engine.sockets.flatMap { s in
            s.outbound.filter { item in !engine.peers.contains { $0.socket === s && $0.address == item.to } }.map { item -> [String] in
                let facts = DatagramFacts(item.bytes)
                let what = facts.handshakeMessages == ["HelloVerifyRequest"] ? HandshakeFlight.describe(2) : facts.label
                return ["\(s.name) holds \(what) for \(item.to), and no state for it: a server peer exists only once the ClientHello comes back with the cookie.",
                        engine.settings.auto ? "Auto is on: it goes out by itself." : "Next: flush \(s.name) (it waits on the socket, not on a peer)."]
            }
        }
    }

    /// A peer closed or forgotten here is gone from the engine; what is left to say.
    private func goneExplanation(_ name: String) -> [String]? {
        guard let how = endNotes[name] ?? endedPeers[name].map({ "\($0.rawValue)" }) else { return nil }
        var s = ["\(name) is gone: \(how)."]
        if let ends = wire.peerEnds[name], let socket = engine.sockets.first(where: { $0.localAddress == ends.local }),
           socket.outbound.contains(where: { $0.to == ends.remote }) {
            s.append(engine.settings.auto ? "Its close_notify goes out by itself."
                                          : "Its close_notify waits on \(socket.name): next: flush \(socket.name).")
        }
        return s
    }

    // MARK: - trace, capture, keylog

    func traceCommand(_ a: Arguments) throws {
        if a.count == 1 {
            guard let level = TraceLevel(rawValue: a[0]) else { throw ShellError.message("trace \(TraceLevel.grammar), not '\(a[0])'") }
            trace = level
        }
        say("trace \(trace.rawValue)")
    }

    func captureCommand(_ a: Arguments) throws {
        if a[0] == "off" {
            guard let w = pcap else { return say("no capture running") }
            say("capture \(w.path) closed: \(w.packets) datagrams")
            pcap = nil
            return
        }
        do {
            let w = try PcapWriter(path: a[0])
            w.attach(to: engine)
            pcap = w
            say("capturing every datagram to \(a[0])")
        } catch { throw ShellError.message("\(error)") }
    }

    func keylogCommand(_ a: Arguments) throws {
        if a[0] == "off" {
            engine.keyLogSink = nil
            keyLog = nil
            return say("key log off")
        }
        do {
            let w = try KeyLogWriter(path: a[0])
            w.attach(to: engine)
            keyLog = w
            say("writing TLS secrets for handshakes from now on to \(a[0]) (mode 0600)")
        } catch { throw ShellError.message("\(error)") }
    }
}
