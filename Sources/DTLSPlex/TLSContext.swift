internal import COpenSSL
import Glibc

/// Owns one `SSL_CTX` for one role, built from a `TLSConfiguration`. The C
/// callbacks find their way back here through the context's app data.
final class TLSContext {
    let ctx: OpaquePointer
    let role: Role
    let configuration: TLSConfiguration
    /// The retransmission timer's first length and cap in microseconds, as
    /// the timer callback wants them: it runs at every handshake, and reading
    /// them through `configuration` would copy the whole configuration.
    let timerInitialMicroseconds: UInt32
    let timerCapMicroseconds: UInt32
    /// Set by the engine for server contexts: makes and checks cookies. The
    /// engine owns the jar and outlives every DTLSv1_listen it calls.
    unowned(unsafe) var cookieJar: CookieJar?
    /// The PSK as C bytes, for the server callback: once per handshake it
    /// compares an identity and copies a key, with no Swift strings or arrays.
    private let pskIdentity: UnsafeMutablePointer<CChar>?
    private let pskKey: UnsafeMutableBufferPointer<UInt8>?
    /// Receives NSS key log lines when the user asked for a key log. The
    /// callback is installed only then: with one set, OpenSSL formats every
    /// secret of every handshake as hex through sprintf.
    var keyLog: ((String) -> Void)? {
        didSet { SSL_CTX_set_keylog_callback(ctx, keyLog == nil ? nil : keyLogCallback) }
    }

    init(role: Role, configuration: TLSConfiguration) throws {
        guard let ctx = SSL_CTX_new(DTLS_method()) else { throw OpenSSLError.drain("SSL_CTX_new") }
        self.ctx = ctx
        self.role = role
        self.configuration = configuration
        // Never under 15 ms: OpenSSL counts anything shorter as already expired (notes §3).
        let cap = UInt32(max(15, min(configuration.timerMaxMilliseconds ?? 60_000, 60_000))) * 1000
        self.timerCapMicroseconds = cap
        self.timerInitialMicroseconds = min(UInt32(max(15, min(configuration.timerInitialMilliseconds ?? 1000, 60_000))) * 1000, cap)
        // An identity with a NUL in it could never arrive whole: it matches nothing.
        self.pskIdentity = configuration.psk.flatMap { $0.identity.utf8.contains(0) ? nil : strdup($0.identity) }
        self.pskKey = configuration.psk.map { psk in
            let key = UnsafeMutableBufferPointer<UInt8>.allocate(capacity: psk.key.count)
            _ = key.initialize(from: psk.key)
            return key
        }
        COpenSSL_SSL_CTX_set_app_data(ctx, Unmanaged.passUnretained(self).toOpaque())
        // On a throw, deinit still runs (every property is set) and frees ctx.
        try configure()
    }

    deinit {
        SSL_CTX_free(ctx)
        free(pskIdentity)
        pskKey?.deallocate()
    }

    /// OpenSSL's static C strings seen so far (version and suite names),
    /// each as the String it was converted to once: every established peer's
    /// event names both. Few: one per version and suite negotiated.
    @exclusivity(unchecked) private var staticNames: [(UnsafePointer<CChar>, String)] = []

    /// `String(cString: name)` for a string OpenSSL keeps for the life of the
    /// process (SSL_get_version, SSL_CIPHER_get_name).
    func staticName(_ name: UnsafePointer<CChar>) -> String {
        for (known, string) in staticNames where known == name { return string }
        let string = String(cString: name)
        if staticNames.count < 32 { staticNames.append((name, string)) }
        return string
    }

    static func from(_ ssl: OpaquePointer?) -> TLSContext? { with(ssl) { $0 } }

    /// Runs `body` with the SSL's context and no retain/release around it:
    /// the app data is unretained, but every peer holds its context, so it
    /// is alive while any of its SSLs runs.
    static func with<R>(_ ssl: OpaquePointer?, _ body: (TLSContext) -> R?) -> R? {
        guard let ssl, let ctx = SSL_get_SSL_CTX(ssl), let data = COpenSSL_SSL_CTX_get_app_data(ctx) else { return nil }
        return Unmanaged<TLSContext>.fromOpaque(data)._withUnsafeGuaranteedRef(body)
    }

    /// The server's side of a PSK handshake: the key if `identity` is ours.
    func copyPSK(for identity: UnsafePointer<CChar>, into psk: UnsafeMutablePointer<UInt8>, max: Int) -> Int {
        guard let pskIdentity, let pskKey, strcmp(identity, pskIdentity) == 0, pskKey.count <= max else { return 0 }
        if let key = pskKey.baseAddress { psk.update(from: key, count: pskKey.count) }
        return pskKey.count
    }

