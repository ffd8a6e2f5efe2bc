/// Everything `DatagramDecoder.decode` found in one datagram.
public struct DecodedDatagram: Sendable, Equatable {
    /// Bytes after the last whole record that do not form a record.
    public struct Trailing: Sendable, Equatable {
        public var offset: Int
        public var count: Int
        public var reason: String
    }

    public var length: Int
    public var records: [DecodedRecord]
    public var trailing: Trailing?
    /// Every note, the records' included, in the order they were found.
    public var notes: [DecodeNote]
    /// One field per record (and one for trailing bytes), with byte ranges in the datagram.
    public var fields: [Field]

    /// Every handshake fragment of every plaintext record, in order.
    public var handshakeFragments: [HandshakeFragment] {
        records.flatMap { record -> [HandshakeFragment] in
            if case .handshake(let fragments) = record.body { return fragments }
            return []
        }
    }

    /// Every fully decoded handshake message, in order.
    public var handshakeMessages: [HandshakeMessage] {
        handshakeFragments.compactMap(\.message)
    }

    public var isWellFormed: Bool { notes.isEmpty }
}
