/// The key exchange a cipher suite uses: it decides the layout of
/// ServerKeyExchange and ClientKeyExchange, which carry no type of their own.
public enum KeyExchangeKind: String, Sendable, CaseIterable {
    case rsa = "RSA"
    /// Static DH/ECDH from the certificate: no ServerKeyExchange.
    case dh = "DH"
    case ecdh = "ECDH"
    case dhe = "DHE"
    case ecdhe = "ECDHE"
    case dhAnon = "DH_anon"
    case ecdhAnon = "ECDH_anon"
    case psk = "PSK"
    case dhePSK = "DHE_PSK"
    case ecdhePSK = "ECDHE_PSK"
    case rsaPSK = "RSA_PSK"

    public var name: String { rawValue }

    /// PSK suites carry an identity hint (server) and an identity (client).
    public var usesPSK: Bool { [.psk, .dhePSK, .ecdhePSK, .rsaPSK].contains(self) }
}

/// Where the decoder's idea of the key exchange came from: the decoder sees one
/// datagram and cannot know the negotiated suite unless told or the ServerHello
/// travelled in the same datagram, so the trace says which it was.
public enum KeyExchangeSource: String, Sendable {
    /// The caller passed `keyExchange:` (e.g. the engine knows the negotiated suite).
    case given
    /// Taken from a ServerHello earlier in the same datagram.
    case serverHello = "from ServerHello"
    /// Inferred from the layout of the bytes; could be wrong.
    case guessed
}
