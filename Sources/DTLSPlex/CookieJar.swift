internal import COpenSSL
import Glibc

/// Stateless cookies for the HelloVerifyRequest round: HMAC-SHA256 over the
/// source address and port under a secret that rotates.
///
/// The secret of rotation period `n` is HMAC-SHA256(master, n as 8 bytes
/// big-endian), with `n = floor(wall clock seconds / lifetime)`. The master is
/// random once per process, so every engine in the process — one per thread
/// under `serve --workers` — makes the same cookie for the same client at the
/// same time and accepts the others' cookies without talking to them. A cookie
/// of period `n - 1` still counts, so a rotation never fails a client that is
/// mid-exchange; one older than that does not.
final class CookieJar {
    /// The process-wide master key: 32 random bytes, made on first use.
    static let processMaster: [UInt8] = randomBytes(32)

    private let master: [UInt8]
    let lifetime: Double
    /// Seconds on the wall clock (CLOCK_REALTIME_COARSE): the same in every thread,
    /// unlike an engine's own monotonic `now()`, which starts at zero.
    private let clock: () -> Double
    /// HMAC contexts keyed with the secrets of `period` and the one before.
    /// Keyed once per rotation: a one-shot HMAC() looks the digest up by name
    /// and allocates its contexts anew, twice per handshake. Plain values, not
    /// objects: they are reached three times a handshake, and the jar frees them.
    private var keyedPeriod: Int64?
    private var current = KeyedMAC.none
    private var previous = KeyedMAC.none

    /// What the last verification said, for the engine's events.
    var lastVerification: Bool?

    /// The size of every cookie: one SHA-256 output.
    static let length = 32

    init(master: [UInt8] = CookieJar.processMaster, lifetime: Double = 300,
         clock: @escaping () -> Double = CookieJar.wallClock) {
        self.master = master
        self.lifetime = lifetime > 0 ? lifetime : 300
        self.clock = clock
    }

    deinit {
        current.free()
        previous.free()
    }

    /// The coarse clock (a few ms of resolution, read without the TSC):
    /// periods last minutes, and it is read three times a handshake.
    static func wallClock() -> Double {
        var t = timespec()
        clock_gettime(CLOCK_REALTIME_COARSE, &t)
        return Double(t.tv_sec) + Double(t.tv_nsec) / 1e9
    }

    static func randomBytes(_ count: Int) -> [UInt8] {
        var s = [UInt8](repeating: 0, count: count)
        guard RAND_bytes(&s, Int32(count)) == 1 else {
            // Without randomness cookies would be forgeable: better not to run.
            fatalError("RAND_bytes failed: no cookie master key")
        }
        return s
    }

    /// The rotation period `t` falls in.
    func period(at t: Double) -> Int64 {
        Int64((t / lifetime).rounded(.down))
    }

    /// The secret of period `n`: HMAC-SHA256(master, n big-endian).
    static func secret(master: [UInt8], period n: Int64) -> [UInt8] {
        let bits = UInt64(bitPattern: n)
        let bytes = (0..<8).map { UInt8(truncatingIfNeeded: bits >> (56 - 8 * UInt64($0))) }
        var out = [UInt8](repeating: 0, count: 32)
        var length: UInt32 = 0
        _ = HMAC(EVP_sha256(), master, Int32(master.count), bytes, bytes.count, &out, &length)
        return Array(out.prefix(Int(length)))
    }

    /// Keys the contexts for the period the clock is in, if it moved on.
    private func rotate() {
        let n = period(at: clock())
        if keyedPeriod == n { return }
        // Just rotated by one: the old current context is the new previous one.
        if keyedPeriod == n - 1 {
            previous.free()
            previous = current
        } else {
            previous.free()
            current.free()
            previous = KeyedMAC(key: Self.secret(master: master, period: n - 1))
        }
        current = KeyedMAC(key: Self.secret(master: master, period: n))
        keyedPeriod = n
    }

    /// Writes the cookie for `address` (`CookieJar.length` bytes) to `out`.
    func writeCookie(for address: SocketAddress, to out: UnsafeMutablePointer<UInt8>) {
        rotate()
        let mac = current
        address.withCookieInput { mac.compute($0, into: out) }
    }

    func cookie(for address: SocketAddress) -> [UInt8] {
        [UInt8](unsafeUninitializedCapacity: Self.length) { buffer, count in
            writeCookie(for: address, to: buffer.baseAddress!)
            count = Self.length
        }
    }

    func verify(_ cookie: UnsafeRawBufferPointer, for address: SocketAddress) -> Bool {
        rotate()
        return withUnsafeTemporaryAllocation(of: UInt8.self, capacity: Self.length) { expected in
            let out = expected.baseAddress!
            let mac = UnsafeRawBufferPointer(start: out, count: Self.length)
            // The previous period's secret only when the current one fails: a
            // forger learns from the time taken which period a wrong cookie
            // missed, which tells nothing about either secret.
            address.withCookieInput { current.compute($0, into: out) }
            if Self.equal(cookie, mac) { return true }
            address.withCookieInput { previous.compute($0, into: out) }
            return Self.equal(cookie, mac)
        }
    }

    func verify(_ cookie: [UInt8], for address: SocketAddress) -> Bool {
        cookie.withUnsafeBytes { verify($0, for: address) }
    }

    /// Constant time, so a forger learns nothing from timing.
    private static func equal(_ a: UnsafeRawBufferPointer, _ b: UnsafeRawBufferPointer) -> Bool {
        guard a.count == b.count else { return false }
        var diff: UInt8 = 0
        for i in 0..<a.count { diff |= a[i] ^ b[i] }
        return diff == 0
    }
}

/// An HMAC-SHA256 context keyed once and re-initialised per use: re-init
/// with no key restores the keyed state without allocating (OpenSSL's
/// hmac_init with a NULL key). A plain handle: its `CookieJar` frees it.
private struct KeyedMAC {
    private let ctx: OpaquePointer?

    static var none: KeyedMAC { KeyedMAC(ctx: nil) }

    private init(ctx: OpaquePointer?) { self.ctx = ctx }

    init(key: [UInt8]) {
        guard let mac = EVP_MAC_fetch(nil, "HMAC", nil), let ctx = EVP_MAC_CTX_new(mac) else {
            fatalError("OpenSSL has no HMAC: no cookies")
        }
        EVP_MAC_free(mac)  // the context holds its own reference
        self.ctx = ctx
        let ok = "digest".withCString { name in
            "SHA256".withCString { digest in
                var params = [OSSL_PARAM_construct_utf8_string(name, UnsafeMutablePointer(mutating: digest), 0),
                              OSSL_PARAM_construct_end()]
                return EVP_MAC_init(ctx, key, key.count, &params)
            }
        }
        guard ok == 1 else { fatalError("HMAC-SHA256 would not take a key: no cookies") }
    }

    func free() { EVP_MAC_CTX_free(ctx) }

    func compute(_ input: UnsafeRawBufferPointer, into out: UnsafeMutablePointer<UInt8>) {
        var length = 0
        guard let ctx, EVP_MAC_init(ctx, nil, 0, nil) == 1,
              EVP_MAC_update(ctx, input.baseAddress?.assumingMemoryBound(to: UInt8.self), input.count) == 1,
              EVP_MAC_final(ctx, out, &length, CookieJar.length) == 1, length == CookieJar.length
        else {
            // A cookie nobody can match: the client gets another HelloVerifyRequest.
            out.initialize(repeating: 0, count: CookieJar.length)
            return
        }
    }
}
