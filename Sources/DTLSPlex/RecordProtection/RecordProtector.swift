internal import COpenSSL

/// Protects and opens the records of one direction of a DTLS 1.2 association with its keys, as the
/// record layer of the side that owns them would: what OpenSSL's peer accepts as genuine.
///
/// The probe needs records OpenSSL would never write — an unknown content type, a future epoch, a wrong
/// verify_data — yet authenticated, so that what the other side does with them says something about its
/// state machine rather than its MAC check.
public struct RecordProtector: Sendable {
    public struct Failure: Error, CustomStringConvertible, Equatable {
        public let description: String
    }

    public let cipher: RecordCipher
    public let keys: DirectionKeys
    public let encryptThenMac: Bool

    public init(cipher: RecordCipher, keys: DirectionKeys, encryptThenMac: Bool = false) {
        self.cipher = cipher
        self.keys = keys
        self.encryptThenMac = encryptThenMac
    }

    /// The client's or the server's writing side of an association.
    public init(_ secrets: SessionSecrets, writer: Role) throws {
        let keys = try RecordKeys(secrets)
        self.init(cipher: secrets.cipher, keys: writer == .client ? keys.client : keys.server,
                  encryptThenMac: secrets.encryptThenMac)
    }

    /// The protected fragment of a record with these header fields (the record's header is the caller's:
    /// DTLSWire's encoder builds it around this). `explicitIV` is for CBC; random when not given.
    public func protect(_ plaintext: [UInt8], contentType: UInt8, version: UInt16, epoch: UInt16, sequence: UInt64,
                        explicitIV: [UInt8]? = nil) throws -> [UInt8] {
        let number = Self.recordNumber(epoch: epoch, sequence: sequence)
        switch cipher.kind {
        case .gcm, .ccm:
            let explicit = Self.bigEndian(number, count: 8)
            let (ciphertext, tag) = try seal(plaintext, nonce: keys.fixedIV + explicit,
                                             aad: Self.additionalData(number, contentType, version, plaintext.count))
            return explicit + ciphertext + tag
        case .chacha20Poly1305:
            let (ciphertext, tag) = try seal(plaintext, nonce: chachaNonce(number),
                                             aad: Self.additionalData(number, contentType, version, plaintext.count))
            return ciphertext + tag
        case let .cbc(digest, _):
            let iv = explicitIV ?? Self.randomBytes(16)
            guard iv.count == 16 else { throw Failure(description: "a CBC record's IV is 16 bytes, not \(iv.count)") }
            if encryptThenMac {
                let encrypted = iv + (try cbc(Self.padded(plaintext), iv: iv, encrypt: true))
                let mac = try hmac(digest, Self.additionalData(number, contentType, version, encrypted.count) + encrypted)
                return encrypted + mac
            }
            let mac = try hmac(digest, Self.additionalData(number, contentType, version, plaintext.count) + plaintext)
            return iv + (try cbc(Self.padded(plaintext + mac), iv: iv, encrypt: true))
        }
    }

    /// The plaintext of a record's fragment; throws when its tag or MAC does not verify (a record the
    /// other side would discard).
    public func unprotect(_ fragment: [UInt8], contentType: UInt8, version: UInt16, epoch: UInt16,
                          sequence: UInt64) throws -> [UInt8] {
        let number = Self.recordNumber(epoch: epoch, sequence: sequence)
        let tagLength = cipher.tagLength
        switch cipher.kind {
        case .gcm, .ccm:
            guard fragment.count >= 8 + tagLength else { throw Failure(description: "record too short for its cipher") }
            let explicit = Array(fragment.prefix(8))
            let body = Array(fragment[8..<(fragment.count - tagLength)])
            return try open(body, tag: Array(fragment.suffix(tagLength)), nonce: keys.fixedIV + explicit,
                            aad: Self.additionalData(number, contentType, version, body.count))
        case .chacha20Poly1305:
            guard fragment.count >= tagLength else { throw Failure(description: "record too short for its cipher") }
            let body = Array(fragment.prefix(fragment.count - tagLength))
            return try open(body, tag: Array(fragment.suffix(tagLength)), nonce: chachaNonce(number),
                            aad: Self.additionalData(number, contentType, version, body.count))
        case let .cbc(digest, macLength):
            if encryptThenMac {
                guard fragment.count >= 32 + macLength, (fragment.count - macLength) % 16 == 0 else {
                    throw Failure(description: "record too short for its cipher")
                }
                let encrypted = Array(fragment.prefix(fragment.count - macLength))
                let expected = try hmac(digest, Self.additionalData(number, contentType, version, encrypted.count) + encrypted)
                guard Self.sameBytes(expected, Array(fragment.suffix(macLength))) else { throw Failure(description: "bad record MAC") }
                return try Self.unpadded(cbc(Array(encrypted.dropFirst(16)), iv: Array(encrypted.prefix(16)), encrypt: false))
            }
            guard fragment.count >= 32, fragment.count % 16 == 0 else { throw Failure(description: "record too short for its cipher") }
            let decrypted = try Self.unpadded(cbc(Array(fragment.dropFirst(16)), iv: Array(fragment.prefix(16)), encrypt: false))
            guard decrypted.count >= macLength else { throw Failure(description: "bad record MAC") }
            let plaintext = Array(decrypted.prefix(decrypted.count - macLength))
            let expected = try hmac(digest, Self.additionalData(number, contentType, version, plaintext.count) + plaintext)
            guard Self.sameBytes(expected, Array(decrypted.suffix(macLength))) else { throw Failure(description: "bad record MAC") }
            return plaintext
        }
    }

