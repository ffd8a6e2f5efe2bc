/// The report card: a table (id, verdict, evidence, RFC section) and a summary line, or one JSON object
/// per check and a summary object.
public enum ProbeReport {
    public static func textRow(_ r: CheckResult) -> String {
        let columns = Formatting.padded(r.id, to: 24) + " " + Formatting.padded(r.verdict.rawValue, to: 8)
        return columns + " " + r.evidence + "  [" + r.rfc + "]"
    }

    public static var textHeader: String {
        Formatting.padded("CHECK", to: 24) + " VERDICT  EVIDENCE  [RFC]"
    }

    public static func summary(_ results: [CheckResult], target: String) -> String {
        let counts = Verdict.allCases.compactMap { verdict -> String? in
            let n = results.filter { $0.verdict == verdict }.count
            return n == 0 ? nil : "\(n) \(verdict.rawValue)"
        }
        return "\(target): \(results.count) check\(results.count == 1 ? "" : "s"): " + counts.joined(separator: ", ")
    }

    public static func json(_ r: CheckResult) -> String {
        let measured = r.measured.map { "\"\($0.0)\":\(jsonValue($0.1))" }.joined(separator: ",")
        return "{\"check\":\(quoted(r.id)),\"rfc\":\(quoted(r.rfc)),\"verdict\":\(quoted(r.verdict.rawValue)),\"evidence\":\(quoted(r.evidence)),\"measured\":{\(measured)}}"
    }

    public static func jsonSummary(_ results: [CheckResult], target: String) -> String {
        let counts = Verdict.allCases.map { verdict in
            "\(quoted(verdict.rawValue)):\(results.filter { $0.verdict == verdict }.count)"
        }.joined(separator: ",")
        return "{\"summary\":{\"target\":\(quoted(target)),\"checks\":\(results.count),\(counts)}}"
    }

    /// 0 when no check failed, 1 when one did (2 is bad usage, said before anything runs).
    public static func exitStatus(_ results: [CheckResult]) -> Int32 {
        results.contains { $0.verdict == .fail } ? 1 : 0
    }

    private static func jsonValue(_ value: MeasuredValue) -> String {
        switch value {
        case let .number(n): return n == n.rounded() && abs(n) < 1e15 ? String(Int(n)) : String(n)
        case let .text(t): return quoted(t)
        case let .numbers(list): return "[" + list.map { jsonValue(.number($0)) }.joined(separator: ",") + "]"
        }
    }

    static func quoted(_ s: String) -> String {
        var out = "\""
        for scalar in s.unicodeScalars {
            switch scalar {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out += "\\t"
            case _ where scalar.value < 0x20: out += "\\u" + Formatting.hex4(scalar.value)
            default: out.unicodeScalars.append(scalar)
            }
        }
        return out + "\""
    }
}
