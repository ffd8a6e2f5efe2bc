import ArgumentParser
import DTLSShell

/// `dtlsh` with no subcommand: the interactive shell.
struct ShellCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "shell",
        abstract: "The interactive shell (the default).")

    @Option(name: .short, help: ArgumentHelp("Run these commands, separated by ';', and exit.", valueName: "COMMANDS"))
    var commands: String?

    func run() throws {
        throw CommandFailure.runtime("the interactive shell is not built yet")
    }
}
