/// Cipher suite code points: names and the key exchange each implies.
public enum CipherSuite {
    public static let emptyRenegotiationInfoSCSV: UInt16 = 0x00FF
    public static let fallbackSCSV: UInt16 = 0x5600

    /// The IANA name, or `0x%04X` for code points we do not know (GREASE included).
    public static func name(_ value: UInt16) -> String {
        knownName(value) ?? Hex.u16(value)
    }

    /// Name and code point, as field trees show them.
    public static func describe(_ value: UInt16) -> String {
        knownName(value).map { "\($0) (\(Hex.u16(value)))" } ?? Hex.u16(value)
    }

    /// True for the signalling values that are not real suites.
    public static func isSignalling(_ value: UInt16) -> Bool {
        value == emptyRenegotiationInfoSCSV || value == fallbackSCSV
    }

    /// The key exchange of a TLS 1.2-and-earlier suite, read off its IANA name
    /// (`TLS_<kx>_WITH_…`); nil for TLS 1.3 suites, SCSVs and unknown values.
    public static func keyExchange(_ value: UInt16) -> KeyExchangeKind? {
        guard let name = knownName(value), name.hasPrefix("TLS_"),
              let with = name.firstRange(of: "_WITH_"),
              case let start = name.index(name.startIndex, offsetBy: 4), start <= with.lowerBound
        else { return nil }
        let kx = name[start..<with.lowerBound]
        switch kx {
        case "RSA", "RSA_EXPORT": return .rsa
        case "DH_DSS", "DH_RSA", "DH_DSS_EXPORT", "DH_RSA_EXPORT": return .dh
        case "ECDH_ECDSA", "ECDH_RSA": return .ecdh
        case "DHE_DSS", "DHE_RSA", "DHE_DSS_EXPORT", "DHE_RSA_EXPORT": return .dhe
        case "ECDHE_ECDSA", "ECDHE_RSA": return .ecdhe
        case "DH_anon", "DH_anon_EXPORT": return .dhAnon
        case "ECDH_anon": return .ecdhAnon
        case "PSK": return .psk
        case "DHE_PSK", "PSK_DHE": return .dhePSK
        case "ECDHE_PSK": return .ecdhePSK
        case "RSA_PSK": return .rsaPSK
        default: return nil
        }
    }
}
