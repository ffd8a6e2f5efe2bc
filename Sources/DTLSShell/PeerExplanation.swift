import DTLSPlex

/// `explain PEER` in plain words: where the handshake stands in flights, what
/// the peer waits for, its timer and queues, why it failed, and what to type
/// next. Sentences, so the shell can set them as one paragraph.
struct PeerExplanation {
    let peer: Peer
    let engine: Engine
    let wire: WireRecorder

    private var local: SocketAddress { peer.socket.localAddress }
    private var arrows: [WireArrow] { wire.arrows(for: peer) }
    private var progress: FlightProgress {
        FlightProgress(peer, cookieRound: arrows.contains { $0.from == peer.address && $0.flight == 3 })
    }

    var sentences: [String] {
        var s = [introduction]
        switch peer.status {
        case .handshaking:
            s += handshaking
        case .established:
            s += established
        case .closed:
            s.append("It ended: \(peer.endReason ?? "closed").")
        case .failed:
            s.append("Its handshake failed; OpenSSL's state is \"\(peer.stateDescription)\".")
        }
        s += queues
        if let cause = FailureCause(peer: peer, wire: wire, progress: progress).sentence { s.append(cause) }
        if peer.status == .failed {
            s.append("To try again, fix the setting and make a new peer: settings apply to peers made afterwards.")
        }
        s.append(next)
        return s
    }

    private var introduction: String {
        let other = wire.name(of: peer.address).map { "\($0) (\(peer.address))" } ?? peer.address.description
        return "\(peer.name) is a \(peer.role.rawValue) on \(peer.socket.name) talking to \(other), \(peer.status.rawValue)."
    }

    // MARK: - Handshaking

    private var handshaking: [String] {
        var s: [String] = []
        let f = progress
        if f.sent == nil {
            if peer.role == .client {
                s.append("It has sent nothing yet: its first step writes \(HandshakeFlight.describe(1)).")
            } else {
                let hello = f.read ?? 1
                s.append("It was admitted on \(HandshakeFlight.describe(hello)); OpenSSL holds that hello and answers with \(HandshakeFlight.describe(4)) when stepped.")
            }
        } else if let sent = f.sent {
            var line = "It has \(onTheWire(sent) ? "sent" : "written") \(FlightProgress.describe(sent, f.sentMessages))"
            if let read = f.read { line += " and read \(FlightProgress.describe(read, f.readMessages))" }
            let expecting = f.expecting(peer.role)
            if let first = expecting.first, first == f.read {
                line += ", and waits for the rest of flight \(first)"
                    + (f.readMessages.contains("Finished") ? "" : " (its Finished)")
            } else if let first = expecting.first {
                line += ", and now expects \(HandshakeFlight.describe(first))"
                if expecting.count > 1 {
                    line += " — or \(HandshakeFlight.describe(expecting[1])) if the server skips the cookie exchange"
                }
            }
            s.append(line + ".")
            if let whereabouts = whereabouts(of: sent) { s.append(whereabouts) }
        }
        s += timers(resending: f.sent)
        return s
    }

    /// Whether any of the flight left (or was lost on the way), as opposed to
    /// being written by OpenSSL and still queued.
    private func onTheWire(_ flight: Int) -> Bool {
        peer.outboundQueue.isEmpty || arrows.contains { $0.from == local && $0.flight == flight }
    }

