import DTLSPlex

/// Every setting of `set`, in the order `set` lists them and `help set`
/// explains them. A new setting is one row here.
public enum SettingTable {
    static let all: [SettingSpec] = [
        SettingSpec("psk", SettingValue.psk.optional.or("none", nil), at: \.tls.psk,
                    summary: "pre-shared key, as openssl's -psk_identity/-psk") {
            $0.settings.tls.psk.map { $0 == .demo ? "\($0) (the built-in demo key)" : $0.description } ?? "none"
        },
        SettingSpec("cert", SettingValue.certificateFiles.or("default", .generated), at: \.tls.certificate,
                    summary: "certificate chain and key (PEM); default: in memory") { engine in
            switch engine.settings.tls.certificate {
            case .generated: "default (in-memory ECDSA P-256, SHA-256 \(engine.certificateFingerprint?.prefix(23) ?? "?")…)"
            case let .files(certificate, key): "\(certificate) \(key)"
            }
        },
        SettingSpec("ca", SettingValue.word("FILE", completesFiles: true).optional.or("none", nil), at: \.tls.caFile,
                    summary: "verify the peer's certificate against these CAs") { $0.settings.tls.caFile ?? "none" },
        SettingSpec("verify", SettingValue.onOff.optional, at: \.tls.verify,
                    summary: "verify the peer's certificate (default: with a ca)") { onOff($0.settings.tls.verifiesPeer) },
        SettingSpec("ciphers", SettingValue.cipherString.optional.or("default", nil), at: \.tls.ciphers,
                    summary: "OpenSSL cipher string; default: AEAD suites") { $0.settings.tls.ciphers ?? "default" },
        SettingSpec("version", SettingValue.choice([TLSConfiguration.Version.dtls1_2, .dtls1_0, .any]), at: \.tls.version,
                    summary: "the DTLS version to speak") { $0.settings.tls.version.rawValue },
        SettingSpec("mtu", SettingValue.count("N", mtuRange), at: \.mtu,
                    summary: "datagram payload limit in bytes (SSL_set_mtu)") { String($0.settings.mtu) },
        SettingSpec("cookies", SettingValue.onOff, at: \.cookies,
                    summary: "HelloVerifyRequest round before a server peer") { onOff($0.settings.cookies) },
        SettingSpec("loss", SettingValue.number("PERCENT", 0...100), at: \.lossPercent,
                    summary: "lose this share of outbound datagrams") { percent($0.settings.lossPercent) },
        SettingSpec("loss-burst", SettingValue.count("N", 0...1000), at: \.lossBurst,
                    summary: "at most N losses in a row (0: no cap)") { engine in
            let burst = engine.settings.lossBurst
            return burst == 0 ? "no cap" : "at most \(burst) in a row"
        },
        SettingSpec("duplicate", SettingValue.number("PERCENT", 0...100), at: \.duplicatePercent,
                    summary: "send this share of outbound datagrams twice") { percent($0.settings.duplicatePercent) },
        SettingSpec("reorder", SettingValue.number("PERCENT", 0...100), at: \.reorderPercent,
                    summary: "hold this share back until the next datagram") { percent($0.settings.reorderPercent) },
        SettingSpec("seed", SettingValue.seed, at: \.seed,
                    summary: "seed of loss, duplicate and reorder") { String($0.settings.seed) },
        SettingSpec("idle", SettingValue.number("SECONDS", 0.05...86_400).optional.or("off", nil), at: \.idleTimeout,
                    summary: "evict a peer after this long without a datagram") { seconds($0.settings.idleTimeout) },
        SettingSpec("handshake-timeout", SettingValue.number("SECONDS", 0.05...86_400).optional.or("off", nil), at: \.handshakeTimeout,
                    summary: "fail a handshake not done after this long") { seconds($0.settings.handshakeTimeout) },
        SettingSpec("max-peers", SettingValue.count("N", 1...1_000_000), at: \.maxPeers,
                    summary: "most peers at once") { String($0.settings.maxPeers) },
        SettingSpec("timer-initial", SettingValue.count("MS", timerRange).optional.or("default", nil), at: \.tls.timerInitialMilliseconds,
                    summary: "first retransmission timeout (default 1000 ms)") {
            $0.settings.tls.timerInitialMilliseconds.map { "\($0) ms" } ?? "default (1000 ms)"
        },
        SettingSpec("timer-max", SettingValue.count("MS", timerRange).optional.or("default", nil), at: \.tls.timerMaxMilliseconds,
                    summary: "where the doubling stops (default 60000 ms)") {
            $0.settings.tls.timerMaxMilliseconds.map { "\($0) ms" } ?? "default (60000 ms)"
        },
        SettingSpec("srtp", SettingValue.word("PROFILES").optional.or("none", nil), at: \.tls.srtpProfiles,
                    summary: "use_srtp profiles, e.g. SRTP_AES128_CM_SHA1_80") { $0.settings.tls.srtpProfiles ?? "none" },
        SettingSpec("insecure", SettingValue.onOff, at: \.tls.insecure,
                    summary: "anonymous (EC)DH suites, no authentication, at @SECLEVEL=0 (2006 peers: also set version 1.0)") {
            $0.settings.tls.insecure ? "ON: anonymous and NULL ciphers allowed" : "off"
        },
    ]

