/// CertificateVerify (RFC 5246 §7.4.8): the client proves it holds its key.
public struct CertificateVerify: Sendable, Equatable {
    /// Nil in DTLS 1.0.
    public var signatureAlgorithm: UInt16?
    public var signatureLength: Int

    static func read(_ r: inout FieldReader, context: MessageContext) -> CertificateVerify? {
        guard let signature = KeyExchangeParams.signature(&r, context: context) else { return nil }
        r.expectEnd("CertificateVerify")
        return CertificateVerify(signatureAlgorithm: signature.algorithm, signatureLength: signature.length)
    }
}
