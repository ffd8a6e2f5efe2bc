/// HelloVerifyRequest (RFC 6347 §4.2.1): the server's stateless cookie challenge.
public struct HelloVerifyRequest: Sendable, Equatable {
    public var serverVersion: UInt16
    public var cookie: [UInt8]

    static func read(_ r: inout FieldReader) -> HelloVerifyRequest? {
        guard let version = r.u16("server_version", ProtocolVersion.describe),
              let cookie = r.opaque("cookie", prefix: 1)
        else { return nil }
        r.expectEnd("HelloVerifyRequest")
        return HelloVerifyRequest(serverVersion: version, cookie: Array(cookie))
    }
}
