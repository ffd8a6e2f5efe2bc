import DTLSPlex
import DTLSWire

extension Shell {
    func stepCommand(_ a: Arguments) throws {
        let p = try a.peer(0)
        guard p.status == .handshaking || p.status == .established else {
            throw ShellError.message("\(p.name) is \(p.status.rawValue)" + (p.endReason.map { " (\($0))" } ?? "") + "; nothing to step")
        }
        let wasHandshaking = p.status == .handshaking
        let r = engine.step(p)
        let who = heading(p.name)
        say(r.before == r.after ? "\(who): state: \(r.after) (unchanged)" : "\(who): \(r.before) → \(r.after)")
        if !r.consumed.isEmpty { say("\(who):   read  \(r.consumed.joined(separator: ", "))") }
        let queued = r.datagramsProduced > 0
            ? "  (\(r.datagramsProduced) datagram\(r.datagramsProduced == 1 ? "" : "s") queued: flush \(p.name))" : ""
        if !r.produced.isEmpty {
            say("\(who):   wrote \(r.produced.joined(separator: ", "))" + (r.resent.isEmpty ? queued : ""))
        }
        // A resent flight is its own line, with its reason: in manual mode
        // timers are held, so there it is always the other side's flight again.
        if !r.resent.isEmpty {
            let why = r.resentByTimer ? "its retransmission timer had expired"
                : "the \(p.role == .server ? "client" : "server")'s last flight arrived again"
            say("\(who):   resent \(r.resent.joined(separator: ", ")) (\(why))" + queued)
        }
        var note = ""
        switch r.outcome {
        case .wantsRead: note = r.datagramsConsumed == 0 && r.produced.isEmpty && r.consumed.isEmpty ? " (nothing to read: recv first)" : " (waiting for the other side)"
        case .progressed where r.status == .established && wasHandshaking: note = " (handshake complete)"
        case .closed: note = " (close_notify received)"
        default: break
        }
        say("\(who):   \(r.call): \(r.errorName)\(note)")
        if !wasHandshaking || r.status == .established, !p.received.isEmpty {
            say("\(who):   \(p.received.count) message\(p.received.count == 1 ? "" : "s") waiting: read \(p.name)")
        }
        if r.status == .failed, let why = p.endReason {
            say(style.paint("\(p.name): handshake failed: \(why)", .bad))
        }
    }

    func recvCommand(_ a: Arguments) throws {
        if a.count == 1, let r = relays.relay(named: a[0]) { return recvRelay(r) }
        let s = try a.socket(0)
        guard a.count == 1 || (a.count == 3 && a[1] == "for") else { throw ShellError.usage(a.spec.usage) }
        let before = engine.statistics.datagramsIn
        if a.count == 3 {
            let limit = try a.duration(2)
            guard limit <= 60 else { throw ShellError.message("recv waits at most 60s") }
            // The rest of a flight follows its first datagram within moments.
            if engine.waitReadable(s, timeout: limit) {
                for _ in 0..<50 {
                    engine.receive(s)
                    if !engine.waitReadable(s, timeout: 0.02) { break }
                }
            }
        }
        engine.receive(s)
        let n = engine.statistics.datagramsIn - before
        if n == 0 {
            say("\(heading(s.name)): nothing waiting")
        } else if trace == .off {
            say("\(heading(s.name)): received \(n) datagram\(n == 1 ? "" : "s")")
        }
    }

    func flushCommand(_ a: Arguments) throws {
        if let (r, leg) = relays.leg(named: a[0]) { return try flushLeg(r, leg, a) }
        guard a.count == 1 else { throw ShellError.usage(a.spec.usage) }
        let before = engine.statistics.datagramsOut + engine.statistics.droppedTotal
        let name: String
        if let p = engine.peer(named: a[0]) {
            engine.flush(p)
            name = p.name
        } else if let s = engine.socket(named: a[0]) {
            engine.flush(s)
            name = s.name
        } else {
            throw ShellError.message("no peer or socket named '\(a[0])'")
        }
        let n = engine.statistics.datagramsOut + engine.statistics.droppedTotal - before
        if n == 0 {
            say("\(heading(name)): nothing queued to send")
        } else if trace == .off {
            say("\(heading(name)): sent \(n) datagram\(n == 1 ? "" : "s")")
        }
    }