    /// Where the last flight it sent is now: queued, on its way, lost, or waiting to be read.
    private func whereabouts(of flight: Int) -> String? {
        if !peer.outboundQueue.isEmpty { return nil }  // the queue sentence says it
        let sent = arrows.filter { $0.from == local && $0.flight == flight }
        guard !sent.isEmpty else { return nil }
        let live = sent.filter { !$0.fate.isLost }
        // The last flight of a handshake has no timer behind it (OpenSSL stops
        // it on completion): only the other side's repeated flight brings it back.
        let recovery = engine.timerStatus(peer).retransmit != nil ? "the retransmission timer sends it again"
            : "\(peer.name) has no timer for it and sends it again only when the other side's last flight arrives again"
        if live.isEmpty, case let .lost(why)? = sent.last?.fate {
            return "Flight \(flight) never arrived (lost: \(why)); \(recovery)."
        }
        if live.isEmpty, case let .discarded(why)? = sent.last?.fate {
            return "Flight \(flight) arrived but was thrown away (\(why)); \(recovery)."
        }
        if case let .inFlight(socket)? = live.last?.fate {
            return "Flight \(flight) is on its way: it waits in \(socket)'s receive buffer."
        }
        if let q = otherEnd, !q.inboundQueue.isEmpty {
            return "Flight \(flight) has reached \(q.name), whose OpenSSL has not read it yet."
        }
        return nil
    }

    /// The peer at the other end, when it is in this shell.
    private var otherEnd: Peer? {
        engine.peers.first { $0.socket.localAddress == peer.address && $0.address == local }
    }

    private func timers(resending flight: Int?) -> [String] {
        var s: [String] = []
        let t = engine.timerStatus(peer)
        let what = flight.map { " and resends flight \($0)" } ?? ""
        if let left = t.retransmit {
            s.append(left > 0.0005 ? "Its retransmission timer is armed: it fires in \(Self.duration(left))\(what) unless the answer comes first."
                                   : "Its retransmission timer has expired: the next tick fires it\(what).")
        } else if peer.handshakeHasStarted {
            s.append("No retransmission timer is armed.")
        }
        let n = peer.counters.retransmits
        if n > 0 { s.append("It has resent its last flight \(n) time\(n == 1 ? "" : "s") so far.") }
        if let d = t.handshakeDeadline { s.append("The handshake deadline (set handshake-timeout) runs out in \(Self.duration(d)).") }
        return s
    }

    /// Milliseconds below ten seconds: one unit for the timer's whole first
    /// rounds, so a transcript made with --stable reads the same every time.
    static func duration(_ s: Double) -> String {
        s < 10 ? "\(Int((s * 1000).rounded())) ms" : "\(Int(s.rounded())) s"
    }

    // MARK: - Established

    private var established: [String] {
        var line = "The handshake is complete: \(peer.version ?? "DTLS") with \(peer.cipher ?? "the negotiated cipher")"
        if let sent = progress.sent, let read = progress.read {
            line += " (the last flights: it \(onTheWire(sent) ? "sent" : "wrote") \(sent) and read \(read))"
        }
        var s = [line + "."]
        if !peer.received.isEmpty {
            let n = peer.received.count
            s.append(n == 1 ? "1 application message arrived and waits to be read." : "\(n) application messages arrived and wait to be read.")
        }
        return s
    }

    // MARK: - Queues and what to type

    private var queues: [String] {
        var s: [String] = []
        for (queue, word, reader) in [(peer.outboundQueue, "outbound", "sent"), (peer.inboundQueue, "inbound", "read by OpenSSL")] where !queue.isEmpty {
            let labels = queue.all.map { DatagramFacts($0).label }
            s.append("\(queue.count) datagram\(queue.count == 1 ? "" : "s") wait\(queue.count == 1 ? "s" : "") in its \(word) queue, not yet \(reader): "
                + labels.joined(separator: "; ") + ".")
        }
        return s
    }

    private var next: String {
        if engine.settings.auto {
            return peer.status == .handshaking ? "Auto is on: the engine receives, steps, flushes and fires timers by itself."
                                               : "Auto is on: nothing needs typing to move it."
        }
        guard let n = NextCommand(peer: peer, engine: engine, wire: wire).suggestion else {
            return peer.status == .handshaking ? "Nothing is queued or on its way." : "Nothing more moves on its own."
        }
        return "Next: \(n.command) (\(n.why))."
    }
}
