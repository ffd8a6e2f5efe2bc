internal import COpenSSL
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
            admit(d, on: s, replacing: false)
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
            if let random = Self.clientRandom(d.bytes), random == peer.clientRandom {
                drop(d, on: s, peer: peer, reason: "a late copy of the ClientHello of an existing association")
                return
            }
            admit(d, on: s, replacing: true)
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

    // MARK: - Admission: no per-peer state before a valid cookie

    /// `replacing`: routing found a peer at the source's address (a client
    /// starting over); without one, nothing there needs a look.
    func admit(_ d: Arrival, on s: EngineSocket, replacing: Bool) {
        // The only thing an unknown source may send is an unfragmented epoch-0
        // ClientHello; anything else is dropped before OpenSSL sees it.
        guard RecordLayer.startsWithClientHello(d.bytes) else {
            drop(d, on: s, peer: nil, reason: "unknown source and not an initial ClientHello")
            return
        }
        guard peersByName.count < settings.maxPeers else {
            drop(d, on: s, peer: nil, reason: "peer cap reached (\(settings.maxPeers))")
            return
        }
        guard s.halfOpenCount < settings.halfOpenLimit else {
            drop(d, on: s, peer: nil, reason: "half-open cap reached (\(settings.halfOpenLimit))")
            return
        }
        if !settings.cookies {
            admitWithoutCookie(d, on: s, replacing: replacing)
            return
        }
        let listener: Peer
        do { listener = try self.listener(for: s) } catch {
            emit(.error(error as? OpenSSLError ?? OpenSSLError(operation: "\(error)", queue: [])), socket: s.name, peer: nil,
                 as: .essential)
            drop(d, on: s, peer: nil, reason: "no listener: \(error)")
            return
        }
        listener.address = d.source
        listener.bio.source = d.source
        listener.bio.overhead = d.source.headerOverhead
        // Lent, not copied: DTLSv1_listen reads it now, while the slot holds it.
        _ = listener.bio.borrow(d.bytes)
        // The listener serves every unknown source in turn: what it saw of the
        // others' hellos is not the story of the peer it may become.
        if !listener.flights.isEmpty { listener.flights.removeAll() }
        if !listener.alertLog.isEmpty { listener.alertLog.removeAll() }
        cookieJar.lastVerification = nil
        // The HelloVerifyRequest goes straight to the send batch unless
        // someone wants to see it (cookie_sent, its handshake message).
        let direct = maySendDirect(listener) && !wants(.lifecycle) && !wants(.protocolDetail)
        let sentBefore = listener.counters.datagramsOut, bytesBefore = listener.counters.bytesOut
        listener.bio.sendsDirect = direct
        clearErrorQueue()
        let r = DTLSv1_listen(listener.ssl, listenPeerAddress)
        errorQueueClean = false
        listener.bio.sendsDirect = false
        let sentDirect = listener.counters.datagramsOut - sentBefore
        // A HelloVerifyRequest is the socket's, not the listener's: the peer it
        // may become starts counting at the hello with the cookie.
        listener.counters.datagramsOut = sentBefore
        listener.counters.bytesOut = bytesBefore
        // Whatever DTLSv1_listen did not read is no longer anyone's.
        listener.bio.discardInbound()
        let written = listener.bio.outbound.isEmpty ? [] : listener.bio.outbound.removeAll()
        if cookieJar.lastVerification == false {
            statistics.cookiesBad += 1
            emit(.cookieBad(from: d.source), socket: s.name, peer: nil)
        }
        switch r {
        case 1:
            listener.clientRandom = Self.clientRandom(d.bytes)
            statistics.cookiesOK += 1
            emit(.cookieOK(from: d.source), socket: s.name, peer: nil)
            promote(listener, on: s, replacing: replacing)
        case 0:
            statistics.cookiesSent += sentDirect
            for hvr in written {
                s.outbound.append((d.source, hvr))
                statistics.cookiesSent += 1
                // record(13) + handshake(12) + server_version(2), then the cookie length.
                let cookieLength = hvr.count > 27 ? Int(hvr[27]) : 0
                // DTLSv1_listen reports only the record header of what it writes.
                if wants(.protocolDetail), let h = HandshakeHeader.parse(hvr.dropFirst(RecordHeader.length)) {
                    emit(.handshakeMessage(.outbound, type: h.type, messageSeq: h.messageSeq, fragmentOffset: Int(h.fragmentOffset),
                                           fragmentLength: Int(h.fragmentLength), length: Int(h.length)),
                         socket: s.name, peer: nil, as: .protocolDetail)
                }
                emit(.cookieSent(to: d.source, length: cookieLength), socket: s.name, peer: nil)
            }
            if written.isEmpty && sentDirect == 0 {
                drop(d, on: s, peer: nil, reason: "DTLSv1_listen discarded it")
            }
            if settings.auto && !s.outbound.isEmpty { flushOwn(s) }
        default:
            let error = OpenSSLError.drain("DTLSv1_listen", sslError: SSL_get_error(listener.ssl, Int32(r)))
            emit(.error(error), socket: s.name, peer: nil, as: .essential)
            countDrop("DTLSv1_listen failed")
            s.listener = nil
        }
    }

    /// The 32-byte random of an initial ClientHello: record header (13),
    /// handshake header (12), client_version (2), then the random.
    static func clientRandom(_ d: UnsafeRawBufferPointer) -> [UInt8]? {
        d.count >= 59 ? Array(d[27..<59]) : nil
    }

    /// The socket's listener SSL, made from the current settings.
    func listener(for s: EngineSocket) throws -> Peer {
        if let l = s.listener { return l }
        // The socket's settings never change: its context is looked up once
        // (hashing a whole configuration per handshake shows in a profile).
        let ctx = try s.serverContext ?? context(for: .server, configuration: s.tls)
        s.serverContext = ctx
        let placeholder = s.localAddress
        let l = try Peer(name: s.listenerName, role: .server, address: placeholder, socket: s, engine: self,
                         context: ctx, mtu: settings.mtu, isListener: true)
        s.listener = l
        return l
    }

    /// The listener passed a cookie-verified ClientHello: it becomes the peer
    /// (the hello is buffered inside it), and the next datagram gets a new one.
    func promote(_ listener: Peer, on s: EngineSocket, replacing: Bool) {
        s.listener = nil
        if replacing { replaceExistingPeer(at: listener.address, on: s) }
        s.admitted += 1
        var name = "\(s.name).\(s.admitted)"
        while peersByName[name] != nil {
            s.admitted += 1
            name = "\(s.name).\(s.admitted)"
        }
        listener.name = name
        listener.isListener = false
        listener.replayedHello = true
        register(listener)
        if settings.auto { markReady(listener) }
    }

    /// The client at this address proved it started over: its old association goes.
    func replaceExistingPeer(at address: SocketAddress, on s: EngineSocket) {
        guard let old = s.peers[address]?.takeUnretainedValue() else { return }
        // What the old association sent before the new hello is read first,
        // in the order it came (a close_notify closes it: not an eviction).
        // Manual mode reads nothing unasked.
        if old.status == .established, old.bio.hasInbound, settings.auto || isDriving {
            step(old)
            flush(old)
        }
        if old.status == .handshaking || old.status == .established {
            evict(old, reason: "replaced: the client started a new handshake")
        } else {
            remove(old)
        }
    }

    func admitWithoutCookie(_ d: Arrival, on s: EngineSocket, replacing: Bool) {
        if replacing { replaceExistingPeer(at: d.source, on: s) }
        do {
            s.admitted += 1
            let p = try Peer(name: "\(s.name).\(s.admitted)", role: .server, address: d.source, socket: s, engine: self,
                             context: try context(for: .server, configuration: s.tls), mtu: settings.mtu)
            p.clientRandom = Self.clientRandom(d.bytes)
            register(p)
            p.counters.datagramsIn += 1
            p.counters.bytesIn += d.bytes.count
            p.bio.enqueue(Array(d.bytes))
            if settings.auto { markReady(p) }
        } catch {
            drop(d, on: s, peer: nil, reason: "could not make a peer: \(error)")
        }
    }
}

/// A datagram as routing sees it. The bytes are the socket's receive slot,
/// valid until its next receive: whatever keeps them makes a copy.
struct Arrival {
    var source: SocketAddress
    var bytes: UnsafeRawBufferPointer
    var truncated: Bool
}
