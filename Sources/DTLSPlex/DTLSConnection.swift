internal import CClock
internal import COpenSSL
import Glibc

/// The one owner of a peer's `SSL`: the only code that drives it
/// (SSL_do_handshake, SSL_read, SSL_write, SSL_shutdown, DTLSv1_listen, the
/// retransmission timer) and reads SSL_get_error. Each call comes back as an
/// `SSLOutcome`, failures with OpenSSL's queue drained into them, so nothing
/// above this file sees an OpenSSL integer or keeps the error queue's books.
/// A class, as in swift-nio-ssl: OpenSSL calls back into the peer while the
/// connection is inside a call, and a shared object stays sound under that.
final class DTLSConnection {
    let ssl: OpaquePointer
    /// The SSL's transport, for reading and writing: SSL_free frees it.
    let bio: DatagramBIO
    /// The engine's, and the engine outlives its peers: unretained, and used
    /// through `withErrors` (an unowned(unsafe) reference is still retained
    /// and released around each use: at every read and write).
    private let errors: Unmanaged<OpenSSLErrorQueue>
    /// The datagram payload limit set with SSL_set_mtu.
    let mtu: Int

    /// Microseconds this SSL's clock runs behind the wall clock: what time
    /// stood still for it in manual mode (`holdTime`). Every OpenSSL call
    /// below runs on that clock, so its deadlines and DTLSv1_get_timeout agree.
    @exclusivity(unchecked) private(set) var clockLag: Int64 = 0

    /// OpenSSL's record buffers were given back while the peer was idle.
    @exclusivity(unchecked) private(set) var buffersReleased = false

    /// `overhead`: IP and UDP header bytes towards the peer (see `DatagramBIO`).
    init(context: TLSContext, role: Role, overhead: Int, mtu: Int, errors: OpenSSLErrorQueue) throws {
        guard let ssl = SSL_new(context.ctx) else { throw OpenSSLError.drain("SSL_new") }
        self.ssl = ssl
        self.bio = DatagramBIO(overhead: overhead)
        self.errors = Unmanaged.passUnretained(errors)
        self.mtu = mtu
        SSL_set_bio(ssl, bio.bio, bio.bio)
        SSL_set_options(ssl, COpenSSL_SSL_OP_NO_QUERY_MTU())
        COpenSSL_SSL_set_mtu(ssl, mtu)
        // A DTLS record never exceeds the MTU, so a 16 KB write buffer is
        // 15 KB of waste per peer (notes §7). Idle peers give both buffers
        // back (`releaseBuffers`).
        SSL_ctrl(ssl, SSL_CTRL_SET_MAX_SEND_FRAGMENT, max(512, min(16_384, mtu)), nil)
        // Always ours, even at OpenSSL's own 1 s doubling to 60 s: it records each timer's length, which a
        // trace shows ("armed: 1 s", not what was left of it when read).
        DTLS_set_timer_cb(ssl, connectionTimerCallback)
        switch role {
        case .client: SSL_set_connect_state(ssl)
        case .server: SSL_set_accept_state(ssl)
        }
    }

    deinit { SSL_free(ssl) }

    /// OpenSSL's message callback, with the object it is for (unretained:
    /// the owner holds this connection).
    func followMessages(_ callback: SSLMessageCallback, argument: UnsafeMutableRawPointer) {
        SSL_set_msg_callback(ssl, callback)
        COpenSSL_SSL_set_msg_callback_arg(ssl, argument)
    }

    /// OpenSSL's name for where the handshake stands (a static string).
    var stateName: UnsafePointer<CChar> { SSL_state_string_long(ssl)! }

    // MARK: - Driving

    /// One SSL_do_handshake: `.progressed` once it is done. `fresh`: the
    /// call may follow any other OpenSSL call (a step by hand), so the error
    /// queue is cleared whatever the books say.
    func handshake(fresh: Bool) -> (returned: Int32, outcome: SSLOutcome) {
        withErrors { $0.prepare(fresh: fresh) }
        let r = onOwnClock { SSL_do_handshake(ssl) }
        let code = SSL_get_error(ssl, r)
        // WANT_READ means the queue was empty (SSL_get_error looks there
        // first); a finished handshake may have left notes behind.
        withErrors { $0.knownEmpty = code == SSL_ERROR_WANT_READ || code == SSL_ERROR_WANT_WRITE }
        if r == 1 { return (r, .progressed) }
        switch code {
        case SSL_ERROR_WANT_READ: return (r, .wantsRead)
        case SSL_ERROR_WANT_WRITE: return (r, .wantsWrite)
        default: return (r, .failed(OpenSSLError.drain("SSL_do_handshake", sslError: code)))
        }
    }

