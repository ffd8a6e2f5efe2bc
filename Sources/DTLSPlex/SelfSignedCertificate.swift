import DTLSWire
internal import COpenSSL

/// The in-memory ECDSA P-256 certificate every context uses unless given
/// files: made once per process, so `dtlsh` works with no files at all.
final class SelfSignedCertificate: @unchecked Sendable {
    // Immutable after init and only ever passed to OpenSSL, which refcounts them.
    let certificate: OpaquePointer
    let key: OpaquePointer
    let sha256Fingerprint: String

    static let shared: SelfSignedCertificate? = try? SelfSignedCertificate(commonName: "dtlsh")

    init(commonName: String) throws {
        guard let kctx = EVP_PKEY_CTX_new_from_name(nil, "EC", nil) else { throw OpenSSLError.drain("EVP_PKEY_CTX_new") }
        defer { EVP_PKEY_CTX_free(kctx) }
        var pkey: OpaquePointer?
        guard EVP_PKEY_keygen_init(kctx) == 1, EVP_PKEY_CTX_set_group_name(kctx, "P-256") == 1,
              EVP_PKEY_generate(kctx, &pkey) == 1, let pkey
        else { throw OpenSSLError.drain("P-256 key generation") }
        guard let x = X509_new() else {
            EVP_PKEY_free(pkey)
            throw OpenSSLError.drain("X509_new")
        }
        X509_set_version(x, 2)
        var serial = [UInt8](repeating: 0, count: 8)
        RAND_bytes(&serial, Int32(serial.count))
        ASN1_INTEGER_set(X509_get_serialNumber(x), Int(serial.withUnsafeBytes { $0.load(as: UInt32.self) } >> 1))
        X509_gmtime_adj(X509_getm_notBefore(x), -3600)
        X509_gmtime_adj(X509_getm_notAfter(x), 365 * 86400)
        X509_set_pubkey(x, pkey)
        let name = X509_get_subject_name(x)
        X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_ASC, commonName, -1, -1, 0)
        X509_set_issuer_name(x, name)
        guard X509_sign(x, pkey, EVP_sha256()) > 0 else {
            X509_free(x)
            EVP_PKEY_free(pkey)
            throw OpenSSLError.drain("X509_sign")
        }
        self.certificate = x
        self.key = pkey
        self.sha256Fingerprint = Self.fingerprint(x)
    }

    static func fingerprint(_ x: OpaquePointer) -> String {
        var md = [UInt8](repeating: 0, count: Int(EVP_MAX_MD_SIZE))
        var length: UInt32 = 0
        guard X509_digest(x, EVP_sha256(), &md, &length) == 1 else { return "?" }
        return md.prefix(Int(length)).map { Hex.encode([$0]).uppercased() }.joined(separator: ":")
    }

    deinit {
        X509_free(certificate)
        EVP_PKEY_free(key)
    }
}