    private func configure() throws {
        let c = configuration
        // No MTU discovery through the BIO (we set it), no tickets, no renegotiation.
        SSL_CTX_set_options(ctx, COpenSSL_SSL_OP_NO_QUERY_MTU() | COpenSSL_SSL_OP_NO_TICKET()
                                 | COpenSSL_SSL_OP_NO_RENEGOTIATION())
        switch c.version {
        case .dtls1_2:
            COpenSSL_SSL_CTX_set_min_proto_version(ctx, DTLS1_2_VERSION)
            COpenSSL_SSL_CTX_set_max_proto_version(ctx, DTLS1_2_VERSION)
        case .dtls1_0:
            COpenSSL_SSL_CTX_set_min_proto_version(ctx, DTLS1_VERSION)
            COpenSSL_SSL_CTX_set_max_proto_version(ctx, DTLS1_VERSION)
        case .any:
            COpenSSL_SSL_CTX_set_min_proto_version(ctx, DTLS1_VERSION)
            COpenSSL_SSL_CTX_set_max_proto_version(ctx, 0)
        }
        if role == .client && c.sessionTickets {
            SSL_CTX_clear_options(ctx, COpenSSL_SSL_OP_NO_TICKET())
        }
        if role == .server {
            COpenSSL_SSL_CTX_set_session_cache_mode(ctx, Int(SSL_SESS_CACHE_OFF))
            // A server given a PSK means to use it, whatever the client lists first.
            if c.psk != nil && c.ciphers == nil {
                SSL_CTX_set_options(ctx, COpenSSL_SSL_OP_CIPHER_SERVER_PREFERENCE())
            }
        }
        ERR_clear_error()
        guard SSL_CTX_set_cipher_list(ctx, c.cipherList(for: role)) == 1 else {
            _ = OpenSSLError.drainQueue()
            let hint = c.insecure ? "" : " (anonymous and NULL suites need the insecure switch)"
            throw ConfigurationError.invalid("ciphers", c.ciphers ?? c.cipherList(for: role), "OpenSSL matched no usable cipher" + hint)
        }
        // The generated certificate only where a suite can use one: with it,
        // OpenSSL checks the chain on every handshake, a PSK one included
        // (about 5 % of a PSK-only server's handshake).
        if case .generated = c.certificate, !anySuiteUsesCertificates() {
            // Nothing to present: PSK or anonymous suites only.
        } else {
            try useCertificate()
        }
        if c.verifiesPeer {
            if let ca = c.caFile {
                try Self.requireRegularFile(ca, "CA file")
                guard SSL_CTX_load_verify_locations(ctx, ca, nil) == 1 else {
                    throw ConfigurationError.invalid("CA file", ca, OpenSSLError.drain("load").reason ?? "unreadable")
                }
            }
            let mode = role == .server ? SSL_VERIFY_PEER | SSL_VERIFY_FAIL_IF_NO_PEER_CERT : SSL_VERIFY_PEER
            SSL_CTX_set_verify(ctx, mode, nil)
        } else {
            SSL_CTX_set_verify(ctx, SSL_VERIFY_NONE, nil)
        }
        if let profiles = c.srtpProfiles {
            // Returns 0 on success, unlike most of OpenSSL.
            guard SSL_CTX_set_tlsext_use_srtp(ctx, profiles) == 0 else {
                throw ConfigurationError.invalid("srtp profiles", profiles, "OpenSSL knows none of them")
            }
        }
        if c.insecure && role == .server {
            // Anonymous DH needs parameters; OpenSSL picks them by key size.
            COpenSSL_SSL_CTX_set_dh_auto(ctx, 1)
        }
        if c.psk != nil {
            switch role {
            case .client: SSL_CTX_set_psk_client_callback(ctx, pskClientCallback)
            case .server: SSL_CTX_set_psk_server_callback(ctx, pskServerCallback)
            }
        }
        if role == .server {
            // OpenSSL 3.0 answers a record that fails its Encrypt-then-MAC check
            // with a fatal bad_record_mac (openssl#24972): one forged datagram
            // from a client's address would end a CBC association. Without
            // EtM (a server-side choice; AEAD suites never use it) such a
            // record is discarded, as RFC 6347 §4.1.2.7 asks.
            SSL_CTX_set_options(ctx, COpenSSL_SSL_OP_NO_ENCRYPT_THEN_MAC())
            SSL_CTX_set_cookie_generate_cb(ctx, cookieGenerateCallback)
            SSL_CTX_set_cookie_verify_cb(ctx, cookieVerifyCallback)
        }
    }

    /// Whether any suite of the context authenticates with a certificate.
    private func anySuiteUsesCertificates() -> Bool {
        guard let suites = SSL_CTX_get_ciphers(ctx) else { return true }
        for i in 0..<COpenSSL_sk_SSL_CIPHER_num(suites) {
            guard let suite = COpenSSL_sk_SSL_CIPHER_value(suites, i) else { continue }
            let auth = SSL_CIPHER_get_auth_nid(suite)
            // The list always carries OpenSSL's TLS 1.3 suites (auth "any"),
            // which DTLS 1.2 never negotiates: they want no certificate.
            if auth != NID_auth_psk && auth != NID_auth_null && auth != NID_auth_any { return true }
        }
        return false
    }

