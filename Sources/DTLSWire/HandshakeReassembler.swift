/// Puts fragmented handshake messages back together across datagrams, so a
/// Certificate split by a small MTU can still be decoded. Keep one per peer
/// and direction.
///
/// Memory is bounded by what was actually received and by the limits given:
/// a forged `length` of 16 MB reserves nothing, and pending messages beyond
/// `maxPending` push out the oldest.
public struct HandshakeReassembler: Sendable {
    /// A message whose fragments now cover all of it.
    public struct Message: Sendable, Equatable {
        public var type: UInt8
        public var messageSeq: UInt16
        public var body: [UInt8]
        /// Nil when the reassembled body does not decode; notes say why.
        public var message: HandshakeMessage?
        /// Byte ranges index `body`.
        public var fields: [Field]
        public var notes: [DecodeNote]
        /// How many fragments it took.
        public var fragmentCount: Int

        public var typeName: String { HandshakeType.name(type) }
    }

    private struct Pending: Sendable {
        var type: UInt8
        var messageSeq: UInt16
        var length: Int
        var pieces: [(offset: Int, bytes: ArraySlice<UInt8>)]
        var storedBytes: Int
    }

    public let maxMessageLength: Int
    public let maxPending: Int
    /// Fragments per message; past it the message is abandoned (tiny overlapping
    /// fragments are a cheap way to make a reassembler work hard).
    public let maxFragments: Int
    private var pending: [Pending] = []

    public init(maxMessageLength: Int = 1 << 16, maxPending: Int = 8, maxFragments: Int = 256) {
        self.maxMessageLength = max(0, maxMessageLength)
        self.maxPending = max(1, maxPending)
        self.maxFragments = max(1, maxFragments)
    }

    /// Messages still missing pieces.
    public var pendingCount: Int { pending.count }

    public mutating func reset() { pending.removeAll() }

    /// Adds one fragment (a whole message is a fragment too) and returns the
    /// message if this fragment completed it.
    ///
    /// - Parameters:
    ///   - version: the record version, which decides signature layouts.
    ///   - keyExchange: as for `DatagramDecoder.decode`; nil means guess.
    public mutating func add(
        _ fragment: HandshakeFragment, version: UInt16 = ProtocolVersion.dtls12, keyExchange: KeyExchangeKind? = nil
    ) -> Message? {
        let header = fragment.header
        let length = Int(header.length), offset = Int(header.fragmentOffset)
        guard length <= maxMessageLength, offset <= length, fragment.body.count <= length - offset else { return nil }

        let index: Int
        if let found = pending.firstIndex(where: {
            $0.type == header.type && $0.messageSeq == header.messageSeq && $0.length == length
        }) {
            index = found
        } else {
            if pending.count >= maxPending { pending.removeFirst() }
            pending.append(Pending(type: header.type, messageSeq: header.messageSeq, length: length, pieces: [],
                                   storedBytes: 0))
            index = pending.count - 1
        }
        pending[index].pieces.append((offset, fragment.body))
        pending[index].storedBytes += fragment.body.count
        if pending[index].pieces.count > maxFragments {
            pending.remove(at: index)
            return nil
        }
        guard let body = Self.assemble(pending[index]) else { return nil }
        let done = pending.remove(at: index)

        var r = FieldReader(ByteReader(body))
        var context = MessageContext(version: version, keyExchange: keyExchange)
        context.keyExchangeSource = .given
        let message = HandshakeMessage.read(type: done.type, &r, context: context)
        return Message(type: done.type, messageSeq: done.messageSeq, body: body, message: message, fields: r.fields,
                       notes: r.notes, fragmentCount: done.pieces.count)
    }

    /// The whole body if the pieces cover `0..<length`, else nil. The result is
    /// never larger than the bytes stored, since coverage implies length <= stored.
    private static func assemble(_ p: Pending) -> [UInt8]? {
        let pieces = p.pieces.sorted { $0.offset < $1.offset }
        var covered = 0
        for piece in pieces {
            if piece.offset > covered { return nil }
            covered = max(covered, piece.offset + piece.bytes.count)
        }
        guard covered >= p.length else { return nil }
        var body: [UInt8] = []
        body.reserveCapacity(p.length)
        for piece in pieces where piece.offset + piece.bytes.count > body.count {
            body += piece.bytes.dropFirst(body.count - piece.offset)
        }
        return body
    }
}
