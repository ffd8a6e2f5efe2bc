extension RecordLayer {
    /// The random of the ClientHello a datagram opens with, when it opens with
    /// an unfragmented epoch-0 ClientHello (`startsWithClientHello`) long enough
    /// to hold one; read in place.
    @inlinable
    public static func initialClientHelloRandom(in d: UnsafeRawBufferPointer) -> HelloRandom? {
        guard startsWithClientHello(d),
              let hello = HandshakeHeader(in: d, at: RecordHeader.length),
              hello.fragmentLength >= 2 + UInt32(HelloRandom.length)
        else { return nil }
        // Record header, handshake header, client_version, then the random.
        return HelloRandom(in: d, at: RecordHeader.length + HandshakeHeader.length + 2)
    }
}
