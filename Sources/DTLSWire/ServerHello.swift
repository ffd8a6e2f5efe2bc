/// ServerHello (RFC 5246 §7.4.1.3).
public struct ServerHello: Sendable, Equatable {
    public var serverVersion: UInt16
    public var random: [UInt8]
    public var sessionID: [UInt8]
    public var cipherSuite: UInt16
    public var compressionMethod: UInt8
    public var extensions: [HelloExtension]

    public var cipherSuiteName: String { CipherSuite.name(cipherSuite) }

    public func `extension`(_ type: UInt16) -> HelloExtension? {
        extensions.first { $0.type == type }
    }

    static func read(_ r: inout FieldReader) -> ServerHello? {
        guard let version = r.u16("server_version", ProtocolVersion.describe),
              let random = r.bytes("random", count: 32),
              let sessionID = r.opaque("session_id", prefix: 1),
              let suite = r.u16("cipher_suite", CipherSuite.describe),
              let compression = r.u8("compression_method", CompressionMethod.name)
        else { return nil }
        var extensions: [HelloExtension] = []
        if !r.isAtEnd {
            guard let list = HelloExtension.readList(&r, fromServer: true) else { return nil }
            extensions = list
        }
        r.expectEnd("ServerHello")
        return ServerHello(serverVersion: version, random: Array(random), sessionID: Array(sessionID),
                           cipherSuite: suite, compressionMethod: compression, extensions: extensions)
    }
}
