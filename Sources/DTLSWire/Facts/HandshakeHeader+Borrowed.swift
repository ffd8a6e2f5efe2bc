extension HandshakeHeader {
    /// Reads the 12-byte handshake header that starts at `offset`, in place;
    /// nil when fewer than 12 bytes are there. (`parse` does the same for any
    /// collection, at the price of a copy.)
    @inlinable
    public init?(in bytes: UnsafeRawBufferPointer, at offset: Int = 0) {
        guard offset >= 0, offset <= bytes.count, bytes.count - offset >= HandshakeHeader.length else { return nil }
        self.init(type: bytes[offset], length: bytes.wireU24(at: offset + 1), messageSeq: bytes.wireU16(at: offset + 4),
                  fragmentOffset: bytes.wireU24(at: offset + 6), fragmentLength: bytes.wireU24(at: offset + 9))
    }
}
