/// When each of a peer's clocks runs out, relative to now.
public struct TimerStatus: Sendable {
    /// Retransmission timer (DTLSv1_get_timeout): seconds left, when armed.
    public var retransmit: Double?
    public var handshakeDeadline: Double?
    public var idle: Double?
}

extension Engine {
    /// How long until each of the peer's clocks runs out.
    public func timerStatus(_ p: Peer) -> TimerStatus {
        let t = now()
        var s = TimerStatus()
        s.retransmit = p.retransmitDeadline.map { max(0, $0 - t) }
        if p.status == .handshaking, let h = settings.handshakeTimeout { s.handshakeDeadline = max(0, p.createdAt + h - t) }
        if let idle = settings.idleTimeout, p.status == .handshaking || p.status == .established {
            s.idle = max(0, p.lastActivity + idle - t)
        }
        return s
    }
}
