import DTLSPlex

extension Shell {
    static func validName(_ name: String, dots: Bool) -> Bool {
        !name.isEmpty && name.count <= 64 && name.unicodeScalars.allSatisfy {
            ("a"..."z").contains($0) || ("A"..."Z").contains($0) || ("0"..."9").contains($0)
                || $0 == "_" || $0 == "-" || (dots && $0 == ".")
        }
    }

    func open(_ a: Arguments) throws {
        let name = a[0]
        guard Self.validName(name, dots: false) else {
            throw ShellError.message("bad socket name '\(name)': use letters, digits, _ and - (peers get NAME.1, NAME.2, …)")
        }
        var rest = Array(a.words.dropFirst())
        let accepting = rest.last == "accept"
        if accepting { rest.removeLast() }
        guard rest.count <= 1 else { throw ShellError.usage(a.spec.usage) }
        var addressText = rest.first ?? "127.0.0.1:0"
        if addressText.allSatisfy(\.isNumber) { addressText = "127.0.0.1:" + addressText }
        let address: SocketAddress
        do { address = try SocketAddress(parsing: addressText) } catch { throw ShellError.message("\(error)") }
        do {
            try engine.openSocket(name: name, bind: address, accepting: accepting)
        } catch {
            throw ShellError.message("\(error)")
        }
    }

    func connect(_ a: Arguments) throws {
        let name = a[0]
        guard Self.validName(name, dots: true) else {
            throw ShellError.message("bad peer name '\(name)': use letters, digits, ., _ and -")
        }
        let socket = try a.socket(1)
        // A socket of this shell may stand for its own address.
        let destination = try engine.socket(named: a[2])?.localAddress ?? relays.relay(named: a[2])?.listenSocket.localAddress
            ?? a.address(2)
        do {
            try engine.connect(name: name, socket: socket, to: destination)
        } catch {
            throw ShellError.message("\(error)")
        }
        if !engine.settings.auto {
            say("\(heading(name)): client peer on \(socket.name) for \(destination); step \(name) to send its ClientHello")
        }
    }

    func listSockets() {
        guard !engine.sockets.isEmpty else { return say("no sockets (open one with: open NAME [HOST:PORT] [accept])") }
        let rows = engine.sockets.map { s in
            [s.name, s.localAddress.description, s.accepting ? "yes" : "no", String(s.peerCount),
             String(s.outbound.count)]
        }
        TextTable.render(["NAME", "ADDRESS", "ACCEPT", "PEERS", "QUEUED OUT"], rows).forEach(say)
    }

    func listPeers() {
        guard !engine.peers.isEmpty else { return say("no peers (make one with: connect PEER SOCKET HOST:PORT)") }
        let rows = engine.peers.map { p in
            [p.name, p.role.rawValue, p.socket.name, p.address.description, p.status.rawValue,
             "\(p.inboundQueue.count)/\(p.outboundQueue.count)", p.stateDescription]
        }
        TextTable.render(["NAME", "ROLE", "SOCKET", "ADDRESS", "STATUS", "IN/OUT", "OPENSSL STATE"], rows).forEach(say)
    }

    func showPeer(_ a: Arguments) throws {
        if let (r, leg) = relays.leg(named: a[0]) { return showLeg(r, leg) }
        let p = try a.peer(0)
        let t = engine.timerStatus(p)
        let c = p.counters
        var rows: [(String, String)] = [
            ("role", p.role.rawValue),
            ("socket", "\(p.socket.name) (\(p.socket.localAddress))"),
            ("address", p.address.description),
            ("status", p.status.rawValue + (p.endReason.map { " (\($0))" } ?? "")),
            ("state", p.stateDescription),
            ("version", p.version ?? "not negotiated yet"),
            ("cipher", p.cipher ?? "not negotiated yet"),
            ("epoch", String(p.epoch)),
            ("mtu", "\(p.mtu) (application data up to \(p.dataMTU) B per message)"),
            ("timer", t.retransmit.map { $0 == 0 ? "retransmission timer expired: " + (engine.settings.auto ? "firing" : "fires on tick, wait, handshake or auto on")
                                                  : "retransmission in \(EventText.seconds($0))" } ?? "not armed"),
            ("queued", "in \(p.inboundQueue.count) (\(p.inboundQueue.byteCount) B), out \(p.outboundQueue.count) (\(p.outboundQueue.byteCount) B)"),
            ("unread", "\(p.received.count) message\(p.received.count == 1 ? "" : "s")"),
            ("datagrams", "\(c.datagramsIn) in (\(c.bytesIn) B), \(c.datagramsOut) out (\(c.bytesOut) B), \(c.dropped) dropped"),
            ("messages", "\(c.messagesIn) in, \(c.messagesOut) out"),
            ("retransmits", String(c.retransmits)),
            ("certificate", Self.certificateRow(p)),
        ]
        if let srtp = p.srtpProfile { rows.append(("srtp", srtp)) }
        if let e = p.lastSSLError { rows.append(("last result", e.name)) }
        if let e = p.lastError { rows.append(("last error", e.description)) }
        say(heading("peer \(p.name)"))
        for (k, v) in rows { say("  " + k + String(repeating: " ", count: max(1, 13 - k.count)) + v) }
    }

    /// What authenticates the other side: a PSK or an anonymous suite has no
    /// certificate to verify, so "NOT verified" would send the user looking for one.
    static func certificateRow(_ p: Peer) -> String {
        let cipher = p.cipher ?? ""
        if cipher.hasPrefix("ADH-") || cipher.hasPrefix("AECDH-") {
            return "none: an anonymous suite, neither side is authenticated (the insecure switch)"
        }
        if cipher.contains("PSK") { return "none needed: the pre-shared key authenticates both sides" }
        if p.verifiesPeer { return p.peerCertificateVerified ? "peer's certificate verified" : "verification on" }
        return "peer's certificate NOT verified (set ca FILE to verify)"
    }

    func closeCommand(_ a: Arguments) throws {
        if let r = relays.relay(named: a[0]) { return closeRelay(r) }
        if let p = engine.peer(named: a[0]) {
            let wasLive = p.status == .handshaking || p.status == .established
            engine.close(p)
            endedPeers[p.name] = .closed
            endNotes[p.name] = wasLive ? "closed here (close_notify to the other side), then forgotten"
                                       : "closed here after it had \(p.status == .failed ? "failed" : "ended"), then forgotten"
            if !engine.settings.auto && wasLive {
                say("\(heading(p.name)): close_notify queued on \(p.socket.name); flush \(p.socket.name) to send it")
            }
        } else if let s = engine.socket(named: a[0]) {
            engine.closeSocket(s)
        } else {
            _ = try a.peer(0)
        }
    }

    func forget(_ a: Arguments) throws {
        let p = try a.peer(0)
        engine.remove(p)
        endedPeers[p.name] = .closed
        endNotes[p.name] = "forgotten here without a word to the other side"
        say("\(heading(p.name)): forgotten (the other side was not told)")
    }
}
