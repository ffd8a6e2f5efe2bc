/// Named groups (IANA TLS Supported Groups), plus the point formats and curve
/// types that ride along with them in TLS 1.2.
public enum NamedGroup {
    public static let secp256r1: UInt16 = 23
    public static let x25519: UInt16 = 29

    public static func name(_ value: UInt16) -> String {
        knownName(value) ?? Hex.u16(value)
    }

    public static func describe(_ value: UInt16) -> String {
        knownName(value).map { "\($0) (\(Hex.u16(value)))" } ?? Hex.u16(value)
    }

    public static func knownName(_ value: UInt16) -> String? {
        if ExtensionType.isGREASE(value) { return "GREASE" }
        return switch value {
        case 1: "sect163k1"
        case 2: "sect163r1"
        case 3: "sect163r2"
        case 4: "sect193r1"
        case 5: "sect193r2"
        case 6: "sect233k1"
        case 7: "sect233r1"
        case 8: "sect239k1"
        case 9: "sect283k1"
        case 10: "sect283r1"
        case 11: "sect409k1"
        case 12: "sect409r1"
        case 13: "sect571k1"
        case 14: "sect571r1"
        case 15: "secp160k1"
        case 16: "secp160r1"
        case 17: "secp160r2"
        case 18: "secp192k1"
        case 19: "secp192r1"
        case 20: "secp224k1"
        case 21: "secp224r1"
        case 22: "secp256k1"
        case 23: "secp256r1"
        case 24: "secp384r1"
        case 25: "secp521r1"
        case 26: "brainpoolP256r1"
        case 27: "brainpoolP384r1"
        case 28: "brainpoolP512r1"
        case 29: "x25519"
        case 30: "x448"
        case 31: "brainpoolP256r1tls13"
        case 32: "brainpoolP384r1tls13"
        case 33: "brainpoolP512r1tls13"
        case 34: "GC256A"
        case 35: "GC256B"
        case 36: "GC256C"
        case 37: "GC256D"
        case 38: "GC512A"
        case 39: "GC512B"
        case 40: "GC512C"
        case 41: "curveSM2"
        case 256: "ffdhe2048"
        case 257: "ffdhe3072"
        case 258: "ffdhe4096"
        case 259: "ffdhe6144"
        case 260: "ffdhe8192"
        case 512: "MLKEM512"
        case 513: "MLKEM768"
        case 514: "MLKEM1024"
        case 4587: "SecP256r1MLKEM768"
        case 4588: "X25519MLKEM768"
        case 4589: "SecP384r1MLKEM1024"
        case 0xff01: "arbitrary_explicit_prime_curves"
        case 0xff02: "arbitrary_explicit_char2_curves"
        default: nil
        }
    }
}

public enum ECPointFormat {
    public static func name(_ value: UInt8) -> String {
        switch value {
        case 0: "uncompressed"
        case 1: "ansiX962_compressed_prime"
        case 2: "ansiX962_compressed_char2"
        default: "format(\(value))"
        }
    }
}

/// ECParameters.curve_type in a ServerKeyExchange (RFC 8422 §5.4).
public enum ECCurveType {
    public static let namedCurve: UInt8 = 3

    public static func name(_ value: UInt8) -> String {
        switch value {
        case 1: "explicit_prime"
        case 2: "explicit_char2"
        case 3: "named_curve"
        default: "curve_type(\(value))"
        }
    }
}
