internal import COpenSSL

/// The TLS 1.2 pseudo-random function (RFC 5246 §5), P_hash over the suite's PRF digest, from OpenSSL's
/// own implementation (the "TLS1-PRF" KDF) rather than written again.
enum TLS12PRF {
    struct Failure: Error, CustomStringConvertible {
        let description: String
    }

    static func derive(secret: [UInt8], label: String, seed: [UInt8], length: Int, digest: String) throws -> [UInt8] {
        guard let kdf = EVP_KDF_fetch(nil, "TLS1-PRF", nil) else { throw Failure(description: "OpenSSL has no TLS1-PRF") }
        defer { EVP_KDF_free(kdf) }
        guard let context = EVP_KDF_CTX_new(kdf) else { throw Failure(description: "cannot create a TLS1-PRF context") }
        defer { EVP_KDF_CTX_free(context) }
        var secret = secret
        var labelledSeed = Array(label.utf8) + seed
        var digestName = Array(digest.utf8CString)
        var output = [UInt8](repeating: 0, count: length)
        let status = secret.withUnsafeMutableBytes { secretBytes in
            labelledSeed.withUnsafeMutableBytes { seedBytes in
                digestName.withUnsafeMutableBufferPointer { name in
                    "digest".withCString { digestKey in
                        "secret".withCString { secretKey in
                            "seed".withCString { seedKey in
                                let parameters = [
                                    OSSL_PARAM_construct_utf8_string(digestKey, name.baseAddress, 0),
                                    OSSL_PARAM_construct_octet_string(secretKey, secretBytes.baseAddress, secretBytes.count),
                                    OSSL_PARAM_construct_octet_string(seedKey, seedBytes.baseAddress, seedBytes.count),
                                    OSSL_PARAM_construct_end(),
                                ]
                                return parameters.withUnsafeBufferPointer {
                                    EVP_KDF_derive(context, &output, length, $0.baseAddress)
                                }
                            }
                        }
                    }
                }
            }
        }
        guard status == 1 else { throw Failure(description: "TLS1-PRF with \(digest) failed") }
        return output
    }
}
