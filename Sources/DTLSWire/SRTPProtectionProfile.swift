/// DTLS-SRTP protection profiles (RFC 5764 §4.1.2, RFC 7714, RFC 8723, RFC 8269),
/// spelt as OpenSSL spells them, because those are the names `-use_srtp` and
/// `set srtp` accept.
public enum SRTPProtectionProfile {
    public static let aes128CMSHA1_80: UInt16 = 0x0001
    public static let aeadAES128GCM: UInt16 = 0x0007

    public static func name(_ value: UInt16) -> String {
        knownName(value) ?? Hex.u16(value)
    }

    public static func knownName(_ value: UInt16) -> String? {
        switch value {
        case 0x0001: "SRTP_AES128_CM_SHA1_80"
        case 0x0002: "SRTP_AES128_CM_SHA1_32"
        case 0x0003: "SRTP_AES128_F8_SHA1_80"
        case 0x0004: "SRTP_AES128_F8_SHA1_32"
        case 0x0005: "SRTP_NULL_SHA1_80"
        case 0x0006: "SRTP_NULL_SHA1_32"
        case 0x0007: "SRTP_AEAD_AES_128_GCM"
        case 0x0008: "SRTP_AEAD_AES_256_GCM"
        case 0x0009: "SRTP_DOUBLE_AEAD_AES_128_GCM_AEAD_AES_128_GCM"
        case 0x000a: "SRTP_DOUBLE_AEAD_AES_256_GCM_AEAD_AES_256_GCM"
        case 0x0011: "SRTP_ARIA_128_CTR_HMAC_SHA1_80"
        case 0x0012: "SRTP_ARIA_128_CTR_HMAC_SHA1_32"
        case 0x0013: "SRTP_ARIA_256_CTR_HMAC_SHA1_80"
        case 0x0014: "SRTP_ARIA_256_CTR_HMAC_SHA1_32"
        case 0x0015: "SRTP_AEAD_ARIA_128_GCM"
        case 0x0016: "SRTP_AEAD_ARIA_256_GCM"
        default: nil
        }
    }
}