    /// The TLS 1.2 PRF of the association's suite over its master secret (RFC 5705 exporters, key blocks).
    public static func prf(_ secrets: SessionSecrets, label: String, seed: [UInt8], length: Int) throws -> [UInt8] {
        try TLS12PRF.derive(secret: secrets.masterSecret, label: label, seed: seed, length: length,
                            digest: secrets.cipher.prfDigest)
    }

    // MARK: - The record's numbers (RFC 6347 §4.1.2.1: epoch and sequence number as the 64-bit seq_num)

    static func recordNumber(epoch: UInt16, sequence: UInt64) -> UInt64 {
        UInt64(epoch) << 48 | (sequence & 0xFFFF_FFFF_FFFF)
    }

    /// seq_num + type + version + length (RFC 5246 §6.2.3.3).
    static func additionalData(_ number: UInt64, _ type: UInt8, _ version: UInt16, _ length: Int) -> [UInt8] {
        bigEndian(number, count: 8) + [type] + bigEndian(UInt64(version), count: 2) + bigEndian(UInt64(length), count: 2)
    }

    private func chachaNonce(_ number: UInt64) -> [UInt8] {
        let padded = [0, 0, 0, 0] + Self.bigEndian(number, count: 8)
        return zip(keys.fixedIV, padded).map { $0 ^ $1 }
    }

    static func bigEndian(_ value: UInt64, count: Int) -> [UInt8] {
        (0..<count).map { UInt8(truncatingIfNeeded: value >> (8 * UInt64(count - 1 - $0))) }
    }

    /// TLS CBC padding: n + 1 bytes of value n, to a whole block.
    static func padded(_ data: [UInt8]) -> [UInt8] {
        let padding = 15 - data.count % 16
        return data + [UInt8](repeating: UInt8(padding), count: padding + 1)
    }

    static func unpadded(_ data: [UInt8]) throws -> [UInt8] {
        guard let last = data.last, Int(last) < data.count,
              data.suffix(Int(last) + 1).allSatisfy({ $0 == last }) else {
            throw Failure(description: "bad record MAC")
        }
        return Array(data.prefix(data.count - Int(last) - 1))
    }

    static func sameBytes(_ a: [UInt8], _ b: [UInt8]) -> Bool {
        a.count == b.count && CRYPTO_memcmp(a, b, a.count) == 0
    }

    static func randomBytes(_ count: Int) -> [UInt8] {
        var bytes = [UInt8](repeating: 0, count: count)
        _ = RAND_bytes(&bytes, Int32(count))
        return bytes
    }

    // MARK: - OpenSSL's EVP

    private func withCipherContext<T>(_ body: (OpaquePointer, OpaquePointer) throws -> T) throws -> T {
        guard let evp = EVP_CIPHER_fetch(nil, cipher.evpName, nil) else {
            throw Failure(description: "OpenSSL has no \(cipher.evpName)")
        }
        defer { EVP_CIPHER_free(evp) }
        guard let context = EVP_CIPHER_CTX_new() else { throw Failure(description: "cannot create a cipher context") }
        defer { EVP_CIPHER_CTX_free(context) }
        return try body(context, evp)
    }

    private var isCCM: Bool {
        if case .ccm = cipher.kind { return true }
        return false
    }

