/// What the trace shows of one X.509 certificate: who it names and who signed
/// it, when it is valid and what key it holds. A bounded, total walk over the
/// DER: a certificate it cannot follow simply yields fewer fields.
public struct CertificateSummary: Sendable, Equatable {
    /// Distinguished names in encoding order, `O=dtlsh test, CN=localhost`.
    public var subject: String?
    public var issuer: String?
    public var subjectCommonName: String?
    public var issuerCommonName: String?
    public var notBefore: String?
    public var notAfter: String?
    /// `EC P-256`, `RSA 2048`, `Ed25519`, or the algorithm's OID.
    public var publicKey: String?

    public var isSelfIssued: Bool { subject != nil && subject == issuer }

    /// Walks `certificate`'s bytes; `fields` gets what was found, with byte ranges.
    static func parse(_ certificate: ByteReader, fields: inout [Field]) -> CertificateSummary? {
        var outer = DERReader(certificate)
        guard let cert = outer.next(tag: DERReader.sequence) else { return nil }
        var certReader = DERReader(cert)
        guard let tbs = certReader.next(tag: DERReader.sequence) else { return nil }
        var t = DERReader(tbs)
        var summary = CertificateSummary()
        _ = t.next(tag: DERReader.context0)  // version, absent in v1 certificates
        guard t.next(tag: DERReader.integer) != nil, t.next(tag: DERReader.sequence) != nil else { return nil }

        var start = t.offset
        guard let issuer = t.next(tag: DERReader.sequence) else { return nil }
        let issuerName = readName(issuer)
        summary.issuer = issuerName.text
        summary.issuerCommonName = issuerName.commonName
        fields.append(Field(name: "issuer", value: issuerName.text, byteRange: start..<t.offset))

        start = t.offset
        if let validity = t.next(tag: DERReader.sequence) {
            var v = DERReader(validity)
            summary.notBefore = v.next().map { time($0.tag, $0.content) }
            summary.notAfter = v.next().map { time($0.tag, $0.content) }
            fields.append(Field(name: "validity", value: "\(summary.notBefore ?? "?") to \(summary.notAfter ?? "?")",
                                byteRange: start..<t.offset))
        }

        start = t.offset
        guard let subject = t.next(tag: DERReader.sequence) else { return summary }
        let subjectName = readName(subject)
        summary.subject = subjectName.text
        summary.subjectCommonName = subjectName.commonName
        fields.append(Field(name: "subject", value: subjectName.text, byteRange: start..<t.offset))

        start = t.offset
        if let spki = t.next(tag: DERReader.sequence) {
            summary.publicKey = publicKey(spki)
            fields.append(Field(name: "public_key", value: summary.publicKey ?? "?", byteRange: start..<t.offset))
        }
        return summary
    }

    /// Name ::= SEQUENCE OF SET OF AttributeTypeAndValue, read to at most 16 attributes.
    static func readName(_ name: ByteReader) -> (text: String, commonName: String?) {
        var rdns = DERReader(name)
        var parts: [String] = []
        var commonName: String?
        while parts.count < 16, let rdn = rdns.next(tag: DERReader.set) {
            var attributes = DERReader(rdn)
            while parts.count < 16, let attribute = attributes.next(tag: DERReader.sequence) {
                var a = DERReader(attribute)
                guard let oid = a.next(tag: DERReader.oid), let value = a.next() else { continue }
                let type = attributeName(DERReader.oidString(oid) ?? "?")
                let text = DERReader.text(value.content)
                if type == "CN" { commonName = text }
                parts.append("\(type)=\(text)")
            }
        }
        return (parts.isEmpty ? "(empty)" : parts.joined(separator: ", "), commonName)
    }

