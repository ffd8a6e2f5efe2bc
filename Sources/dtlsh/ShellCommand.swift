import ArgumentParser
import DTLSPlex
import DTLSShell
import Glibc

/// `dtlsh` with no subcommand: the interactive shell.
struct ShellCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "shell",
        abstract: "The interactive shell (the default).")

    @Option(name: .short, help: ArgumentHelp("Run these commands, separated by ';', and exit.", valueName: "COMMANDS"))
    var commands: String?

    @OptionGroup var trace: ShellTraceOption

    @Flag(help: "Print one JSON object per engine event instead of text.")
    var json = false

    func run() throws {
        let interactive = commands == nil && isatty(STDIN_FILENO) == 1 && isatty(STDOUT_FILENO) == 1
        let shell = Shell(output: Output.line, style: TextStyle(enabled: Output.colourWanted()))
        shell.trace = trace.level
        if json {
            // Events are the output; what the shell says goes to stderr.
            shell.output = { Output.error($0) }
            shell.eventLine = { Output.line($0) }
        }
        shell.unicode = LocaleCharset.processIsUTF8
        if let commands {
            for line in Tokenizer.commands(commands) {
                shell.execute(line)
                if shell.quitRequested { break }
            }
            throw CommandFailure.exit(shell.failures > 0 ? 1 : 0)
        }
        let signals = SignalWatch()
        let input: LineInput = interactive ? TerminalInput(shell: shell) : PipeInput()
        if interactive {
            Output.line("dtlsh — a DTLS shell on \(OpenSSLVersion.text). Type help, or open a socket to begin.")
        }
        let status = ConsoleLoop(shell: shell, input: input, signals: signals).run()
        throw CommandFailure.exit(status)
    }
}
