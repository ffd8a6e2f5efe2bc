import DTLSShell
import LineEditor

/// The shell's loop reads a terminal through libedit…
final class TerminalInput: LineInput {
    private let editor: EditLineSource

    init(shell: Shell) {
        let completer = Completer(shell: shell)
        editor = EditLineSource(programName: "dtlsh", historyPath: "~/.dtlsh_history") { completer.candidates($0) }
    }

    var fileDescriptor: Int32 { editor.fileDescriptor }
    var isInteractive: Bool { true }
    func start(prompt: String) { editor.start(prompt: prompt) }
    func readAvailable() -> [InputEvent] { editor.readAvailable().map(InputEvent.init) }
    func printAbove(_ text: String) { editor.printAbove(text) }
    func setPrompt(_ prompt: String) { editor.setPrompt(prompt) }
    func interrupt() { editor.interrupt() }
    func stop() { editor.stop() }
}

/// …and a pipe or file with plain reads: no prompt, no escape codes.
final class PipeInput: LineInput {
    private let source = PlainLineSource(fileDescriptor: 0)

    var fileDescriptor: Int32 { source.fileDescriptor }
    var isInteractive: Bool { false }
    func start(prompt: String) {}
    func readAvailable() -> [InputEvent] { source.readAvailable().map(InputEvent.init) }
    func printAbove(_ text: String) { Output.line(text) }
    func setPrompt(_ prompt: String) {}
    func interrupt() {}
    func stop() {}
}

extension InputEvent {
    init(_ e: LineEvent) {
        switch e {
        case let .line(l): self = .line(l)
        case .interrupted: self = .interrupted
        case .endOfInput: self = .endOfInput
        }
    }
}
