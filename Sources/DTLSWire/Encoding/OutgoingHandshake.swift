/// One handshake message to encode: its type, message_seq and body. It goes
/// on the wire as one or more fragments (RFC 6347 §4.2.3), each with the
/// 12-byte header that says where it lies in the message: `whole`, or the
/// pieces `fragments` cuts, in any order and overlapping if asked.
public struct OutgoingHandshake: Sendable, Equatable {
    /// The largest body the 24-bit length field can count.
    public static let largestBody = (1 << 24) - 1

    /// A `HandshakeType` raw value; any byte.
    public var type: UInt8
    public var messageSeq: UInt16
    public var body: [UInt8]

    public init(type: UInt8, messageSeq: UInt16 = 0, body: [UInt8]) {
        self.type = type
        self.messageSeq = messageSeq
        self.body = body
    }

    public init(_ type: HandshakeType, messageSeq: UInt16 = 0, body: [UInt8]) {
        self.init(type: type.rawValue, messageSeq: messageSeq, body: body)
    }

    /// The whole message as one fragment (offset 0, length all of it).
    public var whole: OutgoingFragment {
        get throws(WireEncodingError) { try fragment(offset: 0, length: body.count) }
    }

    /// The piece `offset..<offset + length` of the body; throws unless it lies
    /// within the message. A zero-length piece is legal (an empty message's).
    public func fragment(offset: Int, length: Int) throws(WireEncodingError) -> OutgoingFragment {
        guard body.count <= Self.largestBody else { throw .messageTooLong(count: body.count) }
        guard offset >= 0, length >= 0, offset <= body.count, length <= body.count - offset else {
            throw .fragmentOutsideMessage(offset: offset, length: length, messageLength: body.count)
        }
        let header = HandshakeHeader(type: type, length: UInt32(body.count), messageSeq: messageSeq,
                                     fragmentOffset: UInt32(offset), fragmentLength: UInt32(length))
        return OutgoingFragment(header: header, data: Array(body[offset..<offset + length]))
    }

    /// The pieces at these ranges, in the order given: out of order,
    /// overlapping or leaving gaps, as the test at hand wants.
    public func fragments(_ ranges: [Range<Int>]) throws(WireEncodingError) -> [OutgoingFragment] {
        var pieces: [OutgoingFragment] = []
        for range in ranges { pieces.append(try fragment(offset: range.lowerBound, length: range.count)) }
        return pieces
    }

    /// In order, each at most `maxLength` bytes: the way a sender splits a
    /// message to fit its MTU. An empty message is one empty fragment.
    public func fragments(maxLength: Int) throws(WireEncodingError) -> [OutgoingFragment] {
        guard maxLength > 0 else { throw .fragmentSizeNotPositive(maxLength) }
        guard !body.isEmpty else { return [try whole] }
        let ranges = stride(from: 0, to: body.count, by: maxLength).map { $0..<min($0 + maxLength, body.count) }
        return try fragments(ranges)
    }
}
