internal import COpenSSL

/// How a cipher suite protects DTLS 1.2 records: what the key block holds for it and how a record's
/// payload is built (RFC 5246 §6.2.3, RFC 5288 GCM, RFC 6655 CCM, RFC 7905 ChaCha20-Poly1305,
/// RFC 7366 encrypt-then-MAC).
public struct RecordCipher: Sendable, Equatable {
    public enum Kind: Sendable, Equatable {
        /// 4-byte salt from the key block, 8-byte explicit nonce in the record.
        case gcm
        /// As GCM, with a tag of 16 or 8 bytes (CCM-8).
        case ccm(tagLength: Int)
        /// 12-byte IV XOR the sequence number, nothing explicit in the record.
        case chacha20Poly1305
        /// CBC with an explicit IV per record and an HMAC.
        case cbc(macDigest: String, macLength: Int)
    }

    /// OpenSSL's name of the suite, e.g. `PSK-AES128-GCM-SHA256`.
    public let suite: String
    public let kind: Kind
    /// The EVP cipher name, e.g. `AES-128-GCM`.
    let evpName: String
    public let keyLength: Int
    /// The PRF's digest (SHA256 unless the suite says SHA384).
    let prfDigest: String

    var isAEAD: Bool {
        if case .cbc = kind { return false }
        return true
    }

    var tagLength: Int {
        switch kind {
        case .gcm, .chacha20Poly1305: return 16
        case let .ccm(tagLength): return tagLength
        case .cbc: return 0
        }
    }

    /// Bytes of IV the key block holds per direction.
    var fixedIVLength: Int {
        switch kind {
        case .gcm, .ccm: return 4
        case .chacha20Poly1305: return 12
        case .cbc: return 0
        }
    }

    var macKeyLength: Int {
        if case let .cbc(_, macLength) = kind { return macLength }
        return 0
    }

    /// The suite from its OpenSSL name; `nil` for one whose records this cannot protect (NULL, export,
    /// stream ciphers, GOST…).
    public init?(suite: String) {
        self.suite = suite
        let parts = Set(suite.split(separator: "-").map(String.init))
        prfDigest = suite.hasSuffix("SHA384") ? "SHA384" : "SHA256"
        let bits = parts.contains("AES256") ? 256 : parts.contains("AES128") ? 128 : nil
        if parts.contains("CHACHA20") {
            kind = .chacha20Poly1305
            evpName = "ChaCha20-Poly1305"
            keyLength = 32
        } else if let bits, parts.contains("GCM") {
            kind = .gcm
            evpName = "AES-\(bits)-GCM"
            keyLength = bits / 8
        } else if let bits, parts.contains("CCM8") || parts.contains("CCM") {
            kind = .ccm(tagLength: parts.contains("CCM8") ? 8 : 16)
            evpName = "AES-\(bits)-CCM"
            keyLength = bits / 8
        } else if let bits, !parts.contains("NULL") {
            // The remaining AES suites are CBC: -SHA (HMAC-SHA1), -SHA256, -SHA384.
            let mac: (String, Int)
            if suite.hasSuffix("-SHA384") {
                mac = ("SHA384", 48)
            } else if suite.hasSuffix("-SHA256") {
                mac = ("SHA256", 32)
            } else if suite.hasSuffix("-SHA") {
                mac = ("SHA1", 20)
            } else {
                return nil
            }
            kind = .cbc(macDigest: mac.0, macLength: mac.1)
            evpName = "AES-\(bits)-CBC"
            keyLength = bits / 8
        } else {
            return nil
        }
    }
}
