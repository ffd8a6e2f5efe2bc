/// A tiny JSON object writer with stable key order, so event lines diff and
/// grep well and `jq` reads them.
public struct JSONWriter {
    private var parts: [String] = []

    public init() {}

    public mutating func add(_ key: String, _ value: String?) {
        parts.append(Self.quote(key) + ":" + (value.map(Self.quote) ?? "null"))
    }

    public mutating func add(_ key: String, _ value: Int) {
        parts.append(Self.quote(key) + ":" + String(value))
    }

    public mutating func add(_ key: String, _ value: UInt64) {
        parts.append(Self.quote(key) + ":" + String(value))
    }

    public mutating func add(_ key: String, _ value: Double?) {
        parts.append(Self.quote(key) + ":" + (value.map { Self.number($0) } ?? "null"))
    }

    public mutating func add(_ key: String, _ value: Bool) {
        parts.append(Self.quote(key) + ":" + (value ? "true" : "false"))
    }

    /// A value that is already JSON (an array or object).
    public mutating func addRaw(_ key: String, _ json: String) {
        parts.append(Self.quote(key) + ":" + json)
    }

    public var string: String { "{" + parts.joined(separator: ",") + "}" }

    public static func number(_ d: Double) -> String {
        guard d.isFinite else { return "null" }
        let micro = (d * 1_000_000).rounded() / 1_000_000
        return micro == micro.rounded() && abs(micro) < 1e15 ? String(Int(micro)) : String(micro)
    }

    public static func quote(_ s: String) -> String {
        var out = "\""
        for u in s.unicodeScalars {
            switch u {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out += "\\t"
            case _ where u.value < 0x20:
                let hex = String(u.value, radix: 16)
                out += "\\u" + String(repeating: "0", count: 4 - hex.count) + hex
            default: out.unicodeScalars.append(u)
            }
        }
        return out + "\""
    }
}