    private func queueIndex(_ a: Arguments, _ i: Int, _ p: Peer, _ d: Direction) throws -> Int {
        let n = d == .inbound ? p.inboundQueue.count : p.outboundQueue.count
        guard n > 0 else { throw ShellError.message("\(p.name) has no \(d.rawValue)bound datagrams queued") }
        return try a.int(i, "N", in: 1...n) - 1
    }

    func dropCommand(_ a: Arguments) throws {
        if let (r, leg) = relays.leg(named: a[0]) { return try dropLeg(r, leg, a) }
        let p = try a.peer(0)
        let d = try a.direction(1)
        let which = a.optional(2) ?? "all"
        let index = which == "all" ? nil : try queueIndex(a, 2, p, d)
        let n = try engine.byHand.drop(p, d, index: index)
        say("\(heading(p.name)): dropped \(n) \(d.rawValue)bound datagram\(n == 1 ? "" : "s")")
    }

    func dupCommand(_ a: Arguments) throws {
        if let (r, leg) = relays.leg(named: a[0]) { return try dupLeg(r, leg, a) }
        let p = try a.peer(0)
        let d = try a.direction(1)
        let i = try queueIndex(a, 2, p, d)
        try engine.byHand.duplicate(p, d, index: i)
        say("\(heading(p.name)): \(d.rawValue)bound datagram \(i + 1) duplicated")
    }

    func swapCommand(_ a: Arguments) throws {
        if let (r, leg) = relays.leg(named: a[0]) { return try swapLeg(r, leg, a) }
        let p = try a.peer(0)
        let d = try a.direction(1)
        let i = try queueIndex(a, 2, p, d), j = try queueIndex(a, 3, p, d)
        try engine.byHand.swap(p, d, i, j)
        say("\(heading(p.name)): \(d.rawValue)bound datagrams \(i + 1) and \(j + 1) swapped")
    }

    func pendingCommand(_ a: Arguments) throws {
        if a.count == 1, let (_, leg) = relays.leg(named: a[0]) { return pendingLeg(leg) }
        let peers = a.count == 1 ? [try a.peer(0)] : engine.peers
        if a.count == 0 {
            for s in engine.sockets where !s.outbound.isEmpty {
                say("\(heading(s.name)): \(s.outbound.count) datagram\(s.outbound.count == 1 ? "" : "s") of its own waiting for flush \(s.name)")
                for (i, item) in s.outbound.enumerated() {
                    say("    out \(i + 1): \(item.bytes.count) B to \(item.to)  \(WireSummary.datagram(item.bytes))")
                }
            }
        }
        if peers.isEmpty && a.count == 0 && engine.sockets.allSatisfy({ $0.outbound.isEmpty }) {
            return say("nothing pending")
        }
        for p in peers {
            let i = p.inboundQueue, o = p.outboundQueue
            say("\(heading(p.name)): in \(i.count) (\(i.byteCount) B), out \(o.count) (\(o.byteCount) B); OpenSSL: BIO_ctrl_pending \(p.bioPending), BIO_wpending \(p.bioWritePending), SSL_pending \(p.sslPending)")
            func marked(_ q: DatagramQueue, _ k: Int) -> String { q.mark(at: k).map { "  [\($0.rawValue)]" } ?? "" }
            for k in 0..<i.count { say("    in  \(k + 1): \(i[k].count) B  \(WireSummary.datagram(i[k]))" + marked(i, k)) }
            for k in 0..<o.count { say("    out \(k + 1): \(o[k].count) B  \(WireSummary.datagram(o[k]))" + marked(o, k)) }
        }
    }

    func errorsCommand(_ a: Arguments) throws {
        let peers = a.count == 1 ? [try a.peer(0)] : engine.peers.filter { $0.lastError != nil || $0.status == .failed }
        if peers.isEmpty { return say("no errors") }
        for p in peers {
            say("\(heading(p.name)): last SSL_get_error: \(p.lastSSLError?.name ?? "none yet")")
            if let reason = p.endReason, p.status == .failed { say("  failed: \(reason)") }
            if let e = p.lastError, !e.queue.isEmpty {
                say("  OpenSSL error queue after \(e.operation):")
                e.queue.forEach { say("    \($0)") }
            } else {
                say("  OpenSSL error queue: empty")
            }
            for (d, alert) in p.alerts { say("  alert \(d == .inbound ? "received" : "sent"): \(alert)") }
        }
    }

