import ArgumentParser

@main
struct DTLSH: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "dtlsh",
        abstract: "An interactive shell and diagnostics console for DTLS over OpenSSL 3.0.")
    func run() throws {}
}
