internal import COpenSSL

/// What each side of a handshake offered, as OpenSSL kept it: read only when
/// someone asks (a failure's diagnosis), so a handshake pays nothing for it.
extension Peer {
    /// The settings this peer was made with.
    public var configuration: TLSConfiguration { context.configuration }

    /// The version the client's hello asked for ("DTLS 1.0"), known to a
    /// server once it has read a ClientHello.
    public var clientHelloVersion: String? {
        guard role == .server else { return nil }
        let v = SSL_client_version(ssl)
        return v == 0 ? nil : Self.versionName(v)
    }

    /// The suites the client's hello offered, by OpenSSL's names (those it
    /// knows); empty on a client, or before the hello was read, or when the
    /// hello was refused before its suites were (a version mismatch).
    public var clientHelloCiphers: [String] {
        guard role == .server, let stack = SSL_get_client_ciphers(ssl) else { return [] }
        return Self.names(stack)
    }

    /// The suites this side allows, in its order of preference, after its
    /// version and security level have filtered them.
    public var ownCiphers: [String] {
        guard let stack = SSL_get_ciphers(ssl) else { return [] }
        // OpenSSL lists its TLS 1.3 suites (TLS_AES_…) too; DTLS 1.2 never uses them.
        return Self.names(stack).filter { !$0.hasPrefix("TLS_") }
    }

    /// Why OpenSSL's verification refused the peer's certificate
    /// ("self-signed certificate", "EE certificate key too weak"); nil when it did not.
    public var verifyFailure: String? {
        let r = SSL_get_verify_result(ssl)
        return r == X509_V_OK ? nil : String(cString: X509_verify_cert_error_string(r))
    }

    /// OpenSSL's security level for this peer (0–5; Debian's default is 2).
    public var securityLevel: Int { Int(SSL_get_security_level(ssl)) }

    static func versionName(_ v: Int32) -> String {
        switch v {
        case 0xfeff: "DTLS 1.0"
        case 0xfefd: "DTLS 1.2"
        case 0x0100: "DTLS 1.0 (pre-RFC, OpenSSL 0.9.8)"
        default: "version 0x" + String(v, radix: 16)
        }
    }

    private static func names(_ stack: OpaquePointer) -> [String] {
        let n = COpenSSL_sk_SSL_CIPHER_num(stack)
        guard n > 0 else { return [] }
        return (0..<n).compactMap { i in
            COpenSSL_sk_SSL_CIPHER_value(stack, i).flatMap(SSL_CIPHER_get_name).map { String(cString: $0) }
        }
    }
}