    func timersCommand() {
        guard !engine.peers.isEmpty else { return say("no peers") }
        func fmt(_ d: Double?) -> String { d.map(EventText.seconds) ?? "-" }
        // In manual mode an expired timer waits for `tick` (time stands still for OpenSSL).
        func retransmit(_ d: Double?) -> String { d == 0 ? "expired" : fmt(d) }
        let rows = engine.peers.map { p -> [String] in
            let t = engine.timerStatus(p)
            return [p.name, p.status.rawValue, retransmit(t.retransmit), String(p.counters.retransmits), fmt(t.handshakeDeadline), fmt(t.idle)]
        }
        TextTable.render(["PEER", "STATUS", "RETRANSMIT IN", "RESENT", "HANDSHAKE DEADLINE", "IDLE EVICTION"], rows).forEach(say)
    }

    func tickCommand(_ a: Arguments) throws {
        if a.count == 1 {
            let p = try a.peer(0)
            guard let left = engine.timerStatus(p).retransmit else {
                throw ShellError.message("\(p.name) has no retransmission timer armed")
            }
            // Said first only for a wait one notices; the line after always says
            // how long it was, so a transcript reads the same however close it came.
            if left > 2 { say("\(heading(p.name)): waiting \(EventText.seconds(left)) for the timer") }
            guard left <= 60 else { throw ShellError.message("\(p.name)'s timer runs out in \(EventText.seconds(left)); tick waits at most 60 s") }
            // The wait gives way to Ctrl-C, like `wait` and `handshake`; it
            // touches nothing else (manual mode).
            let end = engine.now() + left
            while engine.now() < end {
                if interrupted() { throw ShellError.message("tick interrupted: \(p.name)'s timer has not fired") }
                engine.runOnce(timeout: min(0.05, max(0, end - engine.now())), drive: false)
            }
            guard engine.fireTimer(p, maxWait: 60) else { throw ShellError.message("\(p.name)'s timer did not fire") }
            let queued = p.outboundQueue.count
            say("\(heading(p.name)): timer fired after \(EventText.seconds(left))"
                + (queued > 0 && !engine.settings.auto ? "; last flight queued again (\(queued) datagram\(queued == 1 ? "" : "s")): flush \(p.name)" : ""))
            return
        }
        let before = engine.peers.map { ($0, $0.counters.retransmits, $0.status) }
        let n = engine.tick()
        if trace == .off {
            // The events say it when tracing; the count below is the lines.
            for (p, resent, status) in before where p.counters.retransmits > resent || p.status != status {
                say("\(heading(p.name)): " + (p.status != status ? "\(p.status.rawValue): \(p.endReason ?? "timer")"
                    : "timer expired: last flight resent (retransmission \(p.counters.retransmits))"))
            }
        }
        if n == 0 {
            let next = engine.nextTimerDeadline.map { " (next in \(EventText.seconds(max(0, $0 - engine.now()))))" } ?? ""
            say("no timer has expired\(next)")
        } else {
            say("fired \(n) timer\(n == 1 ? "" : "s")")
        }
    }

    func handshakeCommand(_ a: Arguments) throws {
        let p = try a.peer(0)
        guard p.status == .handshaking else { return say("\(heading(p.name)): already \(p.status.rawValue)") }
        let saved = trace
        if trace == .off { trace = .flights }
        defer { trace = saved }
        if !p.handshakeHasStarted { engine.step(p); engine.flush(p) }
        // Only this handshake moves: the peer and its other end in this shell
        // (admitted on the way, or already there); other peers keep their queues.
        let local = p.socket.localAddress, remote = p.address
        engine.drivesOnly = { q in q === p || (q.address == local && q.socket.localAddress == remote) }
        defer { engine.drivesOnly = nil }
        let limit = engine.settings.handshakeTimeout ?? 30
        var broken = false
        engine.run(until: { [unowned self] in
            if handshakeIsOver(p) { return true }
            broken = interrupted()
            return broken
        }, timeout: limit, drive: true)
        // A handshake that ends in failure has ended: the command did its job,
        // and `expect state` is how a script insists on success.
        switch p.status {
        case .established: break
        case .handshaking where broken: throw ShellError.message("handshake interrupted: \(p.name) is still handshaking")
        case .handshaking: throw ShellError.message("\(p.name) is still handshaking after \(EventText.seconds(limit))")
        default: say(style.paint(handshakeEnding(p), .bad))
        }
    }

