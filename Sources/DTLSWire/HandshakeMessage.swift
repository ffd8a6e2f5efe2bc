/// A handshake message body, decoded when its fragment carries all of it.
public enum HandshakeMessage: Sendable, Equatable {
    case helloRequest
    case clientHello(ClientHello)
    case serverHello(ServerHello)
    case helloVerifyRequest(HelloVerifyRequest)
    case newSessionTicket(NewSessionTicket)
    case certificate(CertificateMessage)
    case serverKeyExchange(ServerKeyExchange)
    case certificateRequest(CertificateRequest)
    case serverHelloDone
    case certificateVerify(CertificateVerify)
    case clientKeyExchange(ClientKeyExchange)
    case finished(Finished)
    /// A type we do not decode (or do not know), kept as its length.
    case other(type: UInt8, length: Int)

    /// Decodes one message body. `r` covers exactly the body; fields and notes
    /// land in `r`. Nil when the body is malformed (the notes say how).
    static func read(type: UInt8, _ r: inout FieldReader, context: MessageContext) -> HandshakeMessage? {
        switch HandshakeType(rawValue: type) {
        case .helloRequest:
            r.expectEnd("HelloRequest")
            return .helloRequest
        case .serverHelloDone:
            r.expectEnd("ServerHelloDone")
            return .serverHelloDone
        case .clientHello: return ClientHello.read(&r).map(HandshakeMessage.clientHello)
        case .serverHello: return ServerHello.read(&r).map(HandshakeMessage.serverHello)
        case .helloVerifyRequest: return HelloVerifyRequest.read(&r).map(HandshakeMessage.helloVerifyRequest)
        case .newSessionTicket: return NewSessionTicket.read(&r).map(HandshakeMessage.newSessionTicket)
        case .certificate: return CertificateMessage.read(&r).map(HandshakeMessage.certificate)
        case .serverKeyExchange:
            return ServerKeyExchange.read(&r, context: context).map(HandshakeMessage.serverKeyExchange)
        case .certificateRequest:
            return CertificateRequest.read(&r, context: context).map(HandshakeMessage.certificateRequest)
        case .certificateVerify:
            return CertificateVerify.read(&r, context: context).map(HandshakeMessage.certificateVerify)
        case .clientKeyExchange:
            return ClientKeyExchange.read(&r, context: context).map(HandshakeMessage.clientKeyExchange)
        case .finished: return Finished.read(&r).map(HandshakeMessage.finished)
        case .certificateURL, .certificateStatus, nil:
            return .other(type: type, length: r.rest("body").count)
        }
    }
}
