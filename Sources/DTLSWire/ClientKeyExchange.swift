/// ClientKeyExchange (RFC 5246 §7.4.7, RFC 4279, RFC 5489, RFC 8422): like
/// ServerKeyExchange, its layout follows the negotiated key exchange.
public struct ClientKeyExchange: Sendable, Equatable {
    public var kind: KeyExchangeKind
    public var kindSource: KeyExchangeSource
    public var pskIdentity: [UInt8]?
    /// Length of the ECDH point or DH Yc.
    public var publicKeyLength: Int?
    /// RSA and RSA_PSK: the encrypted premaster secret.
    public var encryptedPreMasterSecretLength: Int?

    /// PSK identities are strings, which is what tells them from key material
    /// of the same shape; DHE_PSK and RSA_PSK look alike and are named DHE_PSK.
    static let guessOrder: [KeyExchangeKind] = [.ecdhePSK, .dhePSK, .psk, .ecdhe, .rsa]

    static func read(_ r: inout FieldReader, context: MessageContext) -> ClientKeyExchange? {
        KeyExchangeParams.decode(
            &r, message: "ClientKeyExchange", context: context, candidates: guessOrder,
            plausible: { $0.pskIdentity.map(PrintableText.isPrintable) ?? true }
        ) { kind, source, r in
            read(kind, source, &r)
        }
    }

    private static func read(_ kind: KeyExchangeKind, _ source: KeyExchangeSource, _ r: inout FieldReader)
        -> ClientKeyExchange?
    {
        var cke = ClientKeyExchange(kind: kind, kindSource: source)
        if kind.usesPSK {
            guard let identity = KeyExchangeParams.identity(&r, "psk_identity") else { return nil }
            cke.pskIdentity = identity
        }
        switch kind {
        case .psk:
            break
        case .ecdhe, .ecdh, .ecdhAnon, .ecdhePSK:
            guard let point = KeyExchangeParams.point(&r, "ecdh_Yc") else { return nil }
            cke.publicKeyLength = point
        case .dhe, .dh, .dhAnon, .dhePSK:
            // With a fixed-DH client certificate Yc is implicit and the body empty.
            if kind == .dh && r.isAtEnd { break }
            guard let yc = r.opaque("dh_Yc", prefix: 2, { "\($0.count)B" }) else { return nil }
            cke.publicKeyLength = yc.count
        case .rsa, .rsaPSK:
            guard let pms = r.opaque("encrypted_pre_master_secret", prefix: 2, { "\($0.count)B" }) else { return nil }
            cke.encryptedPreMasterSecretLength = pms.count
        }
        return cke
    }
}
