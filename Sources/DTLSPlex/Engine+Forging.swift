/// Datagrams made or changed by hand (the shell's `inject`, `edit`,
/// `replay`): sent at once and reported as `datagram_out` with a mark.
/// Nothing here is on the path of an ordinary datagram.
extension Engine {
    /// Sends `bytes` from `socket` to `destination` now, as one datagram.
    public func send(_ bytes: [UInt8], from socket: EngineSocket, to destination: SocketAddress, mark: DatagramMark,
                     peer: Peer? = nil) throws {
        guard !bytes.isEmpty else { throw EngineError.invalidArgument("an empty datagram") }
        do {
            guard try socket.udp.send(bytes, to: destination) else {
                throw EngineError.invalidArgument("the kernel refused the datagram (no buffer space)")
            }
        } catch let e as SocketError {
            throw EngineError.invalidArgument("\(e)")
        }
        statistics.datagramsOut += 1
        statistics.bytesOut += bytes.count
        emit(.datagramOut(to: destination, bytes: bytes), socket: socket.name, peer: peer?.name, as: .datagrams, mark: mark)
    }

    /// Overwrites bytes of a queued datagram from `offset` on (it cannot grow).
    public func edit(_ p: Peer, _ d: Direction, index: Int, offset: Int, bytes: [UInt8]) throws {
        let n = d == .inbound ? p.bio.inbound.count : p.bio.outbound.count
        guard (0..<n).contains(index) else {
            throw EngineError.invalidArgument(n == 0 ? "\(p.name) has no \(d.rawValue)bound datagrams queued"
                : "\(p.name) has \(n) \(d.rawValue)bound datagram\(n == 1 ? "" : "s") queued, not \(index + 1)")
        }
        var datagram = d == .inbound ? p.bio.inbound[index] : p.bio.outbound[index]
        guard offset >= 0, !bytes.isEmpty, offset + bytes.count <= datagram.count else {
            throw EngineError.invalidArgument("the datagram has \(datagram.count) B: \(bytes.count) B at offset \(offset) do not fit")
        }
        datagram.replaceSubrange(offset..<offset + bytes.count, with: bytes)
        if d == .inbound {
            p.bio.inbound.remove(at: index)
            p.bio.inbound.insert(datagram, at: index)
        } else {
            p.bio.outbound.remove(at: index)
            p.bio.outbound.insert(datagram, at: index)
        }
    }
}
