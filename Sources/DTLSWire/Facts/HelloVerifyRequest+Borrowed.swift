extension HelloVerifyRequest {
    /// The cookie of the HelloVerifyRequest a datagram opens with (an epoch-0
    /// handshake record whose first message is a whole HelloVerifyRequest),
    /// borrowed from `d`; nil for anything else. The server side reads it off
    /// what it sends (its length is an event's field), a client would echo it.
    @inlinable
    public static func cookie(inDatagram d: UnsafeRawBufferPointer) -> UnsafeRawBufferPointer? {
        guard let record = RecordHeader(in: d), record.contentType == ContentType.handshake.rawValue,
              record.epoch == 0, d.count - RecordHeader.length >= Int(record.length),
              let message = HandshakeHeader(in: d, at: RecordHeader.length),
              message.type == HandshakeType.helloVerifyRequest.rawValue,
              message.fragmentOffset == 0, message.fragmentLength == message.length,
              Int(message.length) <= Int(record.length) - HandshakeHeader.length,
              message.length >= 3
        else { return nil }
        // Record header, handshake header, server_version, then the cookie's length byte.
        let lengthAt = RecordHeader.length + HandshakeHeader.length + 2
        let cookieLength = Int(d[lengthAt])
        guard cookieLength <= Int(message.length) - 3 else { return nil }
        return UnsafeRawBufferPointer(rebasing: d[(lengthAt + 1)..<(lengthAt + 1 + cookieLength)])
    }
}
