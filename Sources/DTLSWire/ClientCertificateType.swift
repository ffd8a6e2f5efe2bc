/// ClientCertificateType values in a CertificateRequest (RFC 5246 §7.4.4, RFC 8422).
public enum ClientCertificateType {
    public static func name(_ value: UInt8) -> String {
        switch value {
        case 1: "rsa_sign"
        case 2: "dss_sign"
        case 3: "rsa_fixed_dh"
        case 4: "dss_fixed_dh"
        case 5: "rsa_ephemeral_dh"
        case 6: "dss_ephemeral_dh"
        case 20: "fortezza_dms"
        case 64: "ecdsa_sign"
        case 65: "rsa_fixed_ecdh"
        case 66: "ecdsa_fixed_ecdh"
        case 67: "gost_sign256"
        case 68: "gost_sign512"
        default: "type(\(value))"
        }
    }
}