    /// What OpenSSL takes as an MTU, from the smallest sensible to the largest UDP payload;
    /// `--mtu` accepts the same.
    public static let mtuRange = 256...65_507
    /// OpenSSL treats a timeout under 15 ms as expired at once; `--timer-initial` accepts the same.
    public static let timerRange = 15...60_000

    enum Lookup {
        case found(SettingSpec)
        case ambiguous([String])
        case unknown
    }

    /// Exact name, or an unambiguous prefix, as commands.
    static func lookup(_ word: String) -> Lookup {
        if let exact = all.first(where: { $0.name == word }) { return .found(exact) }
        let matches = all.filter { $0.name.hasPrefix(word) }
        if matches.count == 1 { return .found(matches[0]) }
        return matches.isEmpty ? .unknown : .ambiguous(matches.map(\.name))
    }

    /// The lines `help set` prints: each setting, its grammar and what it changes.
    static var help: String {
        let usages = all.map { "\($0.name) \($0.grammar)" }
        let width = usages.map(\.count).max() ?? 0
        return zip(usages, all).map { usage, spec in
            usage + String(repeating: " ", count: width + 2 - usage.count) + spec.summary
        }.joined(separator: "\n")
    }

    private static func onOff(_ on: Bool) -> String { on ? "on" : "off" }

    private static func percent(_ value: Double) -> String { number(value) + (value > 0 ? "%" : "") }

    private static func seconds(_ value: Double?) -> String { value.map(number) ?? "off" }

    private static func number(_ value: Double) -> String { value == value.rounded() ? "\(Int(value))" : "\(value)" }
}

extension SettingValue where Value == TLSConfiguration.PSK {
    static let psk = SettingValue(grammar: "IDENTITY:HEXKEY") { setting, words in
        let word = try oneWord(setting, words)
        do { return try TLSConfiguration.PSK(parsing: word) } catch { throw ShellError.message("\(error)") }
    }
}

extension SettingValue where Value == TLSConfiguration.Certificate {
    static let certificateFiles = SettingValue(grammar: "FILE KEY", completesFiles: true) { _, words in
        guard words.count == 2 else { throw ShellError.message("set cert FILE KEY, or set cert default") }
        return .files(certificate: words[0], key: words[1])
    }
}

extension SettingValue where Value == String {
    /// Words after `set ciphers` join with `:`, so a list may be typed with spaces.
    static let cipherString = SettingValue(grammar: "STRING") { _, words in words.joined(separator: ":") }
}

extension SettingValue where Value == UInt64 {
    static let seed = SettingValue(grammar: "N") { setting, words in
        guard let value = UInt64(try oneWord(setting, words)) else { throw ShellError.message("\(setting) must be a whole number") }
        return value
    }
}
