import DTLSWire

/// Manual mode: a leg's queues by hand, as the shell's `flush`, `drop`,
/// `dup` and `swap` work on a peer's.
extension Relay {
    /// Takes what waits on every socket of the relay, without waiting: new
    /// clients get legs; in manual mode datagrams join the legs' queues.
    /// Returns how many datagrams came.
    @discardableResult
    public func receiveWaiting() -> Int {
        let before = legs.reduce(0) { $0 + $1.totals.up + $1.totals.down } + closedLegs.reduce(0) { $0 + $1.totals.up + $1.totals.down }
        runOnce(timeout: 0)
        let after = legs.reduce(0) { $0 + $1.totals.up + $1.totals.down } + closedLegs.reduce(0) { $0 + $1.totals.up + $1.totals.down }
        return after - before
    }

    /// The sockets a loop should watch for this relay.
    public var descriptors: [Int32] { [listenSocket.fileDescriptor] + legs.map { $0.upstream.fileDescriptor } }

    /// Sends what waits in a leg's queue (one direction, or both), as it is. Returns how many.
    @discardableResult
    public func flush(_ leg: RelayLeg, _ direction: RelayDirection? = nil) -> Int {
        var n = 0
        for d in direction.map({ [$0] }) ?? [.up, .down] {
            let waiting = leg.queue(d)
            leg.queues[d] = []
            for h in waiting {
                report(h.bytes, h.observation, on: leg, d, h.edited ? .edited : .forwarded,
                       h.edited ? "changed by hand while it waited" : nil, nil, at: now(), held: h.entry)
                send(h.bytes, on: leg, d)
                noteDelivery(h.observation, on: leg, d, .forwarded)
                n += 1
            }
        }
        return n
    }

    /// Loses queued datagram `index` (0 = next), or all of them. Returns how many.
    @discardableResult
    public func drop(_ leg: RelayLeg, _ direction: RelayDirection, index: Int?) throws -> Int {
        var q = leg.queue(direction)
        let lost: [HeldDatagram]
        if let index {
            guard q.indices.contains(index) else { throw RelayError.noSuchDatagram(leg.name, direction, index + 1, q.count) }
            lost = [q.remove(at: index)]
        } else {
            lost = q
            q = []
        }
        leg.queues[direction] = q
        for h in lost {
            leg.totals.dropped += 1
            report(h.bytes, h.observation, on: leg, direction, .dropped, "dropped by hand",
                   h.observation.flight.map { FlightObservation.recovery(ofLost: $0) },
                   at: now(), held: h.entry)
        }
        return lost.count
    }

    /// A copy of queued datagram `index` follows it.
    public func duplicate(_ leg: RelayLeg, _ direction: RelayDirection, index: Int) throws {
        var q = leg.queue(direction)
        guard q.indices.contains(index) else { throw RelayError.noSuchDatagram(leg.name, direction, index + 1, q.count) }
        var copy = q[index]
        copy.observation.isResend = copy.observation.flight != nil
        q.insert(copy, at: index + 1)
        leg.queues[direction] = q
        leg.totals.duplicated += 1
    }

    public func swap(_ leg: RelayLeg, _ direction: RelayDirection, _ i: Int, _ j: Int) throws {
        var q = leg.queue(direction)
        for k in [i, j] where !q.indices.contains(k) {
            throw RelayError.noSuchDatagram(leg.name, direction, k + 1, q.count)
        }
        q.swapAt(i, j)
        leg.queues[direction] = q
        leg.totals.reordered += 1
    }
}
