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
}