    /// One SSL_read into `buffer`: `.progressed` with the message's length
    /// as `returned`. A close_notify is answered here, as OpenSSL's own
    /// shutdown would, and comes back as `.closed`. `fresh` as for `handshake`.
    /// Inlined into the engine's read pass: called twice a record, its call
    /// and the outcome returned through memory showed in a profile.
    @inline(__always)
    func read(into buffer: UnsafeMutableRawPointer, capacity: Int32, fresh: Bool) -> (returned: Int32, outcome: SSLOutcome) {
        withErrors { $0.prepare(fresh: fresh) }
        let n = onOwnClock { SSL_read(ssl, buffer, capacity) }
        if n > 0 { return (n, .progressed) }
        let code = SSL_get_error(ssl, n)
        switch code {
        case SSL_ERROR_WANT_READ, SSL_ERROR_WANT_WRITE:
            // SSL_get_error says WANT_READ only when the queue is empty.
            withErrors { $0.knownEmpty = true }
            return (n, code == SSL_ERROR_WANT_READ ? .wantsRead : .wantsWrite)
        case SSL_ERROR_ZERO_RETURN:
            OpenSSLError.clearQueue()
            _ = onOwnClock { SSL_shutdown(ssl) }
            withErrors { $0.knownEmpty = false }
            return (n, .closed)
        default:
            withErrors { $0.knownEmpty = false }
            return (n, .failed(OpenSSLError.drain("SSL_read", sslError: code)))
        }
    }

    /// One SSL_write: one application message, one record. `fresh` as for
    /// `handshake`; an answer from inside a read pass follows a successful
    /// read, so the queue is known to be empty there. Inlined into the
    /// engine's send, once a record, as `read` is.
    @inline(__always)
    func write(_ bytes: UnsafeRawBufferPointer, fresh: Bool) -> SSLOutcome {
        withErrors { $0.prepare(fresh: fresh) }
        let n = onOwnClock { SSL_write(ssl, bytes.baseAddress, Int32(bytes.count)) }
        guard n > 0 else {
            withErrors { $0.knownEmpty = false }
            return .failed(OpenSSLError.drain("SSL_write", sslError: SSL_get_error(ssl, n)))
        }
        return .progressed
    }

    /// close_notify, once: on UDP nobody waits for the answer (notes §7).
    /// Nothing is said when OpenSSL's buffers cannot be made again.
    func shutdown() {
        OpenSSLError.clearQueue()
        if ensureBuffers() { _ = onOwnClock { SSL_shutdown(ssl) } }
        withErrors { $0.knownEmpty = false }
    }

    /// What DTLSv1_listen made of the datagram in the listener's BIO.
    enum ListenOutcome {
        /// The ClientHello carried a valid cookie: the SSL holds it, ready to go on.
        case verified
        /// Answered with a HelloVerifyRequest, or discarded.
        case answered
        case failed(OpenSSLError)
    }

    /// DTLSv1_listen on the listener's SSL; `address` receives the client's
    /// (which the engine already knows).
    func listen(writingAddressTo address: OpaquePointer) -> ListenOutcome {
        withErrors { $0.prepare(fresh: false) }
        let r = DTLSv1_listen(ssl, address)
        withErrors { $0.knownEmpty = false }
        switch r {
        case 1: return .verified
        case 0: return .answered
        default: return .failed(OpenSSLError.drain("DTLSv1_listen", sslError: SSL_get_error(ssl, Int32(r))))
        }
    }

    // MARK: - The retransmission timer

    /// Seconds until OpenSSL wants to resend its last flight, when armed.
    var retransmissionTimeout: Double? {
        var tv = timeval()
        guard onOwnClock({ COpenSSL_DTLSv1_get_timeout(ssl, &tv) }) == 1 else { return nil }
        return Double(tv.tv_sec) + Double(tv.tv_usec) / 1e6
    }

