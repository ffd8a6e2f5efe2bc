/// Hello extension code points (IANA TLS ExtensionType Values).
public enum ExtensionType {
    public static let serverName: UInt16 = 0
    public static let maxFragmentLength: UInt16 = 1
    public static let statusRequest: UInt16 = 5
    public static let supportedGroups: UInt16 = 10
    public static let ecPointFormats: UInt16 = 11
    public static let signatureAlgorithms: UInt16 = 13
    public static let useSRTP: UInt16 = 14
    public static let heartbeat: UInt16 = 15
    public static let alpn: UInt16 = 16
    public static let padding: UInt16 = 21
    public static let encryptThenMAC: UInt16 = 22
    public static let extendedMasterSecret: UInt16 = 23
    public static let recordSizeLimit: UInt16 = 28
    public static let sessionTicket: UInt16 = 35
    public static let supportedVersions: UInt16 = 43
    public static let signatureAlgorithmsCert: UInt16 = 50
    public static let connectionIDDeprecated: UInt16 = 53
    public static let connectionID: UInt16 = 54
    public static let renegotiationInfo: UInt16 = 0xff01

    public static func name(_ value: UInt16) -> String {
        knownName(value) ?? Hex.u16(value)
    }

    public static func knownName(_ value: UInt16) -> String? {
        if isGREASE(value) { return "GREASE" }
        return switch value {
        case 0: "server_name"
        case 1: "max_fragment_length"
        case 2: "client_certificate_url"
        case 3: "trusted_ca_keys"
        case 4: "truncated_hmac"
        case 5: "status_request"
        case 6: "user_mapping"
        case 7: "client_authz"
        case 8: "server_authz"
        case 9: "cert_type"
        case 10: "supported_groups"
        case 11: "ec_point_formats"
        case 12: "srp"
        case 13: "signature_algorithms"
        case 14: "use_srtp"
        case 15: "heartbeat"
        case 16: "application_layer_protocol_negotiation"
        case 17: "status_request_v2"
        case 18: "signed_certificate_timestamp"
        case 19: "client_certificate_type"
        case 20: "server_certificate_type"
        case 21: "padding"
        case 22: "encrypt_then_mac"
        case 23: "extended_master_secret"
        case 24: "token_binding"
        case 25: "cached_info"
        case 26: "tls_lts"
        case 27: "compress_certificate"
        case 28: "record_size_limit"
        case 29: "pwd_protect"
        case 30: "pwd_clear"
        case 31: "password_salt"
        case 32: "ticket_pinning"
        case 33: "tls_cert_with_extern_psk"
        case 34: "delegated_credential"
        case 35: "session_ticket"
        case 36: "TLMSP"
        case 37: "TLMSP_proxying"
        case 38: "TLMSP_delegate"
        case 39: "supported_ekt_ciphers"
        case 41: "pre_shared_key"
        case 42: "early_data"
        case 43: "supported_versions"
        case 44: "cookie"
        case 45: "psk_key_exchange_modes"
        case 47: "certificate_authorities"
        case 48: "oid_filters"
        case 49: "post_handshake_auth"
        case 50: "signature_algorithms_cert"
        case 51: "key_share"
        case 52: "transparency_info"
        case 53: "connection_id (deprecated)"
        case 54: "connection_id"
        case 55: "external_id_hash"
        case 56: "external_session_id"
        case 57: "quic_transport_parameters"
        case 58: "ticket_request"
        case 59: "dnssec_chain"
        case 60: "sequence_number_encryption_algorithms"
        case 61: "rrc"
        case 0x3374: "next_protocol_negotiation"
        case 0xfe0d: "encrypted_client_hello"
        case 0xff01: "renegotiation_info"
        default: nil
        }
    }

    /// RFC 8701 GREASE values (0x0A0A, 0x1A1A, …, 0xFAFA), reserved to keep
    /// peers tolerant of unknown code points; same pattern for suites and groups.
    public static func isGREASE(_ value: UInt16) -> Bool {
        value & 0x0f0f == 0x0a0a && value >> 8 == value & 0xff
    }
}
