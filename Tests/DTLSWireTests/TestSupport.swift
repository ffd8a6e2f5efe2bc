@testable import DTLSWire

extension CapturedHandshake {
    /// Every datagram decoded, in capture order.
    func decoded(keyExchange: KeyExchangeKind? = nil) -> [DecodedDatagram] {
        datagrams.map { DatagramDecoder.decode($0.bytes, keyExchange: keyExchange) }
    }

    /// Every whole, decoded handshake message sent by one side.
    func messages(_ direction: Direction) -> [HandshakeMessage] {
        datagrams.filter { $0.direction == direction }
            .flatMap { DatagramDecoder.decode($0.bytes).handshakeMessages }
    }

    /// Every handshake fragment sent by one side, in order.
    func fragments(_ direction: Direction) -> [HandshakeFragment] {
        datagrams.filter { $0.direction == direction }
            .flatMap { DatagramDecoder.decode($0.bytes).handshakeFragments }
    }

    /// Every record sent by one side.
    func records(_ direction: Direction) -> [DecodedRecord] {
        datagrams.filter { $0.direction == direction }.flatMap { DatagramDecoder.decode($0.bytes).records }
    }

    /// Messages reassembled from one side's fragments.
    func reassembled(_ direction: Direction, keyExchange: KeyExchangeKind? = nil) -> [HandshakeReassembler.Message] {
        var reassembler = HandshakeReassembler()
        return fragments(direction).compactMap { reassembler.add($0, keyExchange: keyExchange) }
    }
}

/// Bytes from a hex string with optional whitespace.
func bytes(_ hex: String) -> [UInt8] {
    CapturedHandshake.Datagram(.clientToServer, hex).bytes
}
