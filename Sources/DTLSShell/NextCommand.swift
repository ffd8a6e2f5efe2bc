import DTLSPlex

/// In manual mode nothing moves until someone types recv, step, flush or
/// tick: this finds the one command that moves a peer's handshake on, looking
/// at both ends when the other end is a socket of this shell too.
struct NextCommand {
    let peer: Peer
    let engine: Engine
    let wire: WireRecorder

    /// The command and why, e.g. ("recv srv", "the ClientHello is on its way to srv").
    var suggestion: (command: String, why: String)? {
        let p = peer
        if !p.outboundQueue.isEmpty { return ("flush \(p.name)", "\(p.name) has written datagrams that have not been sent") }
        if !p.inboundQueue.isEmpty { return ("step \(p.name)", "\(p.name) has received datagrams OpenSSL has not read") }
        if let socket = arriving(at: p.socket.localAddress, from: p.address) {
            return ("recv \(socket)", "a datagram for \(p.name) waits in \(socket)'s receive buffer")
        }
        if let other = engine.sockets.first(where: { $0.localAddress == p.address }) {
            let q = engine.peers.first { $0.socket === other && $0.address == p.socket.localAddress }
            if let q, !q.outboundQueue.isEmpty {
                return ("flush \(q.name)", "\(q.name), the other end, has written datagrams that have not been sent")
            }
            if other.outbound.contains(where: { $0.to == p.socket.localAddress }) {
                return ("flush \(other.name)", "\(other.name) holds its stateless answer, a HelloVerifyRequest")
            }
            if let q, !q.inboundQueue.isEmpty {
                return ("step \(q.name)", "\(q.name), the other end, has received datagrams OpenSSL has not read")
            }
            if let socket = arriving(at: other.localAddress, from: p.socket.localAddress) {
                return ("recv \(socket)", "\(p.name)'s datagram waits in \(socket)'s receive buffer")
            }
            if let q, q.status == .handshaking, !q.handshakeHasStarted {
                return ("step \(q.name)", "\(q.name) holds the ClientHello that admitted it and has not answered yet")
            }
        }
        if p.status == .handshaking, !p.handshakeHasStarted {
            return ("step \(p.name)", p.role == .client ? "it writes flight 1, the ClientHello" : "it answers the ClientHello")
        }
        if p.status == .handshaking, let timer = timerToFire(p) { return timer }
        if p.status == .established {
            return p.received.isEmpty ? ("send \(p.name) TEXT", "the handshake is done")
                                      : ("read \(p.name)", "\(p.received.count) message\(p.received.count == 1 ? "" : "s") arrived")
        }
        return nil
    }

    /// Nothing is on its way: a retransmission timer moves the handshake on,
    /// this end's or, when it is in this shell, the other end's. Every
    /// expired one is named (tick fires them all), else the next to run out.
    private func timerToFire(_ p: Peer) -> (command: String, why: String)? {
        let other = engine.peers.first { $0.socket.localAddress == p.address && $0.address == p.socket.localAddress }
        let ends = [p] + (other.map { [$0] } ?? [])
        let armed = ends.compactMap { q in engine.timerStatus(q).retransmit.map { (q.name, $0) } }
        let expired = armed.filter { $0.1 == 0 }.map(\.0)
        if expired.count > 1 {
            return ("tick", "nothing is on its way, and the retransmission timers of \(expired.joined(separator: " and ")) have expired: tick fires them all")
        }
        if let name = expired.first {
            return ("tick \(name)", "nothing is on its way, and \(name)'s retransmission timer has expired: it resends \(name)'s last flight")
        }
        guard let next = armed.min(by: { $0.1 < $1.1 }) else { return nil }
        if armed.count > 1 {
            return ("tick \(next.0)", "nothing is on its way: of the \(armed.count) retransmission timers, \(next.0)'s runs out first and resends its last flight")
        }
        return ("tick \(next.0)", "nothing is on its way: \(next.0)'s retransmission timer resends its last flight when it runs out")
    }

    /// The socket of this shell that has a datagram from `from` to `to` in flight.
    private func arriving(at to: SocketAddress, from: SocketAddress) -> String? {
        for a in wire.arrows(between: from, and: to).reversed() where a.from == from && a.to == to {
            if case let .inFlight(socket) = a.fate { return socket }
        }
        return nil
    }
}
