/// What a check concluded (issue #19's scale): `pass`, `differs` (legal, or unlike the RFC's SHOULD, or
/// a weakness), `fail` (a MUST broken, or the association broken), `n/a`, `error` (could not run).
public enum Verdict: String, Sendable, CaseIterable {
    case pass, differs, fail
    case notApplicable = "n/a"
    case error
}

/// One check's outcome: the verdict, one line of evidence seen on the wire, and figures.
public struct CheckResult: Sendable {
    public let id: String
    public let rfc: String
    public let verdict: Verdict
    public let evidence: String
    /// Named figures (milliseconds, ratios, counts, names), for `--json`'s `measured`.
    public let measured: [(String, MeasuredValue)]
    /// How long the check ran, its ending included (seconds).
    public var duration: Double

    public init(id: String, rfc: String, verdict: Verdict, evidence: String, measured: [(String, MeasuredValue)] = [],
                duration: Double = 0) {
        self.id = id
        self.rfc = rfc
        self.verdict = verdict
        self.evidence = evidence
        self.measured = measured
        self.duration = duration
    }
}

public enum MeasuredValue: Sendable, Equatable {
    case number(Double)
    case text(String)
    case numbers([Double])
}

/// A check of the battery: its id, what it tests (the RFC section), and how it runs.
public struct ProbeCheck: Sendable {
    public let id: String
    public let rfc: String
    public let summary: String
    /// Mostly waits in silence on a handshake of its own: it runs beside the other checks when the server
    /// serves several handshakes at once.
    public let slow: Bool
    let run: @Sendable (ProbeContext) throws -> Outcome

    /// What a check's body returns; the battery adds the id and section.
    struct Outcome {
        var verdict: Verdict
        var evidence: String
        var measured: [(String, MeasuredValue)] = []
    }

    init(_ id: String, rfc: String, summary: String, slow: Bool = false,
         run: @escaping @Sendable (ProbeContext) throws -> Outcome) {
        self.id = id
        self.rfc = rfc
        self.summary = summary
        self.slow = slow
        self.run = run
    }
}

/// Why a check could not run, said as its evidence.
struct ProbeError: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}