    private func seal(_ plaintext: [UInt8], nonce: [UInt8], aad: [UInt8]) throws -> ([UInt8], [UInt8]) {
        try withCipherContext { context, evp in
            var length: Int32 = 0
            guard EVP_EncryptInit_ex(context, evp, nil, nil, nil) == 1,
                  EVP_CIPHER_CTX_ctrl(context, EVP_CTRL_AEAD_SET_IVLEN, Int32(nonce.count), nil) == 1,
                  !isCCM || EVP_CIPHER_CTX_ctrl(context, EVP_CTRL_AEAD_SET_TAG, Int32(cipher.tagLength), nil) == 1,
                  EVP_EncryptInit_ex(context, nil, nil, keys.key, nonce) == 1,
                  !isCCM || EVP_EncryptUpdate(context, nil, &length, nil, Int32(plaintext.count)) == 1,
                  EVP_EncryptUpdate(context, nil, &length, aad, Int32(aad.count)) == 1 else {
                throw Failure(description: "\(cipher.evpName): cannot set up encryption")
            }
            var output = [UInt8](repeating: 0, count: plaintext.count + 16)
            var written: Int32 = 0
            var final: Int32 = 0
            guard EVP_EncryptUpdate(context, &output, &written, plaintext, Int32(plaintext.count)) == 1,
                  output.withUnsafeMutableBufferPointer({ EVP_EncryptFinal_ex(context, $0.baseAddress! + Int(written), &final) }) == 1 else {
                throw Failure(description: "\(cipher.evpName): encryption failed")
            }
            var tag = [UInt8](repeating: 0, count: cipher.tagLength)
            guard EVP_CIPHER_CTX_ctrl(context, EVP_CTRL_AEAD_GET_TAG, Int32(tag.count), &tag) == 1 else {
                throw Failure(description: "\(cipher.evpName): no tag")
            }
            return (Array(output.prefix(Int(written + final))), tag)
        }
    }

    private func open(_ ciphertext: [UInt8], tag: [UInt8], nonce: [UInt8], aad: [UInt8]) throws -> [UInt8] {
        try withCipherContext { context, evp in
            var length: Int32 = 0
            var tag = tag
            guard EVP_DecryptInit_ex(context, evp, nil, nil, nil) == 1,
                  EVP_CIPHER_CTX_ctrl(context, EVP_CTRL_AEAD_SET_IVLEN, Int32(nonce.count), nil) == 1,
                  !isCCM || EVP_CIPHER_CTX_ctrl(context, EVP_CTRL_AEAD_SET_TAG, Int32(tag.count), &tag) == 1,
                  EVP_DecryptInit_ex(context, nil, nil, keys.key, nonce) == 1,
                  !isCCM || EVP_DecryptUpdate(context, nil, &length, nil, Int32(ciphertext.count)) == 1,
                  EVP_DecryptUpdate(context, nil, &length, aad, Int32(aad.count)) == 1 else {
                throw Failure(description: "\(cipher.evpName): cannot set up decryption")
            }
            var output = [UInt8](repeating: 0, count: ciphertext.count + 16)
            var written: Int32 = 0
            let updated = EVP_DecryptUpdate(context, &output, &written, ciphertext, Int32(ciphertext.count))
            if isCCM {
                // CCM checks the tag in the update itself and has no final step.
                guard updated == 1 else { throw Failure(description: "bad record MAC") }
                return Array(output.prefix(Int(written)))
            }
            guard updated == 1, EVP_CIPHER_CTX_ctrl(context, EVP_CTRL_AEAD_SET_TAG, Int32(tag.count), &tag) == 1 else {
                throw Failure(description: "bad record MAC")
            }
            var final: Int32 = 0
            guard output.withUnsafeMutableBufferPointer({ EVP_DecryptFinal_ex(context, $0.baseAddress! + Int(written), &final) }) == 1 else {
                throw Failure(description: "bad record MAC")
            }
            return Array(output.prefix(Int(written + final)))
        }
    }

    private func cbc(_ data: [UInt8], iv: [UInt8], encrypt: Bool) throws -> [UInt8] {
        try withCipherContext { context, evp in
            guard EVP_CipherInit_ex(context, evp, nil, keys.key, iv, encrypt ? 1 : 0) == 1,
                  EVP_CIPHER_CTX_set_padding(context, 0) == 1 else {
                throw Failure(description: "\(cipher.evpName): cannot set up")
            }
            var output = [UInt8](repeating: 0, count: data.count + 16)
            var written: Int32 = 0
            var final: Int32 = 0
            guard EVP_CipherUpdate(context, &output, &written, data, Int32(data.count)) == 1,
                  output.withUnsafeMutableBufferPointer({ EVP_CipherFinal_ex(context, $0.baseAddress! + Int(written), &final) }) == 1 else {
                throw Failure(description: "\(cipher.evpName): the data is not whole blocks")
            }
            return Array(output.prefix(Int(written + final)))
        }
    }

    private func hmac(_ digest: String, _ data: [UInt8]) throws -> [UInt8] {
        guard let md = EVP_get_digestbyname(digest) else { throw Failure(description: "OpenSSL has no \(digest)") }
        var output = [UInt8](repeating: 0, count: Int(EVP_MAX_MD_SIZE))
        var length: UInt32 = 0
        guard HMAC(md, keys.macKey, Int32(keys.macKey.count), data, data.count, &output, &length) != nil else {
            throw Failure(description: "HMAC-\(digest) failed")
        }
        return Array(output.prefix(Int(length)))
    }
}
