import DTLSShell
import Glibc
import LineEditor

/// The shell's loop reads a terminal through libedit…
final class TerminalInput: LineInput {
    private let editor: EditLineSource

    /// How many typed lines `~/.dtlsh_history` keeps (the oldest go first).
    static let defaultHistorySize = 1000
    static let largestHistorySize = 1_000_000

    /// The terminal's modes before NOFLSH was set, restored by `stop`.
    private var savedModes: termios?

    init(shell: Shell) {
        var modes = termios()
        if tcgetattr(STDIN_FILENO, &modes) == 0 { savedModes = modes }
        let completer = Completer(shell: shell)
        editor = EditLineSource(
            programName: "dtlsh", historyPath: "~/.dtlsh_history", historySize: Self.historySize()
        ) { completer.candidates($0) }
    }

    /// `DTLSH_HISTSIZE`, like a shell's HISTSIZE; a bad value is said once and the default kept.
    private static func historySize() -> Int {
        guard let raw = getenv("DTLSH_HISTSIZE").map({ String(cString: $0) }), !raw.isEmpty else {
            return defaultHistorySize
        }
        guard let size = Int(raw), (0...largestHistorySize).contains(size) else {
            Output.line("history: DTLSH_HISTSIZE must be a number from 0 to \(largestHistorySize), not '\(raw)'; keeping \(defaultHistorySize) entries")
            return defaultHistorySize
        }
        return size
    }

    var fileDescriptor: Int32 { editor.fileDescriptor }
    var isInteractive: Bool { true }
    func start(prompt: String) {
        editor.start(prompt: prompt)
        keepInputOnInterrupt()
    }

    func readAvailable() -> [InputEvent] {
        defer { keepInputOnInterrupt() }
        return editor.readAvailable().map(InputEvent.init)
    }

    /// Ctrl-C during a long `handshake` or `wait` must not cost the lines
    /// typed meanwhile: without NOFLSH the terminal discards its input queue
    /// when it sends SIGINT. libedit clears the flag whenever it sets its own
    /// modes (inside each read), so it is set again after each.
    private func keepInputOnInterrupt() {
        var modes = termios()
        guard savedModes != nil, tcgetattr(STDIN_FILENO, &modes) == 0, modes.c_lflag & tcflag_t(NOFLSH) == 0 else { return }
        modes.c_lflag |= tcflag_t(NOFLSH)
        tcsetattr(STDIN_FILENO, TCSANOW, &modes)
    }
    var hasBufferedInput: Bool { editor.hasBufferedInput }
    func printAbove(_ text: String) { editor.printAbove(text) }
    func setPrompt(_ prompt: String) { editor.setPrompt(prompt) }
    func interrupt() { editor.interrupt() }
    func stop() {
        editor.stop()
        if var modes = savedModes {
            // Only the flag this set: libedit restored the rest.
            var now = termios()
            if tcgetattr(STDIN_FILENO, &now) == 0 {
                now.c_lflag = (now.c_lflag & ~tcflag_t(NOFLSH)) | (modes.c_lflag & tcflag_t(NOFLSH))
                modes = now
            }
            tcsetattr(STDIN_FILENO, TCSANOW, &modes)
        }
    }
}

/// …and a pipe or file with plain reads: no prompt, no escape codes.
final class PipeInput: LineInput {
    private let source = PlainLineSource(fileDescriptor: 0)

    var fileDescriptor: Int32 { source.fileDescriptor }
    var isInteractive: Bool { false }
    func start(prompt: String) {}
    func readAvailable() -> [InputEvent] { source.readAvailable().map(InputEvent.init) }
    var hasBufferedInput: Bool { false }
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
