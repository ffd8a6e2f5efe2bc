/// What a message decoder needs to know beyond its own bytes: several layouts
/// depend on the version (DTLS 1.0 signatures carry no algorithm) or on the
/// negotiated key exchange, which no key-exchange message names.
struct MessageContext {
    /// The record's version.
    var version: UInt16
    var keyExchange: KeyExchangeKind?
    var keyExchangeSource: KeyExchangeSource = .given

    /// DTLS 1.2 (TLS 1.2) added the algorithm in front of every signature and the
    /// signature algorithm list to CertificateRequest.
    var hasSignatureAlgorithms: Bool {
        version != ProtocolVersion.dtls10 && version != 0x0100
    }
}
