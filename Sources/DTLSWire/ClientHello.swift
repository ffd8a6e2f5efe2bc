/// ClientHello (RFC 6347 §4.2.1: TLS 1.2's, plus the cookie).
public struct ClientHello: Sendable, Equatable {
    public var clientVersion: UInt16
    public var random: [UInt8]
    public var sessionID: [UInt8]
    /// Empty in the first ClientHello; the HelloVerifyRequest's cookie in the second.
    public var cookie: [UInt8]
    public var cipherSuites: [UInt16]
    public var compressionMethods: [UInt8]
    public var extensions: [HelloExtension]

    public func offers(_ suite: UInt16) -> Bool { cipherSuites.contains(suite) }

    public func `extension`(_ type: UInt16) -> HelloExtension? {
        extensions.first { $0.type == type }
    }

    static func read(_ r: inout FieldReader) -> ClientHello? {
        guard let version = r.u16("client_version", ProtocolVersion.describe),
              let random = r.bytes("random", count: 32),
              let sessionID = r.opaque("session_id", prefix: 1),
              let cookie = r.opaque("cookie", prefix: 1),
              let suites = r.u16List("cipher_suites", prefix: 2, item: "cipher_suite", CipherSuite.describe,
                                     summary: { "\($0.count) suite(s)" }),
              let compression = r.u8List("compression_methods", prefix: 1, item: "compression_method",
                                         CompressionMethod.name, summary: { "\($0.count) method(s)" })
        else { return nil }
        // Extensions are optional: a hello may simply end after compression_methods.
        var extensions: [HelloExtension] = []
        if !r.isAtEnd {
            guard let list = HelloExtension.readList(&r, fromServer: false) else { return nil }
            extensions = list
        }
        r.expectEnd("ClientHello")
        return ClientHello(clientVersion: version, random: Array(random), sessionID: Array(sessionID),
                           cookie: Array(cookie), cipherSuites: suites, compressionMethods: compression,
                           extensions: extensions)
    }
}