    /// The length of the timer OpenSSL armed last, as chosen (not what is left of it).
    var armedTimerLength: Double? {
        guard let length = DatagramBIO.with(SSL_get_rbio(ssl), { $0.timerLength }), length > 0 else { return nil }
        return Double(length) / 1e6
    }

    enum TimeoutOutcome {
        case resent
        /// OpenSSL's own clock says not yet, or no flight waits for an answer.
        case notDue
        /// The last of its tries: the handshake is over.
        case failed(OpenSSLError)
    }

    /// DTLSv1_handle_timeout: resends the last flight, or gives up after 12
    /// tries. The buffers must be there (`ensureBuffers`).
    func handleTimeout() -> TimeoutOutcome {
        OpenSSLError.clearQueue()
        let r = onOwnClock { COpenSSL_DTLSv1_handle_timeout(ssl) }
        withErrors { $0.knownEmpty = false }
        if r > 0 { return .resent }
        if r < 0 { return .failed(OpenSSLError.drain("DTLSv1_handle_timeout")) }
        return .notDue
    }

    /// Manual mode: time stands still for this SSL until a timer is fired
    /// on purpose. OpenSSL resends from inside any SSL_do_handshake or
    /// SSL_read once its deadline has passed (dtls1_read_bytes calls
    /// dtls1_handle_timeout first), so before such a call the SSL's clock is
    /// set back to `margin` short of the deadline: the call sees the timer
    /// still running and does only what the datagrams ask. The deadline
    /// moves on the wall clock by as much, which `timers` then shows.
    /// `margin` exceeds OpenSSL's 15 ms ("under 15 ms counts as expired")
    /// plus the call's own time.
    func holdTime(margin: Int64 = 50_000) {
        let deadline = bio.timerDeadline
        guard deadline != 0 else { return }
        let seen = CClock_wallMicroseconds() - clockLag
        if deadline - seen < margin { clockLag += margin - (deadline - seen) }
    }

    /// OpenSSL's timer has run out on this SSL's clock: the next
    /// SSL_do_handshake or SSL_read resends first. Under 15 ms left counts
    /// as run out, as dtls1_get_timeout rounds it.
    var timerDue: Bool {
        let deadline = bio.timerDeadline
        return deadline != 0 && deadline - (CClock_wallMicroseconds() - clockLag) < 15_000
    }

    /// The engine's error-queue books, with no retain around their use.
    @inline(__always)
    private func withErrors(_ body: (OpenSSLErrorQueue) -> Void) {
        errors._withUnsafeGuaranteedRef(body)
    }

    /// Runs one OpenSSL call on this SSL's clock. The lag is the calling
    /// thread's, set only for the call: a peer's clock never leaks to
    /// another's or to the rest of the process.
    @inline(__always)
    private func onOwnClock<R>(_ call: () -> R) -> R {
        if clockLag == 0 { return call() }
        CClock_setLag(clockLag)
        defer { CClock_setLag(0) }
        return call()
    }

    // MARK: - Record buffers

    /// Gives OpenSSL's read and write buffers back (about 19 KB). Only
    /// between records: OpenSSL refuses while it holds part of one.
    func releaseBuffers() -> Bool {
        guard !buffersReleased, SSL_free_buffers(ssl) == 1 else { return false }
        buffersReleased = true
        return true
    }

    /// Makes the buffers again before any call that may read or write a
    /// record. Needed: OpenSSL 3.0's DTLS write path assumes its write
    /// buffer exists (after SSL_free_buffers the next SSL_write or alert
    /// would dereference NULL); SSL_alloc_buffers makes both.
    func ensureBuffers() -> Bool {
        guard buffersReleased else { return true }
        guard SSL_alloc_buffers(ssl) == 1 else { return false }
        buffersReleased = false
        return true
    }

    /// The name a step report shows for the call a step made.
    static func callName(handshaking: Bool) -> StaticString {
        handshaking ? "SSL_do_handshake" : "SSL_read"
    }

    // MARK: - Keys

    /// RFC 5705 keying material, as DTLS-SRTP derives its keys.
    func exportKeyingMaterial(label: String, length: Int) throws -> [UInt8] {
        var out = [UInt8](repeating: 0, count: length)
        ERR_clear_error()
        withErrors { $0.knownEmpty = false }
        guard SSL_export_keying_material(ssl, &out, length, label, label.utf8.count, nil, 0, 0) == 1 else {
            throw OpenSSLError.drain("SSL_export_keying_material")
        }
        return out
    }