    private func useCertificate() throws {
        switch configuration.certificate {
        case .generated:
            guard let shared = SelfSignedCertificate.shared else {
                throw ConfigurationError.invalid("certificate", "generated", "could not make a P-256 certificate")
            }
            SSL_CTX_use_certificate(ctx, shared.certificate)
            SSL_CTX_use_PrivateKey(ctx, shared.key)
        case let .files(cert, key):
            try Self.requireRegularFile(cert, "certificate file")
            try Self.requireRegularFile(key, "key file")
            ERR_clear_error()
            guard SSL_CTX_use_certificate_chain_file(ctx, cert) == 1 else {
                throw ConfigurationError.invalid("certificate file", cert,
                                                 OpenSSLError.drain("load").reason ?? "unreadable")
            }
            guard SSL_CTX_use_PrivateKey_file(ctx, key, SSL_FILETYPE_PEM) == 1 else {
                throw ConfigurationError.invalid("key file", key, OpenSSLError.drain("load").reason ?? "unreadable")
            }
            guard SSL_CTX_check_private_key(ctx) == 1 else {
                throw ConfigurationError.invalid("key file", key, "does not match the certificate")
            }
        }
    }

    /// OpenSSL opens credential files with fopen: a FIFO would block it
    /// forever and a device could feed it without end. A missing file is left
    /// for OpenSSL to report.
    private static func requireRegularFile(_ path: String, _ what: String) throws {
        var st = stat()
        guard stat(path, &st) == 0 else { return }
        guard (st.st_mode & S_IFMT) == S_IFREG else { throw ConfigurationError.invalid(what, path, "not a regular file") }
    }

    /// The certificate this context presents, as a SHA-256 fingerprint.
    var certificateFingerprint: String? {
        guard let x = SSL_CTX_get0_certificate(ctx) else { return nil }
        return SelfSignedCertificate.fingerprint(x)
    }
}

// MARK: - C callbacks (no captures: everything comes back through the SSL)

private func pskClientCallback(
    _ ssl: OpaquePointer?, _ hint: UnsafePointer<CChar>?, _ identity: UnsafeMutablePointer<CChar>?,
    _ maxIdentity: UInt32, _ psk: UnsafeMutablePointer<UInt8>?, _ maxPSK: UInt32
) -> UInt32 {
    guard let context = TLSContext.from(ssl), let key = context.configuration.psk, let identity, let psk else { return 0 }
    let id = Array(key.identity.utf8)
    // max_identity_len leaves room for the terminating NUL.
    guard id.count < Int(maxIdentity), key.key.count <= Int(maxPSK) else { return 0 }
    id.withUnsafeBytes { UnsafeMutableRawPointer(identity).copyMemory(from: $0.baseAddress!, byteCount: id.count) }
    identity[id.count] = 0
    key.key.withUnsafeBytes { UnsafeMutableRawPointer(psk).copyMemory(from: $0.baseAddress!, byteCount: key.key.count) }
    return UInt32(key.key.count)
}

private func pskServerCallback(
    _ ssl: OpaquePointer?, _ identity: UnsafePointer<CChar>?, _ psk: UnsafeMutablePointer<UInt8>?, _ maxPSK: UInt32
) -> UInt32 {
    guard let identity, let psk else { return 0 }
    // An unknown identity returns 0: OpenSSL answers with unknown_psk_identity.
    return UInt32(TLSContext.with(ssl) { $0.copyPSK(for: identity, into: psk, max: Int(maxPSK)) } ?? 0)
}

private func keyLogCallback(_ ssl: OpaquePointer?, _ line: UnsafePointer<CChar>?) {
    guard let context = TLSContext.from(ssl), let sink = context.keyLog, let line else { return }
    sink(String(cString: line))
}

private func cookieGenerateCallback(
    _ ssl: OpaquePointer?, _ cookie: UnsafeMutablePointer<UInt8>?, _ length: UnsafeMutablePointer<UInt32>?
) -> Int32 {
    guard let cookie, let length, let source = DatagramBIO.with(SSL_get_rbio(ssl), { $0.source }) else { return 0 }
    let made: Bool? = TLSContext.with(ssl) { context in
        guard let jar = context.cookieJar else { return nil }
        // OpenSSL's buffer holds DTLS1_COOKIE_LENGTH (255) bytes; ours are 32.
        jar.writeCookie(for: source, to: cookie)
        return true
    }
    guard made == true else { return 0 }
    length.pointee = UInt32(CookieJar.length)
    return 1
}

private func cookieVerifyCallback(_ ssl: OpaquePointer?, _ cookie: UnsafePointer<UInt8>?, _ length: UInt32) -> Int32 {
    guard let cookie, let source = DatagramBIO.with(SSL_get_rbio(ssl), { $0.source }) else { return 0 }
    let ok: Bool? = TLSContext.with(ssl) { context in
        guard let jar = context.cookieJar else { return nil }
        let ok = jar.verify(UnsafeRawBufferPointer(start: cookie, count: Int(length)), for: source)
        jar.lastVerification = ok
        return ok
    }
    return ok == true ? 1 : 0
}
