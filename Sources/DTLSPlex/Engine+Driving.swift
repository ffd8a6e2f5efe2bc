extension Engine {
    // MARK: - step

    /// One handshake step, or once established, reads until OpenSSL
    /// wants more. Consumes what the peer's inbound queue holds; whatever
    /// OpenSSL writes waits in the outbound queue for `flush`.
    ///
    /// `report: false` skips noting the messages seen.
    @discardableResult
    public func step(_ p: Peer, report: Bool = true) -> StepReport {
        // OpenSSL's state names only for a report or a state event.
        let namesStates = report || wants(.protocolDetail)
        let before = namesStates ? p.connection.stateName : StepReport.unnamedState
        let inBefore = p.bio.inboundCount
        let outBefore = p.bio.outbound.count
        if report { p.stepCapture = [] }
        defer { p.stepCapture = nil }
        let handshaking = p.status == .handshaking
        // Only when time runs (auto on, or inside wait/handshake) can OpenSSL's
        // own timer fire inside the call; by hand it is held (`drive`).
        let timerDue = (settings.auto || isDriving) && p.connection.timerDue
        let (returned, outcome) = drive(p, freshErrorQueue: report)
        let after = namesStates ? p.connection.stateName : StepReport.unnamedState
        if namesStates && before != after {
            p.emit(.state(from: String(cString: before), to: String(cString: after)), as: .protocolDetail)
        }
        readTimer(p)
        return StepReport(beforeState: before, afterState: after,
                          callName: DTLSConnection.callName(handshaking: handshaking), returned: returned, outcome: outcome,
                          datagramsConsumed: inBefore - p.bio.inboundCount,
                          datagramsProduced: p.bio.outbound.count - outBefore, status: p.status,
                          seen: p.stepCapture ?? [], resentByTimer: timerDue)
    }

    /// The loop's step, for every datagram: the same work without a report's
    /// bookkeeping, unless someone wants the state events.
    func advance(_ p: Peer) {
        if wants(.protocolDetail) {
            step(p, report: false)
            return
        }
        drive(p, freshErrorQueue: false)
        readTimer(p)
    }

    /// What a step does with OpenSSL. `freshErrorQueue`: a step by hand may
    /// follow any other OpenSSL call, so the error queue is cleared first.
    @discardableResult
    private func drive(_ p: Peer, freshErrorQueue: Bool) -> (returned: Int32, outcome: SSLOutcome) {
        var returned: Int32 = 0
        var outcome = SSLOutcome.progressed
        p.isReady = false
        if !p.connection.ensureBuffers() { fail(p, reason: "no memory for OpenSSL's record buffers") }
        // A step by hand never resends behind the user's back: only `tick`,
        // `wait`, `handshake` and `auto on` let timers fire.
        if !settings.auto && !isDriving { p.connection.holdTime() }
        switch p.status {
        case .handshaking:
            p.handshakeStarted = true
            (returned, outcome) = p.connection.handshake(fresh: freshErrorQueue)
            switch outcome {
            case .progressed:
                established(p)
                // Records that came with the last flight (early data, a
                // close_notify) are read now; the report keeps the handshake's result
                // unless that read ended the peer.
                let (_, read) = readAvailable(p, fresh: false)
                if read == .closed || p.status == .failed { outcome = read }
            case let .failed(error):
                fail(p, error)
            case .wantsRead, .wantsWrite, .closed:
                break
            }
        case .established:
            (returned, outcome) = readAvailable(p, fresh: freshErrorQueue)
        case .closed, .failed:
            // An ended peer reads nothing more; what arrives stays queued for inspection.
            break
        }
        p.concludeRecordCheck()
        p.lastSSLError = outcome
        return (returned, outcome)
    }

    /// An established association has no retransmission timer to read
    /// (renegotiation is off): once the handshake's last one is disarmed,
    /// the step of every later datagram skips the look.
    private func readTimer(_ p: Peer) {
        if p.status != .established || p.retransmitDeadline != nil { updateTimer(p) }
    }

    /// Reads until OpenSSL wants more: one call may consume a retransmitted handshake
    /// record and return nothing, so keep going while datagrams wait. After a
    /// message, stops once no datagram waits and OpenSSL holds no record
    /// (established, renegotiation off: no record of a next epoch is buffered).
    /// `fresh`: the read may follow any other OpenSSL call (a step by hand).
    private func readAvailable(_ p: Peer, fresh: Bool) -> (Int32, SSLOutcome) {
        // Only the count of the last message read is kept: every other outcome
        // returns at once, and keeping a copy of each outcome (an enum with an
        // error payload) cost outlined copies and destroys every record.
        var lastRead: Int32?
        inReadPass = true
        defer { inReadPass = false }
        var fresh = fresh
        // Bounded by what is queued (one record at least per datagram) plus slack.
        for _ in 0..<(p.bio.inboundCount * 16 + 16) {
            let (n, outcome) = p.connection.read(into: readBuffer, capacity: 1 << 16, fresh: fresh)
            fresh = false
            switch outcome {
            case .progressed:
                lastRead = n
                let message = UnsafeRawBufferPointer(start: readBuffer, count: Int(n))
                p.recordCheck.cameOfIt()
                p.counters.messagesIn += 1
                statistics.messagesIn += 1
                p.emit(.appData(.inbound, bytes: Array(message)), as: .data)
                if let handler = messageHandler, handler(self, p, message) {
                    // The handler may have closed the peer: read no further for it.
                    if p.status != .established { return (n, outcome) }
                } else {
                    p.received.append(Array(message))
                    readyWithData.insert(p.id)
                }
                // No datagram waits and nothing of the last one is left: the
                // next SSL_read could only say WANT_READ (-1), and that call
                // cost more than a tenth of an echo's instructions.
                if !p.bio.hasInbound && !p.connection.hasPendingRecords { return (-1, .wantsRead) }
            case .wantsRead, .wantsWrite:
                return (n, outcome)
            case .closed:
                // close_notify, answered already by the connection.
                p.status = .closed
                p.endReason = "close_notify received"
                statistics.peersClosed += 1
                p.emit(.peerClosed(reason: "close_notify received"))
                return (n, outcome)
            case let .failed(error):
                fail(p, error)
                return (n, outcome)
            }
        }
        return lastRead.map { ($0, .progressed) } ?? (0, .wantsRead)
    }

    private func established(_ p: Peer) {
        p.status = .established
        p.recordVersion = p.connection.negotiatedVersion
        p.establishedAt = now()
        statistics.handshakesCompleted += 1
        p.emit(.established(version: p.version ?? "?", cipher: p.cipher ?? "?", srtp: p.srtpProfile))
    }

    func fail(_ p: Peer, _ error: OpenSSLError) {
        p.lastError = error
        fail(p, reason: error.reason ?? error.description)
        p.emit(.error(error), as: .essential)
    }

    func fail(_ p: Peer, reason: String) {
        guard p.status == .handshaking || p.status == .established else { return }
        if p.status == .handshaking { statistics.handshakesFailed += 1 }
        p.status = .failed
        p.endReason = reason
    }

    // MARK: - flush

    /// Sends the peer's queued datagrams to its address.
    /// Most often the queue is empty (the loop's datagrams went straight to
    /// the socket): that look is inlined wherever a step or a send ends, and
    /// only a queue with something in it pays for the call and its frame.
    @inline(__always)
    public func flush(_ p: Peer) {
        if !p.bio.outbound.isEmpty { flushQueued(p) }
    }

    @inline(never)
    private func flushQueued(_ p: Peer) {
        while let (d, mark) = p.bio.outbound.popFirstMarked() {
            transmit(d, on: p.socket, to: p.address, peer: p, mark: mark)
        }
    }

    /// Sends what the socket itself holds (HelloVerifyRequests, last words of
    /// forgotten peers) and the queues of every peer on it.
    public func flush(_ s: EngineSocket) {
        flushOwn(s)
        for p in s.peerList where !p.bio.outbound.isEmpty { flush(p) }
        releaseHeldBack(on: s)
    }

    /// Sends only what the socket itself holds. The loop sends each peer's
    /// queue as it steps the peer, so it never needs to look at all of them:
    /// that look, once per HelloVerifyRequest and per evicted peer, made a
    /// spoofed hello cost time in proportion to the peers held.
    func flushOwn(_ s: EngineSocket) {
        let own = s.outbound
        s.outbound.removeAll()
        for (to, d) in own { transmit(d, on: s, to: to, peer: nil) }
        releaseHeldBack(on: s)
    }

    func transmit(_ d: [UInt8], on s: EngineSocket, to address: SocketAddress, peer: Peer?, mark: DatagramMark? = nil) {
        if impairment.shouldDrop(percent: settings.reorderPercent), s.heldBack == nil {
            // Held back: it goes out after the next datagram on this socket.
            s.heldBack = (address, d, peer?.name, now(), mark)
            return
        }
        send(d, on: s, to: address, peer: peer, mark: mark)
        if impairment.shouldDrop(percent: settings.duplicatePercent) {
            send(d, on: s, to: address, peer: peer, mark: mark)
        }
        releaseHeldBack(on: s)
    }

    /// Sends the datagram reordering held back, if any.
    func releaseHeldBack(on s: EngineSocket) {
        guard let (to, bytes, name, _, mark) = s.heldBack else { return }
        s.heldBack = nil
        send(bytes, on: s, to: to, peer: name.flatMap { peersByName[$0] }, mark: mark)
    }

    private func send(_ d: [UInt8], on s: EngineSocket, to address: SocketAddress, peer: Peer?, mark: DatagramMark? = nil) {
        if impairment.shouldLose(percent: settings.lossPercent, burst: settings.lossBurst, toward: address) {
            countDrop("impairment: loss")
            peer?.counters.dropped += 1
            emit(.dropped(.outbound, from: nil, size: d.count, reason: "impairment: loss"), socket: s.name, peer: peer?.name,
                 dropped: DroppedDatagram(bytes: d, to: address))
            return
        }
        // Inside a driven turn of the loop, datagrams gather per socket and
        // leave in one sendmmsg at its end; otherwise (a `flush` by hand) now.
        s.udp.queue(d, to: address)
        if !isDriving { commitSends(on: s) }
        statistics.datagramsOut += 1
        statistics.bytesOut += d.count
        peer?.counters.datagramsOut += 1
        peer?.counters.bytesOut += d.count
        emit(.datagramOut(to: address, bytes: d), socket: s.name, peer: peer?.name, as: .datagrams, mark: mark)
    }

    /// Whether a driven step may send directly: no impairment and no
    /// subscriber wants a look at each datagram first (their events keep
    /// their order after the step's own), and nothing older waits in the
    /// peer's queue.
    func maySendDirect(_ p: Peer) -> Bool {
        isDriving && !wants(.datagrams) && settings.lossPercent == 0 && settings.duplicatePercent == 0 && settings.reorderPercent == 0
            && p.socket.heldBack == nil && p.bio.outbound.isEmpty
    }

    /// Hands a socket's gathered datagrams to the kernel.
    func commitSends(on s: EngineSocket) {
        let refused = s.udp.sendQueued()
        if refused > 0 { statistics.dropped["send refused by the kernel", default: 0] += refused }
    }

    // MARK: - data

    /// Writes one application message as one record (one datagram).
    public func send(_ p: Peer, _ bytes: [UInt8]) throws {
        try bytes.withUnsafeBytes { try send(p, $0) }
    }

    public func send(_ p: Peer, _ bytes: UnsafeRawBufferPointer) throws {
        // What is refused, and why, is worked out out of line: an echo's every
        // answer passes here, and the errors' frames cost it even untaken.
        guard p.status == .established, !bytes.isEmpty, bytes.count <= p.dataMTU else { throw refusal(p, bytes) }
        guard p.connection.ensureBuffers() else { throw EngineError.invalidArgument("no memory for OpenSSL's record buffers") }
        // Inside a read pass (an answer from messageHandler) the queue is
        // known to be empty: the read before this one succeeded.
        if case let .failed(error) = p.connection.write(bytes, fresh: !inReadPass) {
            p.lastError = error
            throw error
        }
        // Counts of messages: no Int overflows in a process's lifetime.
        p.counters.messagesOut &+= 1
        statistics.messagesOut &+= 1
        if wants(.data) { emitSent(p, bytes) }
        if settings.auto { flush(p) }
    }

    /// Why `send` refuses a message, in the order it asks.
    @inline(never)
    private func refusal(_ p: Peer, _ bytes: UnsafeRawBufferPointer) -> EngineError {
        if p.status == .closed || p.status == .failed { return .closed(p.name) }
        if p.status != .established { return .notEstablished(p.name) }
        if bytes.isEmpty { return .invalidArgument("an empty message sends nothing") }
        return .messageTooLarge(bytes.count, p.dataMTU)
    }

    /// The sent message's event, made out of line: it copies the bytes.
    @inline(never)
    private func emitSent(_ p: Peer, _ bytes: UnsafeRawBufferPointer) {
        p.emit(.appData(.outbound, bytes: Array(bytes)), as: .data)
    }

    /// The application messages received and not yet read, oldest first.
    /// An established peer first reads whatever datagrams wait in
    /// its inbound queue: `read` is a read, as in SPEC.md's first handshake.
    public func read(_ p: Peer) -> [[UInt8]] {
        if p.status == .established, p.bio.hasInbound {
            p.lastSSLError = readAvailable(p, fresh: false).1
            p.concludeRecordCheck()
            updateTimer(p)
        }
        defer {
            p.received.removeAll()
            readyWithData.remove(p.id)
        }
        return p.received
    }

    // MARK: - ending

    /// close_notify, then forget. The alert waits on the socket for `flush`
    /// (or goes at once in auto mode).
    public func close(_ p: Peer) {
        if p.status == .handshaking || p.status == .established {
            p.connection.shutdown()
            p.status = .closed
            p.endReason = "closed here"
            statistics.peersClosed += 1
            p.emit(.peerClosed(reason: "closed here"))
        }
        // In auto mode the close_notify leaves now, still under the peer's name.
        if settings.auto { flush(p) }
        moveOutboundToSocket(p)
        remove(p)
        if settings.auto { flushOwn(p.socket) }
    }

    /// Idle or over a bound: close_notify if established, then gone.
    func evict(_ p: Peer, reason: String) {
        if p.status == .established { p.connection.shutdown() }
        if p.status == .handshaking { statistics.handshakesFailed += 1 }
        p.status = .closed
        p.endReason = reason
        statistics.peersEvicted += 1
        p.emit(.peerEvicted(reason: reason))
        moveOutboundToSocket(p)
        remove(p)
    }

    /// Sends close_notify to every peer, then flushes and closes every socket:
    /// the end of a server or client.
    public func closeAll() {
        for p in peers { close(p) }
        for s in sockets { closeSocket(s) }
    }
}
