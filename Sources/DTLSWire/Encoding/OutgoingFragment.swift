/// One fragment of a handshake message, checked to lie within it: its header
/// and the bytes it carries. Made by `OutgoingHandshake`.
public struct OutgoingFragment: Sendable, Equatable {
    public let header: HandshakeHeader
    /// The message bytes at `header.fragmentOffset`, `header.fragmentLength` of them.
    public let data: [UInt8]

    /// The 12-byte handshake header, then the data.
    public var encoded: [UInt8] {
        var w = ByteWriter(capacity: HandshakeHeader.length + data.count)
        w.u8(header.type)
        w.u24(header.length)
        w.u16(header.messageSeq)
        w.u24(header.fragmentOffset)
        w.u24(header.fragmentLength)
        w.append(data)
        return w.bytes
    }
}
