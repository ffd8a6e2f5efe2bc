import ArgumentParser
import DTLSShell

extension TraceLevel {
    /// `--trace LEVEL` of every subcommand that takes it: the shell's own
    /// levels, refused with the one message the flag has always given.
    static func flag(_ text: String) throws -> TraceLevel {
        guard let level = TraceLevel(rawValue: text) else {
            throw ValidationError("--trace must be one of: \(allCases.map(\.rawValue).joined(separator: ", "))")
        }
        return level
    }

    /// The help of `--trace`, naming every level.
    static func flagHelp(_ lead: String) -> ArgumentHelp {
        ArgumentHelp("\(lead): \(allCases.map(\.rawValue).joined(separator: ", ")).", valueName: "LEVEL")
    }
}

/// `--trace LEVEL` of the shell and `run`, which start at records: a person
/// watching a handshake by hand wants to see its records.
struct ShellTraceOption: ParsableArguments {
    @Option(help: TraceLevel.flagHelp("Start at this trace level"))
    var trace: String = TraceLevel.records.rawValue

    func validate() throws { _ = try TraceLevel.flag(trace) }

    var level: TraceLevel { TraceLevel(rawValue: trace) ?? .records }
}