    /// What protects the association's records: the master secret, both randoms and the suite. `nil`
    /// before a session exists or for a suite whose records ``RecordProtector`` cannot build.
    func sessionSecrets(encryptThenMac: Bool) -> SessionSecrets? {
        guard let session = SSL_get_session(ssl), let suite = SSL_get_current_cipher(ssl).flatMap(SSL_CIPHER_get_name),
              let cipher = RecordCipher(suite: String(cString: suite)) else { return nil }
        var master = [UInt8](repeating: 0, count: 48)
        var client = [UInt8](repeating: 0, count: 32)
        var server = [UInt8](repeating: 0, count: 32)
        let masterLength = SSL_SESSION_get_master_key(session, &master, master.count)
        guard masterLength > 0, SSL_get_client_random(ssl, &client, client.count) == 32,
              SSL_get_server_random(ssl, &server, server.count) == 32 else { return nil }
        return SessionSecrets(masterSecret: Array(master.prefix(masterLength)), clientRandom: client,
                              serverRandom: server, cipher: cipher, encryptThenMac: encryptThenMac)
    }
}

/// An association's session, kept to offer again: an abbreviated handshake resumes it (by session id,
/// or by ticket when the server issued one). It owns one reference to OpenSSL's `SSL_SESSION`.
/// Not Sendable: like the engine and its peers, it stays on the thread that made it.
public final class ResumableSession {
    let session: OpaquePointer

    init(_ session: OpaquePointer) { self.session = session }

    deinit { SSL_SESSION_free(session) }

    /// The server issued a ticket (RFC 5077) for it.
    public var hasTicket: Bool { SSL_SESSION_has_ticket(session) == 1 }
}

extension DTLSConnection {
    /// The session the handshake made, for a later connection to resume; `nil` before there is one.
    func resumableSession() -> ResumableSession? {
        SSL_get1_session(ssl).map(ResumableSession.init)
    }

    /// Offers `session` in the ClientHello: only before the first handshake step.
    func offer(_ session: ResumableSession) -> Bool {
        SSL_set_session(ssl, session.session) == 1
    }

    /// The handshake resumed a session instead of making a new one.
    var sessionReused: Bool { SSL_session_reused(ssl) == 1 }

    /// The verify_data of the Finished this side sent last (RFC 5746 puts it in a renegotiating hello).
    var ownFinished: [UInt8] {
        var data = [UInt8](repeating: 0, count: 64)
        let count = SSL_get_finished(ssl, &data, data.count)
        return Array(data.prefix(min(count, data.count)))
    }
}

typealias SSLMessageCallback = @convention(c) (
    Int32, Int32, Int32, UnsafeRawPointer?, Int, OpaquePointer?, UnsafeMutableRawPointer?
) -> Void

/// What an engine knows of OpenSSL's error queue, which is per thread. It
/// must be empty before a call for SSL_get_error to be right, and
/// ERR_clear_error walks all sixteen slots of it, so connections clear it
/// only when they cannot know it is empty (as a careful C server would
/// clear before every call). Only this file changes what it knows.
final class OpenSSLErrorQueue {
    @exclusivity(unchecked) fileprivate var knownEmpty = false

    /// Anything may have run since the last connection call (the shell,
    /// another engine on this thread): the next one clears first.
    func distrust() { knownEmpty = false }

    fileprivate func prepare(fresh: Bool) {
        if fresh { knownEmpty = false }
        guard !knownEmpty else { return }
        OpenSSLError.clearQueue()
        knownEmpty = true
    }
}

/// Starts at the configured timeout and doubles to OpenSSL's 60 s cap (the
/// context holds both, never under 15 ms).
private func connectionTimerCallback(_ ssl: OpaquePointer?, _ previous: UInt32) -> UInt32 {
    let (initial, cap) = TLSContext.with(ssl) { ($0.timerInitialMicroseconds, $0.timerCapMicroseconds) } ?? (1_000_000, 60_000_000)
    let length = previous == 0 ? initial : min(previous * 2, cap)
    _ = DatagramBIO.with(SSL_get_rbio(ssl)) { $0.timerLength = length }
    return length
}
