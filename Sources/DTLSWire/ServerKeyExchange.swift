/// ServerKeyExchange (RFC 5246 §7.4.3, RFC 4279, RFC 5489, RFC 8422). Its layout
/// depends on the negotiated key exchange, which the message does not name.
public struct ServerKeyExchange: Sendable, Equatable {
    public var kind: KeyExchangeKind
    public var kindSource: KeyExchangeSource
    public var pskIdentityHint: [UInt8]?
    public var curveType: UInt8?
    public var namedCurve: UInt16?
    /// Length of the ECDH point or DH Ys.
    public var publicKeyLength: Int?
    public var dhPrimeLength: Int?
    /// Nil for DTLS 1.0, which signs without naming the algorithm.
    public var signatureAlgorithm: UInt16?
    public var signatureLength: Int?

    static let guessOrder: [KeyExchangeKind] = [.ecdhe, .ecdhePSK, .psk, .dhe, .dhePSK, .ecdhAnon, .dhAnon]

    static func read(_ r: inout FieldReader, context: MessageContext) -> ServerKeyExchange? {
        KeyExchangeParams.decode(
            &r, message: "ServerKeyExchange", context: context, candidates: guessOrder,
            plausible: { $0.pskIdentityHint.map(PrintableText.isPrintable) ?? true }
        ) { kind, source, r in
            read(kind, source, &r, context: context)
        }
    }

    private static func read(
        _ kind: KeyExchangeKind, _ source: KeyExchangeSource, _ r: inout FieldReader, context: MessageContext
    ) -> ServerKeyExchange? {
        var ske = ServerKeyExchange(kind: kind, kindSource: source)
        if kind.usesPSK {
            guard let hint = KeyExchangeParams.identity(&r, "psk_identity_hint") else { return nil }
            ske.pskIdentityHint = hint
        }
        switch kind {
        case .psk, .rsaPSK:
            return ske
        case .ecdhe, .ecdhAnon, .ecdhePSK:
            guard let curve = KeyExchangeParams.curve(&r),
                  let point = KeyExchangeParams.point(&r, "public")
            else { return nil }
            (ske.curveType, ske.namedCurve, ske.publicKeyLength) = (curve.type, curve.group, point)
        case .dhe, .dhAnon, .dhePSK:
            guard let dh = KeyExchangeParams.dhParams(&r) else { return nil }
            (ske.dhPrimeLength, ske.publicKeyLength) = (dh.prime, dh.publicKey)
        case .rsa:
            // Only the long-dead export suites sent a temporary RSA key here.
            guard r.opaque("rsa_modulus", prefix: 2, { "\($0.count * 8)-bit" }) != nil,
                  r.opaque("rsa_exponent", prefix: 2) != nil
            else { return nil }
        case .dh, .ecdh:
            r.note("a static \(kind.name) key exchange sends no ServerKeyExchange")
            return nil
        }
        if kind == .ecdhe || kind == .dhe || kind == .rsa {
            guard let signature = KeyExchangeParams.signature(&r, context: context) else { return nil }
            (ske.signatureAlgorithm, ske.signatureLength) = (signature.algorithm, signature.length)
        }
        return ske
    }
}
