import DTLSWire

/// Datagrams a person makes or changes on a leg: injected, edited while
/// held, replayed from what was sent. Each is classified like any other and
/// reported with its action.
extension Relay {
    /// Sends `bytes` on the leg as if that side had sent them (up: to the server, from the leg's socket).
    public func inject(_ bytes: [UInt8], on leg: RelayLeg, _ direction: RelayDirection) throws {
        guard !bytes.isEmpty else { throw RelayError.empty }
        let seen = leg.tracker.observe(bytes, fromClient: direction.fromClient)
        report(bytes, seen, on: leg, direction, .injected, "made by hand", nil, at: now())
        send(bytes, on: leg, direction)
    }

    /// Sends again the `n`th datagram sent that way, counting back from the latest (1).
    public func replay(on leg: RelayLeg, _ direction: RelayDirection, _ n: Int) throws {
        let sent = leg.sent[direction] ?? []
        guard n >= 1, n <= sent.count else { throw RelayError.noSuchSent(leg.name, direction, n, sent.count) }
        let bytes = sent[sent.count - n]
        let seen = leg.tracker.observe(bytes, fromClient: direction.fromClient)
        report(bytes, seen, on: leg, direction, .replayed, "a copy of the datagram sent \(n == 1 ? "last" : "\(n) back")", nil, at: now())
        send(bytes, on: leg, direction)
    }

    /// Overwrites bytes of held datagram `index` (0 = next) from `offset` on; it cannot grow.
    public func edit(_ leg: RelayLeg, _ direction: RelayDirection, index: Int, offset: Int, bytes: [UInt8]) throws {
        let q = leg.queue(direction)
        guard q.indices.contains(index) else { throw RelayError.noSuchDatagram(leg.name, direction, index + 1, q.count) }
        guard offset >= 0, !bytes.isEmpty, offset + bytes.count <= q[index].bytes.count else {
            throw RelayError.doesNotFit(q[index].bytes.count, offset, bytes.count)
        }
        var changed = q[index].bytes
        changed.replaceSubrange(offset..<offset + bytes.count, with: bytes)
        replaceHeld(leg, direction, index, with: changed)
    }

    /// Exchanges records `i` and `j` (0-based) inside held datagram `index`:
    /// a Finished ahead of the ChangeCipherSpec it shares a datagram with.
    public func swapRecords(_ leg: RelayLeg, _ direction: RelayDirection, index: Int, _ i: Int, _ j: Int) throws {
        let q = leg.queue(direction)
        guard q.indices.contains(index) else { throw RelayError.noSuchDatagram(leg.name, direction, index + 1, q.count) }
        replaceHeld(leg, direction, index, with: try RecordReordering.swapping(q[index].bytes, i, j))
    }

    private func replaceHeld(_ leg: RelayLeg, _ direction: RelayDirection, _ index: Int, with bytes: [UInt8]) {
        leg.queues[direction]?[index].bytes = bytes
        leg.queues[direction]?[index].edited = true
        leg.totals.edited += 1
    }
}
