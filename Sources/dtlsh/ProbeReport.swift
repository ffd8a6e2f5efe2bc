import DTLSProbe
import DTLSShell

/// The probe's report card: a row per check (id, verdict, evidence, RFC section) and a summary line,
/// or one JSON object per check and a summary object, written with the shell's `JSONWriter`.
enum ProbeReport {
    static func textRow(_ r: CheckResult) -> String {
        padded(r.id, idWidth) + " " + padded(r.verdict.rawValue, 8) + " " + r.evidence + "  [" + r.rfc + "]"
    }

    static var textHeader: String {
        padded("CHECK", idWidth) + " VERDICT  EVIDENCE  [RFC]"
    }

    static func summary(_ results: [CheckResult], target: String) -> String {
        let counts = Verdict.allCases.compactMap { verdict -> String? in
            let n = results.filter { $0.verdict == verdict }.count
            return n == 0 ? nil : "\(n) \(verdict.rawValue)"
        }
        return "\(target): \(results.count) check\(results.count == 1 ? "" : "s"): " + counts.joined(separator: ", ")
    }

    static func json(_ r: CheckResult) -> String {
        var measured = JSONWriter()
        for (name, value) in r.measured {
            switch value {
            case let .number(n): measured.add(name, n)
            case let .text(t): measured.add(name, t)
            case let .numbers(list): measured.addRaw(name, "[" + list.map(JSONWriter.number).joined(separator: ",") + "]")
            }
        }
        var j = JSONWriter()
        j.add("check", r.id)
        j.add("rfc", r.rfc)
        j.add("verdict", r.verdict.rawValue)
        j.add("evidence", r.evidence)
        j.addRaw("measured", measured.string)
        j.add("duration_ms", (r.duration * 1000).rounded())
        return j.string
    }

    static func jsonSummary(_ results: [CheckResult], target: String) -> String {
        var counts = JSONWriter()
        counts.add("target", target)
        counts.add("checks", results.count)
        for verdict in Verdict.allCases {
            counts.add(verdict.rawValue, results.filter { $0.verdict == verdict }.count)
        }
        var j = JSONWriter()
        j.addRaw("summary", counts.string)
        return j.string
    }

    /// 0 when no check failed, 1 when one did (2 is bad usage, said before anything runs).
    static func exitStatus(_ results: [CheckResult]) -> Int32 {
        results.contains { $0.verdict == .fail } ? 1 : 0
    }

    /// The longest id, plaintext-alert-in-handshake.
    private static let idWidth = 28

    private static func padded(_ text: String, _ width: Int) -> String {
        text + String(repeating: " ", count: max(0, width - text.count))
    }
}
