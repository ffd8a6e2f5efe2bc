/// A ClientHello to encode (RFC 6347 §4.2.1). The defaults make a hello that
/// OpenSSL 3.0 accepts for DTLS 1.2 with a certificate (ECDHE-ECDSA,
/// ECDHE-RSA) or a PSK: set `cookie` from the HelloVerifyRequest for the
/// second hello (`answering(_:)` does, with the next message_seq).
public struct OutgoingClientHello: Sendable, Equatable {
    /// Certificate suites first, then PSK ones, AEAD before CBC: what dtlsh's
    /// own client offers, in the order of OpenSSL's preference.
    public static let defaultCipherSuites: [UInt16] = [
        0xC02B,  // TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256
        0xC02F,  // TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256
        0xCCA9,  // TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256
        0xCCAC,  // TLS_ECDHE_PSK_WITH_CHACHA20_POLY1305_SHA256
        0x00A8,  // TLS_PSK_WITH_AES_128_GCM_SHA256
        0xC0A8,  // TLS_PSK_WITH_AES_128_CCM_8
        0xC037,  // TLS_ECDHE_PSK_WITH_AES_128_CBC_SHA256
    ]

    /// The extensions OpenSSL 3.0 needs to pick an ECDHE suite (groups, point
    /// formats, signature schemes) and expects of a current client (extended
    /// master secret, secure renegotiation).
    public static let defaultExtensions: [OutgoingExtension] = [
        .supportedGroups([NamedGroup.x25519, NamedGroup.secp256r1, 24 /* secp384r1 */]),
        .ecPointFormats([0]),
        .signatureAlgorithms([
            SignatureScheme.ecdsaSecp256r1SHA256, 0x0503, 0x0603,  // ECDSA with SHA-256, -384, -512
            0x0804, 0x0805, 0x0806,  // RSA-PSS (rsae) with SHA-256, -384, -512
            0x0401, 0x0501, 0x0601,  // RSA PKCS#1 v1.5 with SHA-256, -384, -512
        ]),
        .extendedMasterSecret,
        .renegotiationInfo(),
    ]

    public var clientVersion: UInt16
    /// 32 bytes; by default fresh ones from the system's generator.
    public var random: [UInt8]
    public var sessionID: [UInt8]
    /// Empty in the first hello; the HelloVerifyRequest's cookie in the second.
    public var cookie: [UInt8]
    public var cipherSuites: [UInt16]
    public var compressionMethods: [UInt8]
    /// Nil leaves out the extensions block altogether, as pre-TLS 1.2 clients
    /// may; empty sends an empty block.
    public var extensions: [OutgoingExtension]?

    public init(
        cipherSuites: [UInt16] = OutgoingClientHello.defaultCipherSuites,
        extensions: [OutgoingExtension]? = OutgoingClientHello.defaultExtensions,
        cookie: [UInt8] = [], random: [UInt8]? = nil, sessionID: [UInt8] = [],
        clientVersion: UInt16 = ProtocolVersion.dtls12, compressionMethods: [UInt8] = [0]
    ) {
        self.clientVersion = clientVersion
        self.random = random ?? Self.freshRandom()
        self.sessionID = sessionID
        self.cookie = cookie
        self.cipherSuites = cipherSuites
        self.compressionMethods = compressionMethods
        self.extensions = extensions
    }

    /// The same hello with the server's cookie: what a client sends after a
    /// HelloVerifyRequest (same random, same offer; RFC 6347 §4.2.1).
    public func answering(_ request: HelloVerifyRequest) -> OutgoingClientHello {
        var second = self
        second.cookie = request.cookie
        return second
    }

    /// client_version, random, session_id, cookie, cipher_suites,
    /// compression_methods, extensions: the message body.
    public var body: [UInt8] {
        get throws(WireEncodingError) {
            guard random.count == HelloRandom.length else {
                throw .wrongSize(field: "random", count: random.count, expected: HelloRandom.length)
            }
            var w = ByteWriter(capacity: 256)
            w.u16(clientVersion)
            w.append(random)
            try w.vector("session_id", prefix: 1, sessionID)
            try w.vector("cookie", prefix: 1, cookie)
            try w.vector16("cipher_suites", prefix: 2, cipherSuites)
            try w.vector("compression_methods", prefix: 1, compressionMethods)
            if let extensions {
                var list = ByteWriter()
                for e in extensions { try e.write(to: &list) }
                try w.vector("extensions", prefix: 2, list.bytes)
            }
            return w.bytes
        }
    }

    /// The message, ready to fragment or send whole. A client's first hello
    /// has message_seq 0, the one answering a HelloVerifyRequest 1.
    public func handshake(messageSeq: UInt16 = 0) throws(WireEncodingError) -> OutgoingHandshake {
        OutgoingHandshake(.clientHello, messageSeq: messageSeq, body: try body)
    }

    /// The hello whole, in one epoch-0 record, alone in a datagram: what a
    /// client sends. `sequence` is the record's, `messageSeq` the message's.
    public func datagram(messageSeq: UInt16 = 0, sequence: UInt64 = 0) throws(WireEncodingError) -> [UInt8] {
        let record = OutgoingRecord.handshake([try handshake(messageSeq: messageSeq).whole], sequence: sequence)
        return try OutgoingDatagram(record).encoded
    }

    static func freshRandom() -> [UInt8] {
        var generator = SystemRandomNumberGenerator()
        return (0..<HelloRandom.length).map { _ in UInt8.random(in: .min ... .max, using: &generator) }
    }
}
