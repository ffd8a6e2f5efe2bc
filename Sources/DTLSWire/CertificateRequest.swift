/// CertificateRequest (RFC 5246 §7.4.4): the server asks for a client certificate.
public struct CertificateRequest: Sendable, Equatable {
    public var certificateTypes: [UInt8]
    /// Empty in DTLS 1.0, which has no such list.
    public var signatureAlgorithms: [UInt16]
    /// Acceptable CAs as distinguished-name text; often empty.
    public var certificateAuthorities: [String]

    static func read(_ r: inout FieldReader, context: MessageContext) -> CertificateRequest? {
        guard let types = r.u8List("certificate_types", prefix: 1, item: "type", ClientCertificateType.name,
                                   summary: { $0.map(ClientCertificateType.name).joined(separator: ", ") })
        else { return nil }
        var schemes: [UInt16] = []
        if context.hasSignatureAlgorithms {
            guard let list = r.u16List("supported_signature_algorithms", prefix: 2, item: "scheme",
                                       SignatureScheme.describe, summary: { "\($0.count) scheme(s)" })
            else { return nil }
            schemes = list
        }
        let authorities = r.vector("certificate_authorities", prefix: 2, summary: { (names: [String]) in
            "\(names.count) name(s)"
        }) { r -> [String]? in
            var names: [String] = []
            while !r.isAtEnd {
                let start = r.offset
                guard let der = r.reader.u16().map(Int.init), let name = r.reader.sub(der) else {
                    r.note("distinguished name runs past the end", at: start)
                    return nil
                }
                // DistinguishedName is a DER Name: SEQUENCE { RDNs }.
                var outer = DERReader(name)
                let text = outer.next(tag: DERReader.sequence).map { CertificateSummary.readName($0).text }
                    ?? "undecoded \(der)B"
                r.add("distinguished_name", text, from: start)
                names.append(text)
            }
            return names
        }
        guard let authorities else { return nil }
        r.expectEnd("CertificateRequest")
        return CertificateRequest(certificateTypes: types, signatureAlgorithms: schemes,
                                  certificateAuthorities: authorities)
    }
}
