internal import COpenSSL

/// Stateless cookies for the HelloVerifyRequest round: HMAC-SHA256 over the
/// source address and port under a random secret that rotates. A cookie made
/// under the previous secret still counts, so a rotation never fails a client
/// that is mid-exchange.
final class CookieJar {
    private var secret: [UInt8]
    private var previous: [UInt8]?
    private var rotatedAt: Double
    let lifetime: Double

    /// What the last verification said, for the engine's events.
    var lastVerification: Bool?

    init(lifetime: Double = 300, now: Double) {
        self.secret = CookieJar.randomSecret()
        self.rotatedAt = now
        self.lifetime = lifetime
    }

    private static func randomSecret() -> [UInt8] {
        var s = [UInt8](repeating: 0, count: 32)
        RAND_bytes(&s, 32)
        return s
    }

    func rotateIfDue(now: Double) {
        guard now - rotatedAt >= lifetime else { return }
        previous = secret
        secret = CookieJar.randomSecret()
        rotatedAt = now
    }

    func cookie(for address: SocketAddress) -> [UInt8] {
        Self.hmac(secret, address.cookieInput)
    }

    func verify(_ cookie: [UInt8], for address: SocketAddress) -> Bool {
        let input = address.cookieInput
        if Self.equal(cookie, Self.hmac(secret, input)) { return true }
        if let previous, Self.equal(cookie, Self.hmac(previous, input)) { return true }
        return false
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
