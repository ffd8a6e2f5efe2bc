import Glibc

extension Engine {
    /// Reads OpenSSL's retransmission timer after an SSL call and keeps the
    /// heap in step with it.
    func updateTimer(_ p: Peer, rearmed: Bool = false) {
        let old = p.retransmitDeadline
        if let seconds = p.connection.retransmissionTimeout {
            p.retransmitDeadline = now() + seconds
            if old == nil || rearmed {
                p.emit(.timer(seconds: p.connection.armedTimerLength ?? seconds), as: .protocolDetail)
            }
        } else {
            p.retransmitDeadline = nil
            if old != nil { p.emit(.timer(seconds: nil), as: .protocolDetail) }
        }
        schedule(p)
    }

    func nextDeadline(of p: Peer) -> Double? {
        var d: Double? = nil
        func consider(_ t: Double?) { if let t { d = min(d ?? t, t) } }
        guard p.status == .handshaking || p.status == .established else { return nil }
        consider(p.retransmitDeadline)
        if p.status == .handshaking, let h = settings.handshakeTimeout { consider(p.createdAt + h) }
        if let idle = settings.idleTimeout { consider(p.lastActivity + idle) }
        return d
    }

    /// Puts the peer's next deadline in the heap unless an earlier entry is
    /// already there: an early wake-up costs one look, a late one a stall.
    func schedule(_ p: Peer) {
        guard let d = nextDeadline(of: p) else { return }
        if let s = p.scheduledAt, s <= d { return }
        p.timerGeneration += 1
        p.scheduledAt = d
        // More than one entry in two stale (rescheduled, or their peer gone):
        // sweep them out, so the heap stays the size of the live peers.
        if timers.count >= 64 && timers.count > 2 * peersByID.count {
            timers.compact { e in peersByID[e.peerID].map { $0.timerGeneration == e.generation } ?? false }
        }
        timers.push(.init(deadline: d, peerID: p.id, generation: p.timerGeneration))
    }

    /// Entries in the timer heap, stale ones included: bounded by the live
    /// peers (about twice as many at most), however many have come and gone.
    public var scheduledTimerCount: Int { timers.count }

    /// The earliest moment something is due, if anything is.
    public var nextTimerDeadline: Double? { timers.first?.deadline }

    /// Fires every expired timer: retransmissions (OpenSSL's timeout handling),
    /// handshake deadlines, idle eviction. Returns how many fired to effect
    /// (a flight resent, a peer ended): a heap entry for a timer OpenSSL
    /// already stopped is no timer.
    @discardableResult
    public func tick() -> Int {
        // Inside a driven turn its clock does: a timer due since the turn
        // began fires in the next turn.
        let t = isDriving ? turnClock : now()
        var fired = 0
        // Bounded: each live peer fires at most once per tick.
        var budget = timers.count
        // Timers of peers outside a scoped drive wait, as they would have.
        var outside: [TimerHeap.Entry] = []
        defer { for e in outside { timers.push(e) } }
        while budget > 0, let top = timers.first, top.deadline <= t {
            budget -= 1
            _ = timers.pop()
            guard let p = peersByID[top.peerID], top.generation == p.timerGeneration else { continue }
            if !settings.auto, let only = drivesOnly, !only(p) {
                outside.append(top)
                continue
            }
            p.scheduledAt = nil
            if fire(p, at: t) { fired += 1 }
            if settings.auto || isDriving {
                flush(p)
                reapIfFinished(p)
                if !p.socket.outbound.isEmpty { flushOwn(p.socket) }
            }
        }
        memory.returnFreed(now: t, of: self)
        return fired
    }

    /// Ends a handshake that will not complete: past its deadline, or refused
    /// as its caller read on the wire (`FinishedRefusal` in the shell).
    /// `reason` becomes the peer's `endReason`, `event` the peer_evicted reason.
    public func giveUp(_ p: Peer, reason: String, event: String) {
        guard p.status == .handshaking else { return }
        fail(p, reason: reason)
        statistics.peersEvicted += 1
        p.emit(.peerEvicted(reason: event))
    }

    /// Whether anything happened: a resend, or the peer's end.
    @discardableResult
    func fire(_ p: Peer, at t: Double) -> Bool {
        // An entry scheduled before the peer ended: an ended SSL must not resend.
        guard p.status == .handshaking || p.status == .established else { return false }
        if p.status == .handshaking, let h = settings.handshakeTimeout, t - p.createdAt >= h {
            giveUp(p, reason: "handshake not done within \(formatSeconds(h))", event: "handshake deadline")
            return true
        }
        if let idle = settings.idleTimeout, t - p.lastActivity >= idle {
            evict(p, reason: "idle for \(formatSeconds(idle))")
            return true
        }
        var acted = false
        if let r = p.retransmitDeadline, r <= t + 0.0005 {
            acted = retransmit(p)
        }
        schedule(p)
        return acted
    }

    /// Resends the last flight, or gives up after 12 tries; whether either happened.
    @discardableResult
    func retransmit(_ p: Peer) -> Bool {
        guard p.connection.ensureBuffers() else {
            fail(p, reason: "no memory for OpenSSL's record buffers")
            return true
        }
        var resent = false
        switch p.connection.handleTimeout() {
        case .resent:
            resent = true
            p.counters.retransmits += 1
            statistics.retransmits += 1
            p.emit(.retransmit(count: p.counters.retransmits))
        case let .failed(error):
            fail(p, error)
            return true
        case .notDue:
            break
        }
        updateTimer(p, rearmed: resent)
        return resent
    }

    /// Fires one peer's retransmission timer now, due or not (the shell's
    /// `tick PEER`): OpenSSL only resends once its own clock says so, so this
    /// waits out the remaining time first, bounded by `maxWait` seconds.
    public func fireTimer(_ p: Peer, maxWait: Double = 2) -> Bool {
        guard let d = p.retransmitDeadline else { return false }
        let wait = d - now()
        guard wait <= maxWait else { return false }
        if wait > 0 { usleep(UInt32(wait * 1e6) + 1000) }
        retransmit(p)
        return true
    }
}

func formatSeconds(_ s: Double) -> String {
    s == s.rounded() ? "\(Int(s)) s" : "\(s) s"
}
