internal import COpenSSL
import DTLSWire

/// How an unknown source becomes a server peer, with no per-peer state
/// before a valid cookie: its ClientHello goes to the socket's one listener
/// SSL (DTLSv1_listen), which answers with a HelloVerifyRequest; a hello
/// that returns the cookie turns the listener into the peer (promotion), and
/// a fresh listener waits for the next. A client that starts over from the
/// address of a live association replaces it once its cookie checks out.
final class Admission {
    /// The engine owns this and outlives it: unretained, like its peers' reference.
    private unowned(unsafe) let engine: Engine
    /// Where DTLSv1_listen writes the client's address (unused: we know it).
    private let listenPeerAddress: OpaquePointer = BIO_ADDR_new()!

    init(engine: Engine) {
        self.engine = engine
    }

    deinit { BIO_ADDR_free(listenPeerAddress) }

    /// `replacing`: routing found a peer at the source's address (a client
    /// starting over); without one, nothing there needs a look.
    func admit(_ d: Arrival, on s: EngineSocket, replacing: Bool) {
        // The only thing an unknown source may send is an unfragmented epoch-0
        // ClientHello; anything else is dropped before OpenSSL sees it.
        guard RecordLayer.startsWithClientHello(d.bytes) else {
            engine.drop(d, on: s, peer: nil, reason: "unknown source and not an initial ClientHello")
            return
        }
        guard engine.peersByName.count < engine.settings.maxPeers else {
            engine.drop(d, on: s, peer: nil, reason: "peer cap reached (\(engine.settings.maxPeers))")
            return
        }
        guard s.halfOpenCount < engine.settings.halfOpenLimit else {
            engine.drop(d, on: s, peer: nil, reason: "half-open cap reached (\(engine.settings.halfOpenLimit))")
            return
        }
        // One reason for every host: a reason per address would let a spoofer grow the drop table.
        let share = engine.settings.effectiveHalfOpenShare
        guard s.halfOpenBelow(share, from: d.source) else {
            engine.drop(d, on: s, peer: nil, reason: "half-open share of one address reached (\(share))")
            return
        }
        if engine.settings.cookies {
            exchangeCookie(d, on: s, replacing: replacing)
        } else {
            admitWithoutCookie(d, on: s, replacing: replacing)
        }
    }

    /// The hello goes to the listener: answered with a cookie, or, carrying
    /// a valid one, promoted to a peer.
    private func exchangeCookie(_ d: Arrival, on s: EngineSocket, replacing: Bool) {
        let listener: Peer
        do { listener = try self.listener(for: s) } catch {
            engine.emit(.error(error as? OpenSSLError ?? OpenSSLError(operation: "\(error)", queue: [])), socket: s.name,
                        peer: nil, as: .essential)
            engine.drop(d, on: s, peer: nil, reason: "no listener: \(error)")
            return
        }
        listener.address = d.source
        // Once: every `listener.bio` would retain and release it again.
        let bio = listener.bio
        bio.source = d.source
        bio.overhead = d.source.headerOverhead
        // Lent, not copied: DTLSv1_listen reads it now, while the slot holds it.
        _ = bio.borrow(d.bytes)
        // The listener serves every unknown source in turn: what it saw of the
        // others' hellos is not the story of the peer it may become.
        if !listener.flights.isEmpty { listener.flights.removeAll() }
        if !listener.alertLog.isEmpty { listener.alertLog.removeAll() }
        engine.cookieJar.lastVerification = nil
        // The HelloVerifyRequest goes straight to the send batch unless
        // someone wants to see it (cookie_sent, its handshake message).
        let direct = engine.maySendDirect(listener) && !engine.wants(.admission) && !engine.wants(.protocolDetail)
        let sentBefore = listener.counters.datagramsOut, bytesBefore = listener.counters.bytesOut
        bio.sendsDirect = direct
        let outcome = listener.connection.listen(writingAddressTo: listenPeerAddress)
        bio.sendsDirect = false
        let sentDirect = listener.counters.datagramsOut - sentBefore
        // A HelloVerifyRequest is the socket's, not the listener's: the peer it
        // may become starts counting at the hello with the cookie.
        listener.counters.datagramsOut = sentBefore
        listener.counters.bytesOut = bytesBefore
        // Whatever DTLSv1_listen did not read is no longer anyone's.
        bio.discardInbound()
        let written = bio.outbound.isEmpty ? [] : bio.outbound.removeAll()
        if engine.cookieJar.lastVerification == false {
            engine.statistics.cookiesBad += 1
            engine.emit(.cookieBad(from: d.source), socket: s.name, peer: nil)
        }
        switch outcome {
        case .verified:
            listener.clientRandom = RecordLayer.initialClientHelloRandom(in: d.bytes)
            engine.statistics.cookiesOK += 1
            engine.emit(.cookieOK(from: d.source), socket: s.name, peer: nil, as: .admission)
            promote(listener, on: s, replacing: replacing)
        case .answered:
            engine.statistics.cookiesSent += sentDirect
            for hvr in written { sendCookie(hvr, to: d.source, on: s) }
            if written.isEmpty && sentDirect == 0 {
                engine.drop(d, on: s, peer: nil, reason: "DTLSv1_listen discarded it")
            }
            if engine.settings.auto && !s.outbound.isEmpty { engine.flushOwn(s) }
        case let .failed(error):
            engine.emit(.error(error), socket: s.name, peer: nil, as: .essential)
            engine.countDrop("DTLSv1_listen failed")
            s.listener = nil
        }
    }

