/// Alert levels (RFC 5246 §7.2).
public enum AlertLevel {
    public static let warning: UInt8 = 1
    public static let fatal: UInt8 = 2

    public static func name(_ value: UInt8) -> String {
        switch value {
        case 1: "warning"
        case 2: "fatal"
        default: "level(\(value))"
        }
    }
}

/// Alert descriptions (IANA TLS Alerts registry).
public enum AlertDescription {
    public static let closeNotify: UInt8 = 0
    public static let handshakeFailure: UInt8 = 40
    public static let decryptError: UInt8 = 51
    public static let userCanceled: UInt8 = 90
    public static let noRenegotiation: UInt8 = 100

    public static func name(_ value: UInt8) -> String {
        knownName(value) ?? "alert(\(value))"
    }

    public static func knownName(_ value: UInt8) -> String? {
        switch value {
        case 0: "close_notify"
        case 10: "unexpected_message"
        case 20: "bad_record_mac"
        case 21: "decryption_failed"
        case 22: "record_overflow"
        case 30: "decompression_failure"
        case 40: "handshake_failure"
        case 41: "no_certificate"
        case 42: "bad_certificate"
        case 43: "unsupported_certificate"
        case 44: "certificate_revoked"
        case 45: "certificate_expired"
        case 46: "certificate_unknown"
        case 47: "illegal_parameter"
        case 48: "unknown_ca"
        case 49: "access_denied"
        case 50: "decode_error"
        case 51: "decrypt_error"
        case 52: "too_many_cids_requested"
        case 60: "export_restriction"
        case 70: "protocol_version"
        case 71: "insufficient_security"
        case 80: "internal_error"
        case 86: "inappropriate_fallback"
        case 90: "user_canceled"
        case 100: "no_renegotiation"
        case 109: "missing_extension"
        case 110: "unsupported_extension"
        case 111: "certificate_unobtainable"
        case 112: "unrecognized_name"
        case 113: "bad_certificate_status_response"
        case 114: "bad_certificate_hash_value"
        case 115: "unknown_psk_identity"
        case 116: "certificate_required"
        case 120: "no_application_protocol"
        default: nil
        }
    }
}

/// A decoded alert record.
public struct Alert: Sendable, Equatable {
    public var level: UInt8
    public var description: UInt8

    @inlinable
    public init(level: UInt8, description: UInt8) {
        self.level = level
        self.description = description
    }

    public var levelName: String { AlertLevel.name(level) }
    public var descriptionName: String { AlertDescription.name(description) }
    /// `fatal handshake_failure`.
    public var text: String { "\(levelName) \(descriptionName)" }
}
