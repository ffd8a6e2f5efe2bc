import DTLSPlex

extension Shell {
    static let settingNames = ["psk", "cert", "ca", "verify", "ciphers", "version", "mtu", "cookies", "loss", "seed",
                               "idle", "max-peers", "timer-initial", "srtp", "handshake-timeout", "insecure", "duplicate", "reorder", "timer-max", "loss-burst"]

    static let settingsHelp = """
        psk IDENTITY:HEXKEY|none   cert FILE KEY|default   ca FILE|none   verify on|off
        ciphers STRING|default     version 1.2|1.0|any     mtu N          cookies on|off
        loss PERCENT               loss-burst N (0: no cap)  duplicate PERCENT   reorder PERCENT   seed N
        idle SECONDS|off
        max-peers N                timer-initial MS|default   timer-max MS|default   srtp PROFILES|none
        handshake-timeout SECONDS|off                insecure on|off (anonymous DH, no authentication)
        """

    func setCommand(_ a: Arguments) throws {
        guard a.count > 0 else { return settingsLines().forEach(say) }
        let name = a[0]
        let matches = Self.settingNames.filter { $0 == name || $0.hasPrefix(name) }
        guard let setting = matches.count == 1 ? matches[0] : Self.settingNames.first(where: { $0 == name }) else {
            throw ShellError.message(matches.isEmpty ? "unknown setting '\(name)'; settings: \(Self.settingNames.joined(separator: ", "))"
                                                     : "'\(name)' is ambiguous: \(matches.joined(separator: ", "))")
        }
        let values = Array(a.words.dropFirst())
        guard !values.isEmpty else { throw ShellError.message("set \(setting) needs a value; see help set") }
        var s = engine.settings
        func one() throws -> String {
            guard values.count == 1 else { throw ShellError.message("set \(setting) takes one value") }
            return values[0]
        }
        func number(_ range: ClosedRange<Double>) throws -> Double {
            let v = try one()
            guard let d = Double(v), range.contains(d) else {
                throw ShellError.message("\(setting) must be a number from \(range.lowerBound) to \(range.upperBound), not '\(v)'")
            }
            return d
        }
        switch setting {
        case "psk":
            let v = try one()
            if v == "none" { s.tls.psk = nil } else {
                do { s.tls.psk = try TLSConfiguration.PSK(parsing: v) } catch { throw ShellError.message("\(error)") }
            }
        case "cert":
            if values == ["default"] { s.tls.certificate = .generated } else {
                guard values.count == 2 else { throw ShellError.message("set cert FILE KEY, or set cert default") }
                s.tls.certificate = .files(certificate: values[0], key: values[1])
            }
        case "ca":
            let v = try one()
            s.tls.caFile = v == "none" ? nil : v
        case "verify":
            let v = try one()
            guard v == "on" || v == "off" else { throw ShellError.message("set verify on|off") }
            s.tls.verify = v == "on"
        case "ciphers":
            let v = values.joined(separator: ":")
            s.tls.ciphers = v == "default" ? nil : v
        case "version":
            guard let v = TLSConfiguration.Version(rawValue: try one()) else { throw ShellError.message("set version 1.2|1.0|any") }
            s.tls.version = v
        case "mtu":
            s.mtu = Int(try number(256...65_507))
        case "cookies":
            let v = try one()
            guard v == "on" || v == "off" else { throw ShellError.message("set cookies on|off") }
            s.cookies = v == "on"
        case "loss":
            s.lossPercent = try number(0...100)
        case "loss-burst":
            s.lossBurst = Int(try number(0...1000))
        case "duplicate":
            s.duplicatePercent = try number(0...100)
        case "reorder":
            s.reorderPercent = try number(0...100)
        case "seed":
            guard let v = UInt64(try one()) else { throw ShellError.message("seed must be a whole number") }
            s.seed = v
        case "idle":
            s.idleTimeout = values == ["off"] ? nil : try number(0.05...86_400)
        case "handshake-timeout":
            s.handshakeTimeout = values == ["off"] ? nil : try number(0.05...86_400)
        case "max-peers":
            s.maxPeers = Int(try number(1...1_000_000))
        case "timer-initial":
            s.tls.timerInitialMilliseconds = values == ["default"] ? nil : Int(try number(15...60_000))
        case "timer-max":
            s.tls.timerMaxMilliseconds = values == ["default"] ? nil : Int(try number(15...60_000))
        case "srtp":
            let v = try one()
            s.tls.srtpProfiles = v == "none" ? nil : v
        case "insecure":
            let v = try one()
            guard v == "on" || v == "off" else { throw ShellError.message("set insecure on|off") }
            s.tls.insecure = v == "on"
        default:
            throw ShellError.message("unknown setting '\(setting)'")
        }
        let old = engine.settings
        engine.settings = s
        // A setting that makes no working context is refused whole.
        do {
            try engine.validateSettings(for: .client)
            try engine.validateSettings(for: .server)
        } catch {
            engine.settings = old
            throw ShellError.message("\(error)")
        }
        if let line = settingsLines().first(where: { $0.hasPrefix(setting + " ") }) { say(line) }
        for w in s.tls.warnings where !old.tls.warnings.contains(w) { say(style.paint("warning: \(w)", .warning)) }
    }

