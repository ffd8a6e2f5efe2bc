import DTLSWire

extension Engine {
    /// Takes every datagram waiting on the socket and routes it by source: to
    /// its peer's inbound queue, to the cookie exchange, or to the floor with a
    /// reason. Returns how many datagrams were taken.
    ///
    /// Inside a driven turn a peer's datagram is not copied: its peer borrows
    /// the receive slot, and after each batch the ready peers are stepped
    /// (OpenSSL copies the bytes in) before the slots are used again.
    @discardableResult
    public func receive(_ s: EngineSocket) -> Int {
        var total = 0
        // Bounded: a flood cannot keep the loop here forever.
        for _ in 0..<64 {
            let n: Int
            do {
                n = try s.udp.receive { source, bytes, truncated in
                    route(Arrival(source: source, bytes: bytes, truncated: truncated), on: s)
                }
            } catch {
                emit(.dropped(.inbound, from: nil, size: 0, reason: "\(error)"), socket: s.name, peer: nil)
                break
            }
            if !borrowers.isEmpty {
                if isDriving { pump() }
                keepBorrowed()
            }
            total += n
            // A short batch emptied the queue: no need for a call that says so.
            if n < s.udp.batch { break }
        }
        return total
    }

    /// Copies what stepping left unread out of the receive slots.
    func keepBorrowed() {
        for b in borrowers { b._withUnsafeGuaranteedRef { $0.keepBorrowed() } }
        borrowers.removeAll(keepingCapacity: true)
    }

    func route(_ d: Arrival, on s: EngineSocket) {
        statistics.datagramsIn += 1
        statistics.bytesIn += d.bytes.count
        let found = s.peers[d.source]
        emit(.datagramIn(from: d.source, bytes: Array(d.bytes)), socket: s.name, peer: found?.takeUnretainedValue().name,
             as: .datagrams)
        if d.truncated {
            drop(d, on: s, peer: found?.takeUnretainedValue(), reason: "truncated: larger than the receive buffer")
            return
        }
        if d.bytes.isEmpty {
            // OpenSSL takes a BIO read of 0 bytes for end of file and fails the
            // association: one spoofed empty datagram would end it.
            drop(d, on: s, peer: found?.takeUnretainedValue(), reason: "empty datagram")
            return
        }
        guard let found else {
            guard s.accepting else {
                drop(d, on: s, peer: nil, reason: "unknown source and the socket does not accept")
                return
            }
            admission.admit(d, on: s, replacing: false)
            return
        }
        found._withUnsafeGuaranteedRef { deliver(d, to: $0, on: s) }
    }

    /// A datagram from the address of a known peer.
    private func deliver(_ d: Arrival, to peer: Peer, on s: EngineSocket) {
        // A fresh ClientHello from the address of a finished or established
        // association means the client started over (RFC 6347 §4.2.8): it goes
        // through the cookie exchange, and replaces the old peer only once its
        // cookie is verified. A handshaking peer gets it: that is a retransmission.
        if peer.status != .handshaking, s.accepting, RecordLayer.startsWithClientHello(d.bytes) {
            // A late copy of the hello that made this association is not a restart.
            if let random = RecordLayer.initialClientHelloRandom(in: d.bytes), random == peer.clientRandom {
                drop(d, on: s, peer: peer, reason: "a late copy of the ClientHello of an existing association")
                return
            }
            admission.admit(d, on: s, replacing: true)
            return
        }
        guard peer.status == .handshaking || peer.status == .established else {
            drop(d, on: s, peer: peer, reason: "peer is \(peer.status.rawValue)")
            return
        }
        if let why = peer.implausibleRecord(in: d.bytes) {
            drop(d, on: s, peer: peer, reason: why)
            return
        }
        peer.counters.datagramsIn += 1
        peer.counters.bytesIn += d.bytes.count
        // Inside a driven turn the turn's clock does: idle is judged in seconds.
        peer.lastActivity = isDriving ? turnClock : now()
        if isDriving && settings.auto {
            if peer.bio.borrow(d.bytes) { borrowers.append(Unmanaged.passUnretained(peer.bio)) }
        } else {
            peer.bio.enqueue(Array(d.bytes))
        }
        if settings.auto { markReady(peer) }
    }

    func drop(_ d: Arrival, on s: EngineSocket, peer: Peer?, reason: String) {
        countDrop(reason)
        peer?.counters.dropped += 1
        emit(.dropped(.inbound, from: d.source, size: d.bytes.count, reason: reason), socket: s.name, peer: peer?.name,
             dropped: DroppedDatagram(bytes: Array(d.bytes), to: nil))
    }
}

/// A datagram as routing sees it. The bytes are the socket's receive slot,
/// valid until its next receive: whatever keeps them makes a copy.
struct Arrival {
    var source: SocketAddress
    var bytes: UnsafeRawBufferPointer
    var truncated: Bool
}
