import DTLSWire

/// What a TLS context is made from: credentials, versions, ciphers. A value, so
/// the shell's `set` can change it and later peers get a context built from it.
public struct TLSConfiguration: Sendable, Hashable {
    public enum Version: String, Sendable, CaseIterable {
        case dtls1_0 = "1.0"
        case dtls1_2 = "1.2"
        case any
    }

    public struct PSK: Sendable, Hashable, CustomStringConvertible {
        public var identity: String
        public var key: [UInt8]

        public init(identity: String, key: [UInt8]) {
            self.identity = identity
            self.key = key
        }

        /// Parses `IDENTITY:HEXKEY`, the form of openssl's -psk_identity/-psk pair.
        public init(parsing text: String) throws {
            guard let colon = text.lastIndex(of: ":") else {
                throw ConfigurationError.invalid("psk", text, "expected IDENTITY:HEXKEY")
            }
            let identity = String(text[..<colon])
            guard !identity.isEmpty, identity.utf8.count <= 128 else {
                throw ConfigurationError.invalid("psk", text, "identity must be 1-128 bytes")
            }
            guard let key = Hex.decode(String(text[text.index(after: colon)...])), !key.isEmpty, key.count <= 256 else {
                throw ConfigurationError.invalid("psk", text, "key must be 1-256 bytes of hex")
            }
            self.init(identity: identity, key: key)
        }

        /// The key is a secret: show only its length.
        public var description: String { "\(identity):<\(key.count)-byte key>" }

        /// A well-known key, so that `make run` works at once. Never a real secret.
        public static let demo = PSK(identity: "dtlsh-demo", key: Array("dtlsh-demo-key!!".utf8))
    }

    public enum Certificate: Sendable, Hashable {
        /// A self-signed ECDSA P-256 certificate made in memory at start.
        case generated
        case files(certificate: String, key: String)
    }

    public var psk: PSK?
    public var certificate: Certificate = .generated
    public var caFile: String?
    /// Verify the peer's certificate; nil means "when a CA file is given".
    public var verify: Bool?
    /// An OpenSSL cipher string; nil picks secure defaults for the credentials.
    public var ciphers: String?
    public var version: Version = .dtls1_2
    /// use_srtp profiles, e.g. `SRTP_AES128_CM_SHA1_80:SRTP_AEAD_AES_128_GCM`.
    public var srtpProfiles: String?
    /// First retransmission timeout; nil keeps OpenSSL's 1 s.
    public var timerInitialMilliseconds: Int?
    /// Where the doubling stops; nil keeps OpenSSL's 60 s. A lossy lab link
    /// wants a low cap: OpenSSL gives up after 12 retransmissions either way.
    public var timerMaxMilliseconds: Int?
    /// Allow anonymous (unauthenticated) and NULL cipher suites, as the 2006
    /// example's anonymous DH did: open to any man in the middle, for history
    /// and teaching only.
    public var insecure = false
    /// With a PSK, whether certificate suites are offered too. `serve --psk`
    /// without --cert turns them off: a certificate in the context makes
    /// OpenSSL check its chain at every handshake, PSK ones included.
    public var certificateSuites = true
    /// A client asks for a session ticket (RFC 5077), to resume by ticket later; off, it resumes by
    /// session id only (and its ClientHello stays as it always was).
    public var sessionTickets = false

    public init(psk: PSK? = nil) {
        self.psk = psk
    }

    public var verifiesPeer: Bool { verify ?? (caFile != nil) }

    /// ECDHE with ECDSA (the default certificate) or RSA, AEAD only.
    static let certificateCiphers = [
        "ECDHE-ECDSA-AES128-GCM-SHA256", "ECDHE-ECDSA-CHACHA20-POLY1305", "ECDHE-ECDSA-AES256-GCM-SHA384",
        "ECDHE-ECDSA-AES128-CCM8", "ECDHE-ECDSA-AES128-CCM",
        "ECDHE-RSA-AES128-GCM-SHA256", "ECDHE-RSA-CHACHA20-POLY1305", "ECDHE-RSA-AES256-GCM-SHA384",
    ].joined(separator: ":")

    /// Plain PSK first (what constrained devices speak, RFC 7252 wants CCM8), then ECDHE-PSK.
    public static let pskCiphers = [
        "PSK-AES128-GCM-SHA256", "PSK-AES128-CCM8", "PSK-AES256-GCM-SHA384", "PSK-CHACHA20-POLY1305",
        "PSK-AES128-CCM", "ECDHE-PSK-CHACHA20-POLY1305", "ECDHE-PSK-AES128-CBC-SHA256",
    ].joined(separator: ":")

    static func legacyCiphers(psk: Bool, certificates: Bool = true) -> String {
        let pskSuites = psk ? ["PSK-AES128-CBC-SHA", "PSK-AES256-CBC-SHA", "ECDHE-PSK-AES128-CBC-SHA"] : []
        return (pskSuites + (certificates ? ["ECDHE-ECDSA-AES128-SHA", "ECDHE-RSA-AES128-SHA"] : [])).joined(separator: ":")
    }

    static let anonymousCiphers = "ADH-AES128-GCM-SHA256:AECDH-AES128-SHA"

    func cipherList(for role: Role) -> String {
        if insecure {
            return (ciphers ?? Self.anonymousCiphers + ":" + Self.pskCiphers + ":" + Self.certificateCiphers)
                + ":@SECLEVEL=0"
        }
        // Whatever the string asks for, nothing unauthenticated or unencrypted.
        let guardrail = ":!aNULL:!eNULL"
        if let ciphers { return ciphers + guardrail }
        // DTLS 1.0 has no AEAD suites: CBC ones for the peers that only speak 1.0.
        let legacy = version == .dtls1_2 ? "" : ":" + Self.legacyCiphers(psk: psk != nil, certificates: certificateSuites || psk == nil)
        guard psk != nil else { return Self.certificateCiphers + legacy + guardrail }
        if !certificateSuites { return Self.pskCiphers + legacy + guardrail }
        // A client that holds a PSK prefers it; the server follows the client.
        return Self.pskCiphers + ":" + Self.certificateCiphers + legacy + guardrail
    }

    /// Why these settings are weaker than they look, if they are.
    public var warnings: [String] {
        var out: [String] = []
        if let psk, psk.key.count < 16 {
            out.append("the PSK is \(psk.key.count) bytes; use at least 16 random bytes")
        }
        if insecure { out.append("insecure mode: anonymous and NULL ciphers allowed, no authentication") }
        return out
    }
}

public enum Role: String, Sendable {
    case client
    case server
}

public enum ConfigurationError: Error, Sendable, CustomStringConvertible {
    case invalid(String, String, String)
    public var description: String {
        switch self {
        case let .invalid(what, value, why): "bad \(what) '\(value)': \(why)"
        }
    }
}
