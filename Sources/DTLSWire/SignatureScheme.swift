/// TLS 1.2 SignatureAndHashAlgorithm pairs and TLS 1.3 SignatureScheme values,
/// which share one 16-bit space (IANA TLS SignatureScheme registry).
public enum SignatureScheme {
    public static let ecdsaSecp256r1SHA256: UInt16 = 0x0403

    public static func name(_ value: UInt16) -> String {
        if let known = knownName(value) { return known }
        // An unregistered TLS 1.2 pair still reads as hash+signature.
        let hash = hashName(UInt8(value >> 8)), signature = signatureName(UInt8(value & 0xff))
        if let hash, let signature { return "\(signature)_\(hash)" }
        return Hex.u16(value)
    }

    public static func describe(_ value: UInt16) -> String {
        "\(name(value)) (\(Hex.u16(value)))"
    }

    public static func knownName(_ value: UInt16) -> String? {
        if ExtensionType.isGREASE(value) { return "GREASE" }
        return switch value {
        case 0x0201: "rsa_pkcs1_sha1"
        case 0x0202: "dsa_sha1"
        case 0x0203: "ecdsa_sha1"
        case 0x0301: "rsa_pkcs1_sha224"
        case 0x0302: "dsa_sha224"
        case 0x0303: "ecdsa_sha224"
        case 0x0401: "rsa_pkcs1_sha256"
        case 0x0402: "dsa_sha256"
        case 0x0403: "ecdsa_secp256r1_sha256"
        case 0x0420: "rsa_pkcs1_sha256_legacy"
        case 0x0501: "rsa_pkcs1_sha384"
        case 0x0502: "dsa_sha384"
        case 0x0503: "ecdsa_secp384r1_sha384"
        case 0x0520: "rsa_pkcs1_sha384_legacy"
        case 0x0601: "rsa_pkcs1_sha512"
        case 0x0602: "dsa_sha512"
        case 0x0603: "ecdsa_secp521r1_sha512"
        case 0x0620: "rsa_pkcs1_sha512_legacy"
        case 0x0704: "eccsi_sha256"
        case 0x0708: "sm2sig_sm3"
        case 0x0804: "rsa_pss_rsae_sha256"
        case 0x0805: "rsa_pss_rsae_sha384"
        case 0x0806: "rsa_pss_rsae_sha512"
        case 0x0807: "ed25519"
        case 0x0808: "ed448"
        case 0x0809: "rsa_pss_pss_sha256"
        case 0x080a: "rsa_pss_pss_sha384"
        case 0x080b: "rsa_pss_pss_sha512"
        case 0x081a: "ecdsa_brainpoolP256r1tls13_sha256"
        case 0x081b: "ecdsa_brainpoolP384r1tls13_sha384"
        case 0x081c: "ecdsa_brainpoolP512r1tls13_sha512"
        case 0x0904: "mldsa44"
        case 0x0905: "mldsa65"
        case 0x0906: "mldsa87"
        case 0xeeee: "gostr34102012_256"
        case 0xefef: "gostr34102012_512"
        case 0xeded: "gostr34102001"
        default: nil
        }
    }

    /// TLS 1.2 HashAlgorithm (RFC 5246 §7.4.1.4.1).
    static func hashName(_ value: UInt8) -> String? {
        switch value {
        case 0: "none"
        case 1: "md5"
        case 2: "sha1"
        case 3: "sha224"
        case 4: "sha256"
        case 5: "sha384"
        case 6: "sha512"
        case 8: "intrinsic"
        default: nil
        }
    }

    /// TLS 1.2 SignatureAlgorithm.
    static func signatureName(_ value: UInt8) -> String? {
        switch value {
        case 0: "anonymous"
        case 1: "rsa"
        case 2: "dsa"
        case 3: "ecdsa"
        case 7: "ed25519"
        case 8: "ed448"
        default: nil
        }
    }
}
