/// Handshake message types (RFC 5246 §7.4, RFC 6347 §4.3.2).
public enum HandshakeType: UInt8, Sendable {
    case helloRequest = 0
    case clientHello = 1
    case serverHello = 2
    case helloVerifyRequest = 3
    case newSessionTicket = 4
    case certificate = 11
    case serverKeyExchange = 12
    case certificateRequest = 13
    case serverHelloDone = 14
    case certificateVerify = 15
    case clientKeyExchange = 16
    case finished = 20
    case certificateURL = 21
    case certificateStatus = 22

    public static func name(_ raw: UInt8) -> String {
        switch HandshakeType(rawValue: raw) {
        case .helloRequest: "HelloRequest"
        case .clientHello: "ClientHello"
        case .serverHello: "ServerHello"
        case .helloVerifyRequest: "HelloVerifyRequest"
        case .newSessionTicket: "NewSessionTicket"
        case .certificate: "Certificate"
        case .serverKeyExchange: "ServerKeyExchange"
        case .certificateRequest: "CertificateRequest"
        case .serverHelloDone: "ServerHelloDone"
        case .certificateVerify: "CertificateVerify"
        case .clientKeyExchange: "ClientKeyExchange"
        case .finished: "Finished"
        case .certificateURL: "CertificateURL"
        case .certificateStatus: "CertificateStatus"
        case nil: "HandshakeType(\(raw))"
        }
    }
}

/// The 12-byte DTLS handshake header.
public struct HandshakeHeader: Sendable, Equatable {
    public static let length = 12
    public var type: UInt8
    public var length: UInt32
    public var messageSeq: UInt16
    public var fragmentOffset: UInt32
    public var fragmentLength: UInt32

    @inlinable
    public init(type: UInt8, length: UInt32, messageSeq: UInt16, fragmentOffset: UInt32, fragmentLength: UInt32) {
        self.type = type
        self.length = length
        self.messageSeq = messageSeq
        self.fragmentOffset = fragmentOffset
        self.fragmentLength = fragmentLength
    }

    public var typeName: String { HandshakeType.name(type) }
    public var isFragment: Bool { fragmentOffset != 0 || fragmentLength != length }

    /// Reads a handshake header; nil when fewer than 12 bytes remain.
    public static func read(_ r: inout ByteReader) -> HandshakeHeader? {
        guard r.remaining >= length, let t = r.u8(), let len = r.u24(), let seq = r.u16(),
              let off = r.u24(), let flen = r.u24()
        else { return nil }
        return HandshakeHeader(type: t, length: len, messageSeq: seq, fragmentOffset: off, fragmentLength: flen)
    }

    public static func parse<C: Collection<UInt8>>(_ bytes: C) -> HandshakeHeader? {
        var r = ByteReader(Array(bytes.prefix(length)))
        return read(&r)
    }
}
