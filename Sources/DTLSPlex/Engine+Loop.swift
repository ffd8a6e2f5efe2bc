import Glibc

extension Engine {
    /// One turn of the loop: wait until one of `extra` is readable, or — when
    /// `drive` is true (auto mode) — a socket is readable or a timer is due (at
    /// most `timeout` seconds); then receive, step, flush and fire timers.
    /// Without `drive` nothing is touched: manual mode moves only when asked.
    /// Returns the descriptors of `extra` that are readable.
    @discardableResult
    public func runOnce(timeout: Double, watching extra: [Int32] = [], drive: Bool? = nil) -> [Int32] {
        let driving = drive ?? settings.auto
        // One poll set kept across turns: the loop allocates nothing per turn.
        var fds = pollSet
        pollSet = []
        defer { fds.removeAll(keepingCapacity: true); pollSet = fds }
        if driving {
            for s in sockets { fds.append(pollfd(fd: s.udp.fileDescriptor, events: Int16(POLLIN), revents: 0)) }
        }
        let socketCount = fds.count
        for fd in extra { fds.append(pollfd(fd: fd, events: Int16(POLLIN), revents: 0)) }
        let extraEnd = fds.count
        if driving, hasCompanion, let companion {
            for fd in companion.descriptors { fds.append(pollfd(fd: fd, events: Int16(POLLIN), revents: 0)) }
        }
        var wait = max(0, timeout)
        if driving, let d = nextTimerDeadline { wait = min(wait, max(0, d - now())) }
        if driving, sockets.contains(where: { $0.heldBack != nil }) { wait = min(wait, 0.02) }
        if driving, !readyPeers.isEmpty { wait = 0 }
        let ms = Int32(min(wait * 1000, 3_600_000).rounded(.up))
        let n = poll(&fds, nfds_t(fds.count), ms)
        var readableExtra: [Int32] = []
        isDriving = driving
        turnClock = now()
        if n > 0 {
            for i in 0..<socketCount where fds[i].revents & Int16(POLLIN) != 0 && i < sockets.count {
                receive(sockets[i])
            }
            for i in socketCount..<extraEnd where fds[i].revents & Int16(POLLIN | POLLHUP | POLLERR) != 0 {
                readableExtra.append(fds[i].fd)
            }
        }
        if driving {
            pump()
            isDriving = false
            for s in sockets where s.udp.hasQueuedSends { commitSends(on: s) }
            if hasCompanion { companion?.turn() }
        }
        releaseRetired()
        return readableExtra
    }

    /// Lets removed peers go once no unretained list can name them: the
    /// turn is over, and nothing waits to be stepped or copied.
    func releaseRetired() {
        guard !retired.isEmpty, readyPeers.isEmpty, borrowers.isEmpty else { return }
        // Freed only now: the next trim has their memory to give back.
        memory.freedSinceTrim += retired.count
        retired.removeAll(keepingCapacity: true)
    }

    /// Auto mode's work: step every peer that has datagrams, send what that
    /// produced, fire due timers.
    public func pump() {
        // Whatever ran since the last pass may have left errors behind.
        errorQueue.distrust()
        // Bounded: peers made ready while pumping wait for the next turn.
        // Two arrays trade places, so neither is copied or reallocated.
        var ready: [Unmanaged<Peer>] = []
        Swift.swap(&ready, &pumpScratch)
        Swift.swap(&ready, &readyPeers)
        defer {
            ready.removeAll(keepingCapacity: true)
            Swift.swap(&ready, &pumpScratch)
        }
        if !settings.auto {
            // Manual mode marks nothing ready; a `wait` drives whatever is pending.
            for p in peers where (p.bio.hasInbound || (p.role == .server && !p.handshakeStarted)) && drivesOnly?(p) != false {
                p.isReady = true
                ready.append(Unmanaged.passUnretained(p))
            }
        }
        for entry in ready {
            entry._withUnsafeGuaranteedRef { p in
                guard p.isReady else { return }
                p.bio.sendsDirect = maySendDirect(p)
                advance(p)
                p.bio.sendsDirect = false
                flush(p)
                reapIfFinished(p)
            }
        }
        if !settings.auto {
            // What was stepped by hand and not yet sent goes too.
            for p in peers where !p.bio.outbound.isEmpty && drivesOnly?(p) != false { flush(p) }
        }
        for s in sockets where !s.outbound.isEmpty { flushOwn(s) }
        // A datagram held back for reordering waits for company at most 20 ms.
        for s in sockets { if let held = s.heldBack, now() - held.since > 0.02 { releaseHeldBack(on: s) } }
        tick()
    }

    /// Auto mode just came on: everything stepped, queued or waiting by hand
    /// is the loop's now.
    public func resumeAll() {
        for p in peers where p.status == .handshaking || p.status == .established {
            if !p.handshakeStarted || p.bio.hasInbound { markReady(p) }
            if !p.bio.outbound.isEmpty { flush(p) }
        }
        for s in sockets where !s.outbound.isEmpty { flush(s) }
    }

    func markReady(_ p: Peer) {
        // A removed peer is never stepped again: the list would outlive it.
        guard !p.isReady, p.isRegistered else { return }
        p.isReady = true
        readyPeers.append(Unmanaged.passUnretained(p))
    }

    /// Peers holding received messages that nobody has read yet.
    public var peersWithUnreadData: [Peer] {
        readyWithData.compactMap { peersByID[$0] }
    }

    /// Waits up to `timeout` seconds for a datagram on `s`, touching nothing.
    public func waitReadable(_ s: EngineSocket, timeout: Double) -> Bool {
        var fd = pollfd(fd: s.udp.fileDescriptor, events: Int16(POLLIN), revents: 0)
        return poll(&fd, 1, Int32(max(0, timeout) * 1000)) > 0
    }

    /// Runs the loop until `condition` holds or `timeout` seconds pass.
    /// Returns whether the condition held.
    @discardableResult
    public func run(until condition: () -> Bool, timeout: Double, drive: Bool = true) -> Bool {
        let end = now() + timeout
        while !condition() {
            let left = end - now()
            if left <= 0 { return condition() }
            runOnce(timeout: min(left, 0.05), drive: drive)
        }
        return true
    }
}
