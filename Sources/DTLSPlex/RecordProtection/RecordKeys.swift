/// What protects one direction of an association's records.
public struct DirectionKeys: Sendable, Equatable {
    public let macKey: [UInt8]
    public let key: [UInt8]
    /// The key block's IV part: GCM/CCM's salt, ChaCha20-Poly1305's IV; empty for CBC.
    public let fixedIV: [UInt8]
}

/// The secrets of an established DTLS 1.2 association, as its client or server holds them: enough to
/// protect records that the other side accepts as its peer's (the probe's forged yet authenticated
/// records), or to open records the other side sent.
public struct SessionSecrets: Sendable {
    public let masterSecret: [UInt8]
    public let clientRandom: [UInt8]
    public let serverRandom: [UInt8]
    public let cipher: RecordCipher
    /// RFC 7366 was negotiated (CBC suites only): OpenSSL has no getter; the ServerHello says.
    public var encryptThenMac: Bool

    public init(masterSecret: [UInt8], clientRandom: [UInt8], serverRandom: [UInt8], cipher: RecordCipher,
                encryptThenMac: Bool) {
        self.masterSecret = masterSecret
        self.clientRandom = clientRandom
        self.serverRandom = serverRandom
        self.cipher = cipher
        self.encryptThenMac = encryptThenMac
    }
}

/// The key block (RFC 5246 §6.3): PRF(master, "key expansion", server_random + client_random), cut into
/// client and server MAC keys, keys and IVs, in that order.
public struct RecordKeys: Sendable, Equatable {
    public let client: DirectionKeys
    public let server: DirectionKeys

    public init(_ secrets: SessionSecrets) throws {
        let c = secrets.cipher
        let total = 2 * (c.macKeyLength + c.keyLength + c.fixedIVLength)
        let block = try TLS12PRF.derive(
            secret: secrets.masterSecret, label: "key expansion", seed: secrets.serverRandom + secrets.clientRandom,
            length: total, digest: c.prfDigest)
        var cursor = block[...]
        func take(_ n: Int) -> [UInt8] {
            defer { cursor = cursor.dropFirst(n) }
            return Array(cursor.prefix(n))
        }
        let clientMAC = take(c.macKeyLength)
        let serverMAC = take(c.macKeyLength)
        let clientKey = take(c.keyLength)
        let serverKey = take(c.keyLength)
        let clientIV = take(c.fixedIVLength)
        let serverIV = take(c.fixedIVLength)
        client = DirectionKeys(macKey: clientMAC, key: clientKey, fixedIV: clientIV)
        server = DirectionKeys(macKey: serverMAC, key: serverKey, fixedIV: serverIV)
    }
}
