import ArgumentParser
import DTLSShell

/// `dtlsh run`: replays scripts; exit 0 only if every line and expectation held.
struct RunCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "run",
        abstract: "Replay scripts of shell commands and check their expectations.",
        discussion: "A failure prints FILE:LINE: expected …, saw … and the exit status is 1.")

    @Argument(help: ArgumentHelp("Scripts to run, each in a fresh shell.", valueName: "FILE"))
    var files: [String]

    @Option(name: .customLong("var"), help: ArgumentHelp("Fill ${NAME} in the scripts.", valueName: "NAME=VALUE"))
    var variables: [String] = []

    @Flag(help: "Print random values (ports, times, cookies, keys) as placeholders.")
    var stable = false

    @Flag(help: "Run past a failure to the end of each script.")
    var keepGoing = false

    @Flag(help: "Print each command, after a prompt, before its output (as the lessons read).")
    var showCommands = false

    @OptionGroup var trace: ShellTraceOption

    func validate() throws {
        guard !files.isEmpty else { throw ValidationError("name at least one script") }
        for v in variables where !v.contains("=") || v.hasPrefix("=") {
            throw ValidationError("--var takes NAME=VALUE, not '\(v)'")
        }
    }

    func run() throws {
        // A script that cannot be read (missing, a directory, binary) is an
        // error in the files given: one line on stderr, exit 2, nothing run.
        for file in files {
            do { _ = try TextFile.read(file) } catch { throw CommandFailure.usage("\(error)") }
        }
        var vars: [String: String] = [:]
        for v in variables {
            let i = v.firstIndex(of: "=")!
            vars[String(v[..<i])] = String(v[v.index(after: i)...])
        }
        var failed = false
        for file in files {
            let stable = self.stable
            let shell = Shell(output: { Output.line(stable ? StableText.line($0) : $0) })
            shell.trace = trace.level
            shell.unicode = LocaleCharset.processIsUTF8
            shell.variables = vars
            shell.showsCommands = showCommands
            if !shell.runScript(path: file, keepGoing: keepGoing) { failed = true }
        }
        throw CommandFailure.exit(failed ? 1 : 0)
    }
}