    /// A HelloVerifyRequest the listener queued: the socket's to send.
    private func sendCookie(_ hvr: [UInt8], to source: SocketAddress, on s: EngineSocket) {
        s.outbound.append((source, hvr))
        engine.statistics.cookiesSent += 1
        hvr.withUnsafeBytes { d in
            // DTLSv1_listen reports only the record header of what it writes.
            if engine.wants(.protocolDetail), let h = HandshakeHeader(in: d, at: RecordHeader.length) {
                engine.emit(.handshakeMessage(.outbound, type: h.type, messageSeq: h.messageSeq,
                                              fragmentOffset: Int(h.fragmentOffset), fragmentLength: Int(h.fragmentLength),
                                              length: Int(h.length)),
                            socket: s.name, peer: nil, as: .protocolDetail)
            }
            engine.emit(.cookieSent(to: source, length: HelloVerifyRequest.cookie(inDatagram: d)?.count ?? 0),
                        socket: s.name, peer: nil, as: .admission)
        }
    }

    /// The socket's listener SSL, made from the current settings.
    private func listener(for s: EngineSocket) throws -> Peer {
        if let l = s.listener { return l }
        // The socket's settings never change: its context is looked up once
        // (hashing a whole configuration per handshake shows in a profile).
        let ctx = try s.serverContext ?? engine.context(for: .server, configuration: s.tls)
        s.serverContext = ctx
        let placeholder = s.localAddress
        let l = try Peer(name: s.listenerName, role: .server, address: placeholder, socket: s, engine: engine,
                         context: ctx, mtu: engine.settings.mtu, isListener: true)
        s.listener = l
        return l
    }

    /// The listener passed a cookie-verified ClientHello: it becomes the peer
    /// (the hello is buffered inside it), and the next datagram gets a new one.
    private func promote(_ listener: Peer, on s: EngineSocket, replacing: Bool) {
        s.listener = nil
        if replacing { replaceExistingPeer(at: listener.address, on: s) }
        s.admitted += 1
        var name = "\(s.name).\(s.admitted)"
        while engine.peersByName[name] != nil {
            s.admitted += 1
            name = "\(s.name).\(s.admitted)"
        }
        listener.name = name
        listener.isListener = false
        listener.replayedHello = true
        engine.register(listener)
        if engine.settings.auto { engine.markReady(listener) }
    }

    /// The client at this address proved it started over: its old association goes.
    private func replaceExistingPeer(at address: SocketAddress, on s: EngineSocket) {
        guard let old = s.peers[address]?.takeUnretainedValue() else { return }
        // What the old association sent before the new hello is read first,
        // in the order it came (a close_notify closes it: not an eviction).
        // Manual mode reads nothing unasked.
        if old.status == .established, old.bio.hasInbound, engine.settings.auto || engine.isDriving {
            engine.step(old)
            engine.flush(old)
        }
        if old.status == .handshaking || old.status == .established {
            // The old association's messages nobody read go with it: say so, not silently.
            let unread = old.received.count
            engine.evict(old, reason: "replaced: the client started a new handshake"
                + (unread == 0 ? "" : " (\(unread) unread message\(unread == 1 ? "" : "s") dropped)"))
        } else {
            engine.remove(old)
        }
    }

    /// With cookies off (`set cookies off`), the first hello makes a peer at once.
    private func admitWithoutCookie(_ d: Arrival, on s: EngineSocket, replacing: Bool) {
        if replacing { replaceExistingPeer(at: d.source, on: s) }
        do {
            s.admitted += 1
            let p = try Peer(name: "\(s.name).\(s.admitted)", role: .server, address: d.source, socket: s, engine: engine,
                             context: try engine.context(for: .server, configuration: s.tls), mtu: engine.settings.mtu)
            p.clientRandom = RecordLayer.initialClientHelloRandom(in: d.bytes)
            engine.register(p)
            p.counters.datagramsIn += 1
            p.counters.bytesIn += d.bytes.count
            p.bio.enqueue(Array(d.bytes))
            if engine.settings.auto { engine.markReady(p) }
        } catch {
            engine.drop(d, on: s, peer: nil, reason: "could not make a peer: \(error)")
        }
    }
}
