extension HelloVerifyRequest {
    /// server_version, then the cookie with its length byte (`opaque cookie<0..2^8-1>`).
    public var body: [UInt8] {
        get throws(WireEncodingError) {
            var w = ByteWriter(capacity: 3 + cookie.count)
            w.u16(serverVersion)
            try w.vector("cookie", prefix: 1, cookie)
            return w.bytes
        }
    }

    /// The message, ready to fragment or send whole.
    public func handshake(messageSeq: UInt16 = 0) throws(WireEncodingError) -> OutgoingHandshake {
        OutgoingHandshake(.helloVerifyRequest, messageSeq: messageSeq, body: try body)
    }
}
