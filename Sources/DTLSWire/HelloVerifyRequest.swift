/// HelloVerifyRequest (RFC 6347 §4.2.1): the server's stateless cookie challenge.
public struct HelloVerifyRequest: Sendable, Equatable {
    public var serverVersion: UInt16
    public var cookie: [UInt8]

    /// DTLS 1.2 servers put DTLS 1.0 in server_version here, whatever they
    /// negotiate later (RFC 6347 §4.2.1); OpenSSL does.
    public init(serverVersion: UInt16 = ProtocolVersion.dtls10, cookie: [UInt8]) {
        self.serverVersion = serverVersion
        self.cookie = cookie
    }

    static func read(_ r: inout FieldReader) -> HelloVerifyRequest? {
        guard let version = r.u16("server_version", ProtocolVersion.describe),
              let cookie = r.opaque("cookie", prefix: 1)
        else { return nil }
        r.expectEnd("HelloVerifyRequest")
        return HelloVerifyRequest(serverVersion: version, cookie: Array(cookie))
    }
}