    /// Established, ended, or a client whose Finished the server refused
    /// (another PSK), which gives up here: no waiting can change it.
    private func handshakeIsOver(_ p: Peer) -> Bool {
        if p.status != .handshaking { return true }
        return p.role == .client && wire.finishedRefusal(of: p).giveUpIfConclusive(p, in: engine)
    }

    /// How a handshake that will not complete ended. The diagnosis came with
    /// the failure's event, just above.
    private func handshakeEnding(_ p: Peer) -> String {
        let reason = p.endReason ?? "see errors \(p.name)"
        if p.establishedAt != nil { return "\(p.name) was established, and is \(p.status.rawValue) now: \(reason)" }
        return "\(p.name): handshake \(p.status.rawValue): \(reason)"
    }

    func waitCommand(_ a: Arguments) throws {
        switch a[0] {
        case "for":
            guard a.count == 2 else { throw ShellError.usage(a.spec.usage) }
            let d = try a.duration(1)
            engine.run(until: { [unowned self] in interrupted() }, timeout: d, drive: true)
        case "until":
            guard a.count == 3 || (a.count == 5 && a[3] == "for") else { throw ShellError.usage(a.spec.usage) }
            let what = a[1]
            guard ["established", "closed", "data"].contains(what) else {
                throw ShellError.message("wait until established|closed|data PEER, not '\(what)'")
            }
            let name = a[2]
            // A peer may not exist yet (srv.1 before its client arrives): wait for it.
            guard Shell.validName(name, dots: true) else { throw ShellError.message("bad peer name '\(name)'") }
            if engine.peer(named: name) == nil, !mayAppear(name) {
                // Not here, never accepted, not coming: other commands fail at once too.
                if let ended = endedPeers[name] { throw ShellError.message("\(name) is gone (\(ended.rawValue))") }
                _ = try a.peer(2)
            }
            let limit = a.count == 5 ? try a.duration(4) : 10
            var broken = false
            let held = engine.run(until: { [engine, unowned self] in
                if interrupted() {
                    broken = true
                    return true
                }
                guard let p = engine.peer(named: name) else { return what == "closed" }
                switch what {
                case "established": return handshakeIsOver(p)
                case "closed": return p.status == .closed || p.status == .failed
                default: return !p.received.isEmpty
                }
            }, timeout: limit, drive: true)
            if broken { throw ShellError.message("wait interrupted") }
            if held, what == "established", let p = engine.peer(named: name), p.status != .established {
                throw ShellError.message(handshakeEnding(p))
            }
            if !held {
                let now = engine.peer(named: name).map { $0.status.rawValue } ?? "gone"
                throw ShellError.message("waited \(EventText.seconds(limit)): \(name) is \(now)")
            }
        default:
            throw ShellError.usage(a.spec.usage)
        }
    }

    /// Whether a peer of this name can still come: the next accepted peers of
    /// an accepting socket (srv.3 before its client arrives), not an ended one.
    private func mayAppear(_ name: String) -> Bool {
        guard endedPeers[name] == nil, let dot = name.lastIndex(of: "."), Int(name[name.index(after: dot)...]) != nil,
              let s = engine.socket(named: String(name[..<dot])) else { return false }
        return s.accepting
    }

    func autoCommand(_ a: Arguments) throws {
        if a.count == 0 { return say("auto is \(engine.settings.auto ? "on" : "off")") }
        engine.settings.auto = try a.onOff(0)
        // What was queued by hand goes out now that the engine drives itself.
        if engine.settings.auto { engine.resumeAll() }
        say(engine.settings.auto ? "auto on: the engine receives, steps, flushes and fires timers by itself"
                                 : "auto off: nothing moves until you recv, step, flush or tick")
    }
}
