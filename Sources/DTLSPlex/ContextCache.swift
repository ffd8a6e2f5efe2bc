/// The TLS contexts an engine's peers are made from, one per role and
/// configuration, built on first use: `set` applies to peers made afterwards.
struct ContextCache {
    private struct Key: Hashable {
        var role: Role
        var configuration: TLSConfiguration
    }

    private var contexts: [Key: TLSContext] = [:]
    /// Makes and checks the cookies of every server context; the engine owns it.
    private unowned(unsafe) let cookieJar: CookieJar
    /// Where NSS key log lines go, only when the user asked for a key log.
    var keyLog: ((String) -> Void)? {
        didSet { contexts.values.forEach { $0.keyLog = keyLog } }
    }

    init(cookieJar: CookieJar) {
        self.cookieJar = cookieJar
    }

    mutating func context(for role: Role, configuration: TLSConfiguration) throws -> TLSContext {
        let key = Key(role: role, configuration: configuration)
        if let c = contexts[key] { return c }
        let c = try TLSContext(role: role, configuration: configuration)
        c.cookieJar = cookieJar
        c.keyLog = keyLog
        // Bounded: peers keep their own context alive; the cache only saves rebuilding.
        if contexts.count >= 16 { contexts.removeAll() }
        contexts[key] = c
        return c
    }
}
