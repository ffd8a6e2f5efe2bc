internal import COpenSSL
import DTLSWire
import Glibc

/// What OpenSSL reports about one SSL, read without changing it: here so that
/// the connection stays the only code that touches its `SSL`. Names come back
/// as Swift strings; the peer decides what to show.
extension DTLSConnection {
    /// `SSL_state_string_long`: "SSLv3/TLS write client hello", "SSL negotiation finished successfully", …
    var stateDescription: String { String(cString: stateName) }

    /// The handshake is done, as OpenSSL's state machine says.
    var initFinished: Bool { SSL_is_init_finished(ssl) == 1 }

    /// OpenSSL's static name of the version in use ("DTLSv1.2").
    var versionName: UnsafePointer<CChar> { SSL_get_version(ssl) }

    /// OpenSSL's static name of the suite in use; nil before one is chosen.
    var cipherName: UnsafePointer<CChar>? { SSL_get_current_cipher(ssl).flatMap(SSL_CIPHER_get_name) }

    /// The version a server read in the client's hello; nil on a client or before.
    var clientHelloVersion: Int32? {
        let v = SSL_client_version(ssl)
        return v == 0 ? nil : v
    }

    /// The suites the client's hello offered, by OpenSSL's names (those it knows).
    var clientHelloCiphers: [String] { SSL_get_client_ciphers(ssl).map(Self.names) ?? [] }

    /// The suites this side allows, in its order of preference.
    var ownCiphers: [String] { SSL_get_ciphers(ssl).map(Self.names) ?? [] }

    /// Why verification refused the peer's certificate; nil when it did not.
    var verifyFailure: String? {
        let r = SSL_get_verify_result(ssl)
        return r == X509_V_OK ? nil : String(cString: X509_verify_cert_error_string(r))
    }

    /// Verification found nothing wrong (or did not run).
    var verifyPassed: Bool { SSL_get_verify_result(ssl) == X509_V_OK }

    /// OpenSSL's security level for this SSL (0–5).
    var securityLevel: Int { Int(SSL_get_security_level(ssl)) }

    /// Decrypted bytes OpenSSL holds that a read has not handed out.
    var pendingPlaintext: Int { Int(SSL_pending(ssl)) }

    /// The use_srtp profile negotiated, if any.
    var srtpProfile: String? {
        guard let p = SSL_get_selected_srtp_profile(ssl), let n = p.pointee.name else { return nil }
        return String(cString: n)
    }

    /// The largest application message one record can carry (0 before a cipher).
    var dataMTU: Int { Int(DTLS_get_data_mtu(ssl)) }

    /// Bytes a record adds to its plaintext beyond the header under the
    /// cipher in force, as DTLS_get_data_mtu subtracts them; nil before a cipher.
    var recordOverhead: Int? {
        guard let cipher = SSL_get_current_cipher(ssl) else { return nil }
        if SSL_CIPHER_is_aead(cipher) == 1 {
            // Explicit nonce and tag, without the lookups: 8 + 16 for GCM and
            // CCM, 8 + 8 for CCM8, 0 + 16 for ChaCha20-Poly1305.
            let short = SSL_CIPHER_get_name(cipher).map { strstr($0, "CCM8") != nil || strstr($0, "CHACHA20") != nil } ?? false
            return short ? 16 : 24
        }
        let data = dataMTU
        return data > 0 ? mtu - RecordHeader.length - data : nil
    }

    /// The fewest bytes a record protected by the suite in force can hold
    /// (beyond its header), whatever the MTU; nil before a suite. AEAD: the
    /// explicit nonce and tag. CBC: an explicit IV, then the MAC and at least
    /// one padding byte in whole blocks; with encrypt-then-MAC a record is
    /// longer still, so this is the least either way. `recordOverhead` will
    /// not do here: it is what DTLS_get_data_mtu leaves, rounded to blocks at
    /// this MTU, up to a block minus one more than the cipher's own.
    var smallestProtectedRecord: Int? {
        guard let cipher = SSL_get_current_cipher(ssl) else { return nil }
        if SSL_CIPHER_is_aead(cipher) == 1 { return recordOverhead }
        let mac = SSL_CIPHER_get_digest_nid(cipher)
        guard mac != NID_undef, let digest = EVP_get_digestbyname(OBJ_nid2sn(mac)) else { return recordOverhead }
        let macLength = Int(EVP_MD_get_size(digest))
        let nid = SSL_CIPHER_get_cipher_nid(cipher)
        // A NULL cipher: the MAC alone.
        guard nid != NID_undef else { return macLength }
        guard let evp = EVP_get_cipherbyname(OBJ_nid2sn(nid)) else { return recordOverhead }
        let block = max(1, Int(EVP_CIPHER_get_block_size(evp)))
        let iv = block > 1 ? block : 0
        return iv + (macLength + (block > 1 ? 1 : 0) + block - 1) / block * block
    }

    /// Records OpenSSL holds unread: the rest of the last datagram, or
    /// records of the next epoch it buffered.
    var hasPendingRecords: Bool { SSL_has_pending(ssl) == 1 }

    /// The protocol version agreed, as records carry it.
    var negotiatedVersion: UInt16 { UInt16(truncatingIfNeeded: SSL_version(ssl)) }

    private static func names(_ stack: OpaquePointer) -> [String] {
        let n = COpenSSL_sk_SSL_CIPHER_num(stack)
        guard n > 0 else { return [] }
        return (0..<n).compactMap { i in
            COpenSSL_sk_SSL_CIPHER_value(stack, i).flatMap(SSL_CIPHER_get_name).map { String(cString: $0) }
        }
    }
}
