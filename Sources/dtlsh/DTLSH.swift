import ArgumentParser
import DTLSShell
import Glibc

struct DTLSH: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "dtlsh",
        abstract: "An interactive shell and diagnostics console for DTLS over OpenSSL 3.0.",
        subcommands: [ShellCommand.self, RunCommand.self, ServeCommand.self, ConnectCommand.self, ProbeCommand.self, RelayCommand.self, BenchCommand.self, UDPEchoCommand.self],
        defaultSubcommand: ShellCommand.self)
}

/// ArgumentParser exits 64 on a usage error; SPEC.md promises 2, with one line.
@main
enum Main {
    static func main() {
        do {
            var command = try DTLSH.parseAsRoot()
            try command.run()
        } catch let failure as CommandFailure {
            switch failure {
            case let .usage(message):
                Output.error("dtlsh: \(message)")
                exit(2)
            case let .runtime(message):
                Output.error("dtlsh: \(message)")
                exit(1)
            case let .exit(code):
                exit(code)
            }
        } catch {
            let code = DTLSH.exitCode(for: error)
            if code == .success {
                Output.line(DTLSH.fullMessage(for: error))
                exit(0)
            }
            let message = DTLSH.message(for: error)
            let isUsage = code == .validationFailure || error is ValidationError
            Output.error("dtlsh: " + (message.split(separator: "\n").first.map(String.init) ?? message))
            exit(isUsage ? 2 : (code.rawValue == 0 ? 1 : code.rawValue == 64 ? 2 : code.rawValue))
        }
    }
}
