import DTLSPlex

extension Shell {
    func setCommand(_ a: Arguments) throws {
        guard a.count > 0 else { return SettingTable.all.forEach { say($0.line(engine)) } }
        let setting: SettingSpec
        switch SettingTable.lookup(a[0]) {
        case let .found(spec): setting = spec
        case let .ambiguous(names): throw ShellError.message("'\(a[0])' is ambiguous: \(names.joined(separator: ", "))")
        case .unknown:
            throw ShellError.message("unknown setting '\(a[0])'; settings: \(SettingTable.all.map(\.name).joined(separator: ", "))")
        }
        let values = Array(a.words.dropFirst())
        guard !values.isEmpty else { throw ShellError.message("set \(setting.name) needs a value; see help set") }
        let old = engine.settings
        var s = old
        try setting.apply(values, &s)
        engine.settings = s
        // A setting that makes no working context is refused whole.
        do {
            try engine.validateSettings(for: .client)
            try engine.validateSettings(for: .server)
        } catch {
            engine.settings = old
            throw ShellError.message("\(error)")
        }
        say(setting.line(engine))
        for w in s.tls.warnings where !old.tls.warnings.contains(w) { say(style.paint("warning: \(w)", .warning)) }
    }

    func traceCommand(_ a: Arguments) throws {
        if a.count == 1 {
            guard let level = TraceLevel(rawValue: a[0]) else { throw ShellError.message("trace \(TraceLevel.grammar), not '\(a[0])'") }
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