    private static func attributeName(_ oid: String) -> String {
        switch oid {
        case "2.5.4.3": "CN"
        case "2.5.4.4": "SN"
        case "2.5.4.5": "serialNumber"
        case "2.5.4.6": "C"
        case "2.5.4.7": "L"
        case "2.5.4.8": "ST"
        case "2.5.4.9": "street"
        case "2.5.4.10": "O"
        case "2.5.4.11": "OU"
        case "2.5.4.12": "title"
        case "2.5.4.42": "GN"
        case "0.9.2342.19200300.100.1.1": "UID"
        case "0.9.2342.19200300.100.1.25": "DC"
        case "1.2.840.113549.1.9.1": "emailAddress"
        default: oid
        }
    }

    /// UTCTime `YYMMDDHHMMSSZ` or GeneralizedTime `YYYYMMDDHHMMSSZ` as
    /// `YYYY-MM-DD HH:MM:SSZ`; anything else verbatim (escaped).
    static func time(_ tag: UInt8, _ content: ByteReader) -> String {
        var r = content
        let raw = Array(r.rest())
        let digits = raw.prefix { $0 >= UInt8(ascii: "0") && $0 <= UInt8(ascii: "9") }
        guard raw.last == UInt8(ascii: "Z"), digits.count == raw.count - 1,
              (tag == DERReader.utcTime && digits.count == 12) || (tag == DERReader.generalizedTime && digits.count == 14)
        else { return PrintableText.escaped(raw) }
        var text = String(decoding: digits, as: UTF8.self)
        if tag == DERReader.utcTime {
            text = (text.hasPrefix("5") || text.first.map { $0 > "5" } == true ? "19" : "20") + text
        }
        let c = Array(text)
        return "\(String(c[0..<4]))-\(String(c[4..<6]))-\(String(c[6..<8])) "
            + "\(String(c[8..<10])):\(String(c[10..<12])):\(String(c[12..<14]))Z"
    }

    /// SubjectPublicKeyInfo: the algorithm, with the curve for EC and the
    /// modulus size for RSA.
    static func publicKey(_ spki: ByteReader) -> String? {
        var s = DERReader(spki)
        guard let algorithm = s.next(tag: DERReader.sequence) else { return nil }
        var a = DERReader(algorithm)
        guard let oid = a.next(tag: DERReader.oid).flatMap(DERReader.oidString) else { return nil }
        switch oid {
        case "1.2.840.10045.2.1":
            let curve = a.next(tag: DERReader.oid).flatMap(DERReader.oidString)
            return "EC " + (curve.map(curveName) ?? "(explicit parameters)")
        case "1.2.840.113549.1.1.1":
            return "RSA" + (s.next(tag: DERReader.bitString).flatMap(rsaBits).map { " \($0)" } ?? "")
        case "1.2.840.113549.1.1.10": return "RSASSA-PSS"
        case "1.3.101.112": return "Ed25519"
        case "1.3.101.113": return "Ed448"
        case "1.2.840.10040.4.1": return "DSA"
        default: return oid
        }
    }

    private static func curveName(_ oid: String) -> String {
        switch oid {
        case "1.2.840.10045.3.1.7": "P-256"
        case "1.3.132.0.34": "P-384"
        case "1.3.132.0.35": "P-521"
        case "1.3.132.0.10": "secp256k1"
        case "1.3.36.3.3.2.8.1.1.7": "brainpoolP256r1"
        default: oid
        }
    }

    /// Bits of an RSA modulus, from the BIT STRING holding RSAPublicKey.
    private static func rsaBits(_ bitString: ByteReader) -> Int? {
        var b = bitString
        guard b.u8() == 0 else { return nil }  // unused-bits count
        var key = DERReader(b)
        guard let sequence = key.next(tag: DERReader.sequence) else { return nil }
        var k = DERReader(sequence)
        guard var modulus = k.next(tag: DERReader.integer) else { return nil }
        while modulus.peek() == 0 { _ = modulus.u8() }
        guard let top = modulus.peek() else { return nil }
        return (modulus.remaining - 1) * 8 + (8 - top.leadingZeroBitCount)
    }
}
