/// Pieces shared by ServerKeyExchange and ClientKeyExchange, and the trial
/// decoding that stands in for the negotiated suite when nobody told us.
enum KeyExchangeParams {
    /// ECParameters (RFC 8422 §5.4); only named curves, which is all anyone sends.
    static func curve(_ r: inout FieldReader) -> (type: UInt8, group: UInt16)? {
        guard let type = r.u8("curve_type", ECCurveType.name) else { return nil }
        guard type == ECCurveType.namedCurve else {
            r.note("curve_type \(ECCurveType.name(type)): only named curves are decoded")
            return nil
        }
        guard let group = r.u16("named_curve", NamedGroup.describe) else { return nil }
        return (type, group)
    }

    /// An ECPoint `opaque point<1..2^8-1>`.
    static func point(_ r: inout FieldReader, _ name: String) -> Int? {
        r.opaque(name, prefix: 1, { point in
            let form = switch point.first {
            case 0x04: " uncompressed point"
            case 0x02, 0x03: " compressed point"
            default: ""
            }
            return "\(point.count)B\(form)"
        })?.count
    }

    /// ServerDHParams: p, g, Ys; returns the lengths of p and Ys.
    static func dhParams(_ r: inout FieldReader) -> (prime: Int, publicKey: Int)? {
        guard let p = r.opaque("dh_p", prefix: 2, { "\($0.count * 8)-bit prime" }),
              r.opaque("dh_g", prefix: 2) != nil,
              let ys = r.opaque("dh_Ys", prefix: 2, { "\($0.count)B" })
        else { return nil }
        return (p.count, ys.count)
    }

    /// A PSK identity or hint: a string by RFC 4279, shown escaped.
    static func identity(_ r: inout FieldReader, _ name: String) -> [UInt8]? {
        r.opaque(name, prefix: 2, { $0.isEmpty ? "(empty)" : PrintableText.quoted($0) }).map(Array.init)
    }

    /// `digitally-signed` (RFC 5246 §4.7): the algorithm exists only from (D)TLS 1.2.
    static func signature(_ r: inout FieldReader, context: MessageContext) -> (algorithm: UInt16?, length: Int)? {
        var algorithm: UInt16?
        if context.hasSignatureAlgorithms {
            guard let a = r.u16("signature_algorithm", SignatureScheme.describe) else { return nil }
            algorithm = a
        }
        guard let signature = r.opaque("signature", prefix: 2, { "\($0.count)B" }) else { return nil }
        return (algorithm, signature.count)
    }

    /// Decodes with the known key exchange, or tries `candidates` in turn and
    /// keeps the first that accounts for every byte without a complaint. The
    /// field tree says which kind was used and why.
    static func decode<T>(
        _ r: inout FieldReader, message: String, context: MessageContext, candidates: [KeyExchangeKind],
        plausible: (T) -> Bool = { _ in true },
        _ body: (KeyExchangeKind, KeyExchangeSource, inout FieldReader) -> T?
    ) -> T? {
        let start = r.offset
        if let kind = context.keyExchange {
            r.add("key_exchange", "\(kind.name) (\(context.keyExchangeSource.rawValue))", from: start)
            let value = body(kind, context.keyExchangeSource, &r)
            if value != nil { r.expectEnd(message) }
            return value
        }
        for kind in candidates {
            var trial = r
            trial.add("key_exchange", "\(kind.name) (guessed from the layout)", from: start)
            if let value = body(kind, .guessed, &trial), trial.isAtEnd, trial.notes.count == r.notes.count,
               plausible(value) {
                r = trial
                return value
            }
        }
        r.note("\(message): could not tell the key exchange; tried \(candidates.map(\.name).joined(separator: ", "))")
        _ = r.rest("data")
        return nil
    }
}
