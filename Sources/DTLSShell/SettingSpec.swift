import DTLSPlex

/// One row of the settings table: the name, the value's grammar, the help, how
/// it applies and how `set` shows it. `set NAME VALUE`, `set` alone, `help set`
/// and Tab after `set ` all read this one value.
struct SettingSpec: Sendable {
    let name: String
    /// `IDENTITY:HEXKEY|none`, after the name in `help set`.
    let grammar: String
    /// One line of `help set`: what the setting changes.
    let summary: String
    /// What Tab offers as the first word of the value.
    let keywords: [String]
    let completesFiles: Bool
    /// Parses the words into `settings`; throws, leaving `settings` as it was, on words it refuses.
    let apply: @Sendable (_ words: [String], _ settings: inout Engine.Settings) throws -> Void
    /// The value in `set`'s listing. Takes the engine, not only its settings:
    /// the default certificate is shown by the fingerprint the engine made.
    let show: @Sendable (Engine) -> String

    init<Value>(_ name: String, _ value: SettingValue<Value>, at path: WritableKeyPath<Engine.Settings, Value> & Sendable,
                summary: String, show: @escaping @Sendable (Engine) -> String) {
        self.name = name
        self.grammar = value.grammar
        self.summary = summary
        self.keywords = value.keywords
        self.completesFiles = value.completesFiles
        let parse = value.parse
        self.apply = { words, settings in settings[keyPath: path] = try parse(name, words) }
        self.show = show
    }

    /// `name` and its value as `set` lists them, the values in one column.
    func line(_ engine: Engine) -> String {
        name + String(repeating: " ", count: max(1, 19 - name.count)) + show(engine)
    }
}
