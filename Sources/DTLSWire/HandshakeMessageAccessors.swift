// Payload accessors, so callers (the shell's `expect message`, tests) can ask
// for "the ClientHello, if this is one" without a switch at every use.

extension HandshakeMessage {
    public var type: UInt8 {
        switch self {
        case .helloRequest: HandshakeType.helloRequest.rawValue
        case .clientHello: HandshakeType.clientHello.rawValue
        case .serverHello: HandshakeType.serverHello.rawValue
        case .helloVerifyRequest: HandshakeType.helloVerifyRequest.rawValue
        case .newSessionTicket: HandshakeType.newSessionTicket.rawValue
        case .certificate: HandshakeType.certificate.rawValue
        case .serverKeyExchange: HandshakeType.serverKeyExchange.rawValue
        case .certificateRequest: HandshakeType.certificateRequest.rawValue
        case .serverHelloDone: HandshakeType.serverHelloDone.rawValue
        case .certificateVerify: HandshakeType.certificateVerify.rawValue
        case .clientKeyExchange: HandshakeType.clientKeyExchange.rawValue
        case .finished: HandshakeType.finished.rawValue
        case .other(let type, _): type
        }
    }

    public var typeName: String { HandshakeType.name(type) }

    public var clientHello: ClientHello? {
        if case .clientHello(let m) = self { return m }
        return nil
    }

    public var serverHello: ServerHello? {
        if case .serverHello(let m) = self { return m }
        return nil
    }

    public var helloVerifyRequest: HelloVerifyRequest? {
        if case .helloVerifyRequest(let m) = self { return m }
        return nil
    }

    public var certificate: CertificateMessage? {
        if case .certificate(let m) = self { return m }
        return nil
    }

    public var serverKeyExchange: ServerKeyExchange? {
        if case .serverKeyExchange(let m) = self { return m }
        return nil
    }

    public var certificateRequest: CertificateRequest? {
        if case .certificateRequest(let m) = self { return m }
        return nil
    }

    public var clientKeyExchange: ClientKeyExchange? {
        if case .clientKeyExchange(let m) = self { return m }
        return nil
    }

    public var certificateVerify: CertificateVerify? {
        if case .certificateVerify(let m) = self { return m }
        return nil
    }

    public var newSessionTicket: NewSessionTicket? {
        if case .newSessionTicket(let m) = self { return m }
        return nil
    }

    public var finished: Finished? {
        if case .finished(let m) = self { return m }
        return nil
    }
}

extension RecordBody {
    public var alert: Alert? {
        if case .alert(let a) = self { return a }
        return nil
    }

    public var encrypted: EncryptedRecord? {
        if case .encrypted(let e) = self { return e }
        return nil
    }

    public var handshakeFragments: [HandshakeFragment] {
        if case .handshake(let f) = self { return f }
        return []
    }
}
