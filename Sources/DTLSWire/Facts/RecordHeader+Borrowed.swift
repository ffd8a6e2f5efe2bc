extension RecordHeader {
    /// Reads the 13-byte record header that starts at `offset`, in place; nil
    /// when fewer than 13 bytes are there. OpenSSL's message callback hands
    /// over exactly these 13 bytes for every record it reads or writes.
    @inlinable
    public init?(in bytes: UnsafeRawBufferPointer, at offset: Int = 0) {
        guard offset >= 0, offset <= bytes.count, bytes.count - offset >= RecordHeader.length else { return nil }
        self.init(contentType: bytes[offset], version: bytes.wireU16(at: offset + 1),
                  epoch: bytes.wireU16(at: offset + 3), sequence: bytes.wireU48(at: offset + 5),
                  length: bytes.wireU16(at: offset + 11))
    }
}
