/// What the encoder refuses: only what the wire format cannot express (a
/// length its field cannot hold, a fragment outside its message). It builds
/// messages a peer will reject — an empty suite list, a cookie on a first
/// hello, a record of an unknown content type — since sending those to a peer
/// on purpose is what `inject` and `probe` are for.
public enum WireEncodingError: Error, Sendable, Equatable, CustomStringConvertible {
    /// A record payload longer than a record may carry.
    case payloadTooLong(count: Int, limit: Int)
    /// A record sequence number past 2^48 - 1.
    case sequenceOutOfRange(UInt64)
    /// A datagram longer than a UDP payload can be.
    case datagramTooLong(count: Int, limit: Int)
    /// A handshake message longer than its 24-bit length field.
    case messageTooLong(count: Int)
    /// A fragment that does not lie within its message.
    case fragmentOutsideMessage(offset: Int, length: Int, messageLength: Int)
    /// A fragment size that cannot split a message (zero or negative).
    case fragmentSizeNotPositive(Int)
    /// A vector longer than its length prefix can count.
    case vectorTooLong(field: String, count: Int, limit: Int)
    /// A field of fixed size given another size (a hello's random is 32 bytes).
    case wrongSize(field: String, count: Int, expected: Int)

    public var description: String {
        switch self {
        case let .payloadTooLong(count, limit):
            "a record payload of \(count) bytes is over the limit of \(limit)"
        case let .sequenceOutOfRange(sequence):
            "sequence number \(sequence) does not fit in 48 bits"
        case let .datagramTooLong(count, limit):
            "a datagram of \(count) bytes is over the UDP limit of \(limit)"
        case let .messageTooLong(count):
            "a handshake message of \(count) bytes does not fit its 24-bit length"
        case let .fragmentOutsideMessage(offset, length, messageLength):
            "fragment \(offset)+\(length) is not within the \(messageLength)-byte message"
        case let .fragmentSizeNotPositive(size):
            "fragments of \(size) bytes cannot split a message"
        case let .vectorTooLong(field, count, limit):
            "\(field) of \(count) bytes is over its limit of \(limit)"
        case let .wrongSize(field, count, expected):
            "\(field) is \(count) bytes, must be \(expected)"
        }
    }
}
