import DTLSPlex

/// How the words after `set NAME` become the value of a setting. One value
/// holds the grammar `help set` prints, the words Tab offers and the parser,
/// so the three cannot drift apart (as swift-argument-parser derives help and
/// completion from the type of an option).
struct SettingValue<Value>: Sendable {
    /// As `help set` prints it after the name: `on|off`, `MS|default`.
    let grammar: String
    /// What Tab offers as the first word of the value.
    let keywords: [String]
    /// Tab offers file paths for every word of the value.
    let completesFiles: Bool
    /// The setting's name (errors name it) and its words: at least one, as
    /// `set` has already refused a setting without a value.
    let parse: @Sendable (_ setting: String, _ words: [String]) throws -> Value

    init(grammar: String, keywords: [String] = [], completesFiles: Bool = false,
         parse: @escaping @Sendable (_ setting: String, _ words: [String]) throws -> Value) {
        self.grammar = grammar
        self.keywords = keywords
        self.completesFiles = completesFiles
        self.parse = parse
    }

    /// `KEYWORD` stands for `value`, any other words for what this grammar parses.
    func or(_ keyword: String, _ value: Value) -> SettingValue<Value> where Value: Sendable {
        let parse = self.parse
        return SettingValue(grammar: grammar + "|" + keyword, keywords: [keyword] + keywords, completesFiles: completesFiles) { setting, words in
            words == [keyword] ? value : try parse(setting, words)
        }
    }

    /// The same grammar, its values wrapped, so that `or(_:_:)` can stand for nil.
    var optional: SettingValue<Value?> {
        let parse = self.parse
        return SettingValue<Value?>(grammar: grammar, keywords: keywords, completesFiles: completesFiles) { try parse($0, $1) }
    }
}

extension SettingValue {
    /// The one word of a setting that takes one.
    static func oneWord(_ setting: String, _ words: [String]) throws -> String {
        guard words.count == 1 else { throw ShellError.message("set \(setting) takes one value") }
        return words[0]
    }

    /// A word from a fixed list, in the order `help set` shows it.
    static func choice(_ values: [Value]) -> SettingValue where Value: RawRepresentable<String> & Sendable {
        let names = values.map(\.rawValue)
        return SettingValue(grammar: names.joined(separator: "|"), keywords: names) { setting, words in
            let word = try oneWord(setting, words)
            guard let value = values.first(where: { $0.rawValue == word }) else {
                throw ShellError.message("set \(setting) \(names.joined(separator: "|"))")
            }
            return value
        }
    }
}

extension SettingValue where Value == String {
    /// One word kept as typed: a file, a list of SRTP profiles.
    static func word(_ placeholder: String, completesFiles: Bool = false) -> SettingValue {
        SettingValue(grammar: placeholder, completesFiles: completesFiles) { try oneWord($0, $1) }
    }
}

extension SettingValue where Value == Bool {
    /// Only `on` and `off`: a setting is not a place for `yes` or `1`.
    static let onOff = SettingValue(grammar: "on|off", keywords: ["on", "off"]) { setting, words in
        switch try oneWord(setting, words) {
        case "on": return true
        case "off": return false
        default: throw ShellError.message("set \(setting) on|off")
        }
    }
}

extension SettingValue where Value == Double {
    /// A number in `range`, fractions allowed; `placeholder` is how help names it (`PERCENT`).
    static func number(_ placeholder: String, _ range: ClosedRange<Double>) -> SettingValue {
        SettingValue(grammar: placeholder) { setting, words in
            let word = try oneWord(setting, words)
            guard let value = Double(word), range.contains(value) else {
                throw ShellError.message("\(setting) must be a number from \(plain(range.lowerBound)) to \(plain(range.upperBound)), not '\(word)'")
            }
            return value
        }
    }

    /// `256`, not `256.0`; `0.05` as it is.
    private static func plain(_ value: Double) -> String {
        value == value.rounded() ? String(Int(value)) : String(value)
    }
}

extension SettingValue where Value == Int {
    /// A number in `range`, the fraction dropped as it always was (`set mtu 500.7` is 500).
    static func count(_ placeholder: String, _ range: ClosedRange<Int>) -> SettingValue {
        let number = SettingValue<Double>.number(placeholder, Double(range.lowerBound)...Double(range.upperBound))
        return SettingValue(grammar: placeholder) { Int(try number.parse($0, $1)) }
    }
}