    func settingsLines() -> [String] {
        let s = engine.settings, t = s.tls
        let cert: String
        switch t.certificate {
        case .generated: cert = "default (in-memory ECDSA P-256, SHA-256 \(engine.certificateFingerprint?.prefix(23) ?? "?")…)"
        case let .files(c, k): cert = "\(c) \(k)"
        }
        func opt(_ d: Double?) -> String { d.map { $0 == $0.rounded() ? "\(Int($0))" : "\($0)" } ?? "off" }
        let rows: [(String, String)] = [
            ("psk", t.psk.map { $0 == .demo ? "\($0) (the built-in demo key)" : $0.description } ?? "none"),
            ("cert", cert),
            ("ca", t.caFile ?? "none"),
            ("verify", t.verifiesPeer ? "on" : "off"),
            ("ciphers", t.ciphers ?? "default"),
            ("version", t.version.rawValue),
            ("mtu", String(s.mtu)),
            ("cookies", s.cookies ? "on" : "off"),
            ("loss", opt(s.lossPercent) + (s.lossPercent > 0 ? "%" : "")),
            ("loss-burst", s.lossBurst == 0 ? "no cap" : "at most \(s.lossBurst) in a row"),
            ("duplicate", opt(s.duplicatePercent) + (s.duplicatePercent > 0 ? "%" : "")),
            ("reorder", opt(s.reorderPercent) + (s.reorderPercent > 0 ? "%" : "")),
            ("seed", String(s.seed)),
            ("idle", opt(s.idleTimeout)),
            ("handshake-timeout", opt(s.handshakeTimeout)),
            ("max-peers", String(s.maxPeers)),
            ("timer-initial", t.timerInitialMilliseconds.map { "\($0) ms" } ?? "default (1000 ms)"),
            ("timer-max", t.timerMaxMilliseconds.map { "\($0) ms" } ?? "default (60000 ms)"),
            ("srtp", t.srtpProfiles ?? "none"),
            ("insecure", t.insecure ? "ON: anonymous and NULL ciphers allowed" : "off"),
        ]
        return rows.map { $0.0 + String(repeating: " ", count: max(1, 19 - $0.0.count)) + $0.1 }
    }

    func traceCommand(_ a: Arguments) throws {
        if a.count == 1 {
            guard let level = TraceLevel(rawValue: a[0]) else { throw ShellError.message("trace off|flights|records|bytes, not '\(a[0])'") }
            trace = level
        }
        say("trace \(trace.rawValue)")
    }

    func captureCommand(_ a: Arguments) throws {
        if a[0] == "off" {
            guard let w = pcap else { return say("no capture running") }
            say("capture \(w.path) closed: \(w.packets) datagrams")
            pcap = nil
            return
        }
        do {
            let w = try PcapWriter(path: a[0])
            w.attach(to: engine)
            pcap = w
            say("capturing every datagram to \(a[0])")
        } catch { throw ShellError.message("\(error)") }
    }

    func keylogCommand(_ a: Arguments) throws {
        if a[0] == "off" {
            engine.keyLogSink = nil
            keyLog = nil
            return say("key log off")
        }
        do {
            let w = try KeyLogWriter(path: a[0])
            w.attach(to: engine)
            keyLog = w
            say("writing TLS secrets for handshakes from now on to \(a[0]) (mode 0600)")
        } catch { throw ShellError.message("\(error)") }
    }
}
