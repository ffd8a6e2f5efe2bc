import DTLSWire

/// Datagrams dropped, duplicated, reordered, made or changed by hand (the
/// shell's `drop`, `dup`, `swap`, `inject`, `edit`, `swap-records`, `replay`): they act on a
/// peer's queues before OpenSSL or the socket sees them, or leave at once and
/// are reported as `datagram_out` with a mark. Nothing here is on the path of
/// an ordinary datagram, so it is not the engine's own surface: the engine
/// lends it out as `Engine.byHand`.
public struct ByHand {
    let engine: Engine

    private func queueCount(_ p: Peer, _ d: Direction) -> Int {
        d == .inbound ? p.bio.inbound.count : p.bio.outbound.count
    }

    private func checkIndex(_ p: Peer, _ d: Direction, _ i: Int) throws {
        let n = queueCount(p, d)
        guard (0..<n).contains(i) else {
            throw EngineError.invalidArgument(
                n == 0 ? "\(p.name) has no \(d.rawValue)bound datagrams queued"
                       : "index \(i + 1) is out of range: \(p.name) has \(n) \(d.rawValue)bound datagram\(n == 1 ? "" : "s") queued")
        }
    }

    /// Drops the datagram at `index` (0 = next), or every one when nil.
    /// Returns how many were dropped.
    @discardableResult
    public func drop(_ p: Peer, _ d: Direction, index: Int?) throws -> Int {
        var removed: [[UInt8]] = []
        if let index {
            try checkIndex(p, d, index)
            removed = [d == .inbound ? p.bio.inbound.remove(at: index) : p.bio.outbound.remove(at: index)]
        } else {
            removed = d == .inbound ? p.bio.inbound.removeAll() : p.bio.outbound.removeAll()
        }
        for bytes in removed {
            engine.countDrop("dropped by hand")
            p.counters.dropped += 1
            p.emit(.dropped(d, from: d == .inbound ? p.address : nil, size: bytes.count, reason: "dropped by hand"),
                   dropped: DroppedDatagram(bytes: bytes, to: d == .outbound ? p.address : nil))
        }
        return removed.count
    }

    /// Queues a copy of the datagram at `index` right behind it.
    public func duplicate(_ p: Peer, _ d: Direction, index: Int) throws {
        try checkIndex(p, d, index)
        if d == .inbound {
            p.bio.inbound.insert(p.bio.inbound[index], at: index + 1, mark: p.bio.inbound.mark(at: index))
        } else {
            p.bio.outbound.insert(p.bio.outbound[index], at: index + 1, mark: p.bio.outbound.mark(at: index))
        }
    }

    /// Exchanges two queued datagrams.
    public func swap(_ p: Peer, _ d: Direction, _ i: Int, _ j: Int) throws {
        try checkIndex(p, d, i)
        try checkIndex(p, d, j)
        if d == .inbound { p.bio.inbound.swapAt(i, j) } else { p.bio.outbound.swapAt(i, j) }
    }

    /// Puts raw bytes in a peer's inbound queue as if they had arrived: for
    /// tests and for the shell's hostile-input experiments. With a mark (a
    /// copy of a datagram received before, queued again by `replay`) it is
    /// reported as a `datagram_in` that never crossed the wire.
    public func inject(_ p: Peer, _ bytes: [UInt8], mark: DatagramMark? = nil) {
        p.bio.enqueue(bytes)
        if let mark { reportQueuedIn(p, bytes, mark) }
        if engine.settings.auto { engine.markReady(p) }
    }

    private func reportQueuedIn(_ p: Peer, _ bytes: [UInt8], _ mark: DatagramMark) {
        engine.emit(.datagramIn(from: p.address, bytes: bytes), socket: p.socket.name, peer: p.name, as: .datagrams,
                    mark: mark)
    }

    /// Takes every datagram queued one way out of the peer's queue: the caller holds them, and sends them
    /// as they were or changed with `send` (the client probe's flights), or lets them go.
    public func take(_ p: Peer, _ d: Direction) -> [[UInt8]] {
        d == .inbound ? p.bio.inbound.removeAll() : p.bio.outbound.removeAll()
    }

    /// Sends `bytes` from `socket` to `destination` now, as one datagram. `mark` is nil for a datagram
    /// sent as the engine wrote it, only later.
    public func send(_ bytes: [UInt8], from socket: EngineSocket, to destination: SocketAddress, mark: DatagramMark?,
                     peer: Peer? = nil) throws {
        guard !bytes.isEmpty else { throw EngineError.invalidArgument("an empty datagram") }
        do {
            guard try socket.udp.send(bytes, to: destination) else {
                throw EngineError.invalidArgument("the kernel refused the datagram (no buffer space)")
            }
        } catch let e as SocketError {
            throw EngineError.invalidArgument("\(e)")
        }
        engine.statistics.datagramsOut += 1
        engine.statistics.bytesOut += bytes.count
        engine.emit(.datagramOut(to: destination, bytes: bytes), socket: socket.name, peer: peer?.name, as: .datagrams,
                    mark: mark)
    }

    /// Overwrites bytes of a queued datagram from `offset` on (it cannot grow).
    public func edit(_ p: Peer, _ d: Direction, index: Int, offset: Int, bytes: [UInt8]) throws {
        var datagram = try queued(p, d, index)
        guard offset >= 0, !bytes.isEmpty, offset + bytes.count <= datagram.count else {
            throw EngineError.invalidArgument("the datagram has \(datagram.count) B: \(bytes.count) B at offset \(offset) do not fit")
        }
        datagram.replaceSubrange(offset..<offset + bytes.count, with: bytes)
        replace(p, d, index, with: datagram)
    }

    /// Exchanges records `i` and `j` (0-based) inside a queued datagram: a
    /// Finished ahead of the ChangeCipherSpec it shares a datagram with.
    public func swapRecords(_ p: Peer, _ d: Direction, index: Int, _ i: Int, _ j: Int) throws {
        let datagram = try queued(p, d, index)
        do {
            replace(p, d, index, with: try RecordReordering.swapping(datagram, i, j))
        } catch {
            throw EngineError.invalidArgument("\(error)")
        }
    }

    private func queued(_ p: Peer, _ d: Direction, _ index: Int) throws -> [UInt8] {
        let n = queueCount(p, d)
        guard (0..<n).contains(index) else {
            throw EngineError.invalidArgument(n == 0 ? "\(p.name) has no \(d.rawValue)bound datagrams queued"
                : "\(p.name) has \(n) \(d.rawValue)bound datagram\(n == 1 ? "" : "s") queued, not \(index + 1)")
        }
        return d == .inbound ? p.bio.inbound[index] : p.bio.outbound[index]
    }

    /// Puts a changed datagram in the place of queued datagram `index`, marked edited.
    private func replace(_ p: Peer, _ d: Direction, _ index: Int, with datagram: [UInt8]) {
        if d == .inbound {
            p.bio.inbound.replace(at: index, with: datagram, mark: .edited)
            // What OpenSSL will read is no longer what arrived: it is drawn as a datagram of its own.
            reportQueuedIn(p, datagram, .edited)
        } else {
            // Marked until it leaves: `flush` reports it edited.
            p.bio.outbound.replace(at: index, with: datagram, mark: .edited)
        }
    }
}
