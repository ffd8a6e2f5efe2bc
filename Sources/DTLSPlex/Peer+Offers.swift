/// What each side of a handshake offered, as OpenSSL kept it: read only when
/// someone asks (a failure's diagnosis), so a handshake pays nothing for it.
extension Peer {
    /// The settings this peer was made with.
    public var configuration: TLSConfiguration { context.configuration }

    /// The version the client's hello asked for ("DTLS 1.0"), known to a
    /// server once it has read a ClientHello.
    public var clientHelloVersion: String? {
        guard role == .server else { return nil }
        return connection.clientHelloVersion.map(Self.versionName)
    }

    /// The suites the client's hello offered, by OpenSSL's names (those it
    /// knows); empty on a client, or before the hello was read, or when the
    /// hello was refused before its suites were (a version mismatch).
    public var clientHelloCiphers: [String] {
        role == .server ? connection.clientHelloCiphers : []
    }

    /// The suites this side allows, in its order of preference, after its
    /// version and security level have filtered them.
    public var ownCiphers: [String] {
        // OpenSSL lists its TLS 1.3 suites (TLS_AES_…) too; DTLS 1.2 never uses them.
        connection.ownCiphers.filter { !$0.hasPrefix("TLS_") }
    }

    /// Why OpenSSL's verification refused the peer's certificate
    /// ("self-signed certificate", "EE certificate key too weak"); nil when it did not.
    public var verifyFailure: String? { connection.verifyFailure }

    /// OpenSSL's security level for this peer (0–5; Debian's default is 2).
    public var securityLevel: Int { connection.securityLevel }

    static func versionName(_ v: Int32) -> String {
        switch v {
        case 0xfeff: "DTLS 1.0"
        case 0xfefd: "DTLS 1.2"
        case 0x0100: "DTLS 1.0 (pre-RFC, OpenSSL 0.9.8)"
        default: "version 0x" + String(v, radix: 16)
        }
    }
}
