import DTLSWire

/// What a client's datagram is, as far as the client probe needs to know: which flight it starts.
extension DecodedDatagram {
    /// The first fragment of a ClientHello: one transmission of flight 1 or 3.
    var startsClientHello: Bool { starts(.clientHello) }

    /// The first fragment of a ClientKeyExchange: one transmission of flight 5 (every full handshake
    /// has one).
    var startsFlight5: Bool { starts(.clientKeyExchange) }

    private func starts(_ type: HandshakeType) -> Bool {
        handshakeFragments.contains { $0.header.type == type.rawValue && $0.header.fragmentOffset == 0 }
    }

    var clientHello: ClientHello? {
        handshakeFragments.lazy.compactMap { $0.message?.clientHello }.first
    }
}
