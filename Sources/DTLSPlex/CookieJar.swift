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
    /// Seconds on the wall clock (CLOCK_REALTIME): the same in every thread,
    /// unlike an engine's own monotonic `now()`, which starts at zero.
    private let clock: () -> Double
    /// The secrets of the current period and the one before, for `period`.
    private var cached: (period: Int64, current: [UInt8], previous: [UInt8])?

    /// What the last verification said, for the engine's events.
    var lastVerification: Bool?

    init(master: [UInt8] = CookieJar.processMaster, lifetime: Double = 300,
         clock: @escaping () -> Double = CookieJar.wallClock) {
        self.master = master
        self.lifetime = lifetime > 0 ? lifetime : 300
        self.clock = clock
    }

    static func wallClock() -> Double {
        var t = timespec()
        clock_gettime(CLOCK_REALTIME, &t)
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
        return hmac(master, bytes)
    }

    private func secrets() -> (current: [UInt8], previous: [UInt8]) {
        let n = period(at: clock())
        if let c = cached, c.period == n { return (c.current, c.previous) }
        // Just rotated by one: the old current secret is the new previous one.
        let previous = cached.flatMap { $0.period == n - 1 ? $0.current : nil }
            ?? Self.secret(master: master, period: n - 1)
        let current = Self.secret(master: master, period: n)
        cached = (n, current, previous)
        return (current, previous)
    }

    func cookie(for address: SocketAddress) -> [UInt8] {
        Self.hmac(secrets().current, address.cookieInput)
    }

    func verify(_ cookie: [UInt8], for address: SocketAddress) -> Bool {
        let input = address.cookieInput
        let (current, previous) = secrets()
        // Both compared, so the time taken does not say which period matched.
        let now = Self.equal(cookie, Self.hmac(current, input))
        let before = Self.equal(cookie, Self.hmac(previous, input))
        return now || before
    }

    private static func hmac(_ key: [UInt8], _ data: [UInt8]) -> [UInt8] {
        var out = [UInt8](repeating: 0, count: 32)
        var length: UInt32 = 0
        _ = HMAC(EVP_sha256(), key, Int32(key.count), data, data.count, &out, &length)
        return Array(out.prefix(Int(length)))
    }

    /// Constant time, so a forger learns nothing from timing.
    private static func equal(_ a: [UInt8], _ b: [UInt8]) -> Bool {
        guard a.count == b.count else { return false }
        var diff: UInt8 = 0
        for i in 0..<a.count { diff |= a[i] ^ b[i] }
        return diff == 0
    }
}
