/// One handshake message, or a fragment of one, as it stands in a record.
public struct HandshakeFragment: Sendable, Equatable {
    public var header: HandshakeHeader
    /// Offset of the 12-byte handshake header in the decoded buffer.
    public var offset: Int
    /// The fragment bytes present (fewer than fragment_length if the record was cut short).
    public var body: ArraySlice<UInt8>
    /// The decoded message, when this fragment is all of it and it decoded.
    public var message: HandshakeMessage?

    public var typeName: String { header.typeName }
    public var isWholeMessage: Bool { !header.isFragment && body.count == Int(header.fragmentLength) }

    /// `frag 0+112` for a whole message, `frag 117+203/460` for a piece.
    public var fragmentText: String {
        let base = "frag \(header.fragmentOffset)+\(header.fragmentLength)"
        return header.isFragment ? "\(base)/\(header.length)" : base
    }

    /// Reads the handshake messages of one plaintext record body. Each pass
    /// consumes at least a 12-byte header or stops, so this always ends.
    static func readAll(_ r: inout FieldReader, context: inout MessageContext) -> [HandshakeFragment] {
        var fragments: [HandshakeFragment] = []
        while !r.isAtEnd {
            guard r.remaining >= HandshakeHeader.length else {
                r.note("\(r.remaining) byte(s) after the last handshake message: too few for a 12-byte header")
                _ = r.rest("trailing")
                break
            }
            let start = r.offset
            var child = FieldReader(r.reader)
            guard let fragment = read(&child, context: &context) else { break }  // unreachable: 12 bytes are there
            r.reader = child.reader
            r.notes += child.notes
            let title = "\(fragment.typeName) msg_seq=\(fragment.header.messageSeq) \(fragment.fragmentText)"
            r.add("handshake", title, from: start, children: child.fields)
            fragments.append(fragment)
        }
        return fragments
    }

    private static func read(_ r: inout FieldReader, context: inout MessageContext) -> HandshakeFragment? {
        let start = r.offset
        guard let type = r.u8("msg_type", { "\(HandshakeType.name($0)) (\($0))" }),
              let length = r.u24("length"),
              let seq = r.u16("message_seq"),
              let fragmentOffset = r.u24("fragment_offset"),
              let fragmentLength = r.u24("fragment_length")
        else { return nil }
        let header = HandshakeHeader(type: type, length: length, messageSeq: seq,
                                     fragmentOffset: fragmentOffset, fragmentLength: fragmentLength)
        if UInt64(fragmentOffset) + UInt64(fragmentLength) > UInt64(length) {
            r.note("fragment \(fragmentOffset)+\(fragmentLength) runs past the message length \(length)", at: start)
        }
        let available = min(Int(fragmentLength), r.remaining)
        if available < Int(fragmentLength) {
            r.note("fragment_length \(fragmentLength) runs past the record end (\(r.remaining) byte(s) left)",
                   at: start)
        }
        guard let body = r.reader.sub(available) else { return nil }
        var fragment = HandshakeFragment(header: header, offset: start, body: body.bytes[body.offset..<body.end])
        guard fragment.isWholeMessage else {
            r.add("fragment_data", Hex.describe(fragment.body), from: body.offset)
            return fragment
        }
        var message = FieldReader(body)
        fragment.message = HandshakeMessage.read(type: type, &message, context: context)
        r.fields += message.fields
        r.notes += message.notes
        if case .serverHello(let hello)? = fragment.message, context.keyExchange == nil,
           let kind = CipherSuite.keyExchange(hello.cipherSuite) {
            // The rest of this flight follows the suite the server just chose.
            context.keyExchange = kind
            context.keyExchangeSource = .serverHello
        }
        return fragment
    }
}
