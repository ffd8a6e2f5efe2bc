import DTLSPlex
import Glibc

/// What the loop reads lines from: libedit on a terminal, plain reads on a
/// pipe. Events and output go through it so a half-typed line survives them.
public protocol LineInput: AnyObject {
    var fileDescriptor: Int32 { get }
    var isInteractive: Bool { get }
    func start(prompt: String)
    /// Called when `fileDescriptor` is readable or `hasBufferedInput` is true.
    func readAvailable() -> [InputEvent]
    /// Input read but not handed on yet (the lines after the first of a paste): read again without
    /// waiting for the descriptor.
    var hasBufferedInput: Bool { get }
    /// Prints lines without disturbing what is being typed.
    func printAbove(_ text: String)
    func setPrompt(_ prompt: String)
    /// Ctrl-C: abandon the half-typed line.
    func interrupt()
    func stop()
}

public enum InputEvent: Equatable, Sendable {
    case line(String)
    case interrupted
    case endOfInput
}

/// The shell's one loop, one thread: `poll` over the input, the signal
/// descriptor and the engine's sockets and timers (when auto is on).
public final class ConsoleLoop {
    let shell: Shell
    let input: LineInput
    let signals: SignalWatch?

    public init(shell: Shell, input: LineInput, signals: SignalWatch?) {
        self.shell = shell
        self.input = input
        self.signals = signals
        shell.output = { [unowned input] in input.printAbove($0) }
        // A long `wait` or `handshake` gives way to Ctrl-C.
        shell.interrupted = { [weak signals] in
            guard let signals else { return false }
            return !signals.take().isEmpty
        }
    }

    /// Runs until `quit` or end of input. Returns the exit status: 1 when a
    /// command failed and nobody was at the keyboard to see it, else 0.
    public func run() -> Int32 {
        input.start(prompt: shell.prompt)
        var watched = [input.fileDescriptor]
        if let signals { watched.append(signals.fileDescriptor) }
        loop: while !shell.quitRequested {
            let ready = shell.engine.runOnce(timeout: input.hasBufferedInput ? 0 : 1, watching: watched)
            if let signals, ready.contains(signals.fileDescriptor) {
                let got = signals.take()
                // SIGTERM and a hangup end the session (history is saved); Ctrl-C
                // abandons the line at a terminal and ends a piped session.
                if got.contains(SIGTERM) || got.contains(SIGHUP) || (!got.isEmpty && !input.isInteractive) {
                    break loop
                }
                if !got.isEmpty { interrupt() }
            }
            guard ready.contains(input.fileDescriptor) || input.hasBufferedInput else { continue }
            for event in input.readAvailable() {
                switch event {
                case let .line(line):
                    if input.isInteractive { shell.remember(line) }
                    shell.execute(line)
                    input.setPrompt(shell.prompt)
                    if shell.quitRequested { break loop }
                case .interrupted:
                    interrupt()
                case .endOfInput:
                    break loop
                }
            }
        }
        input.stop()
        return !input.isInteractive && shell.failures > 0 ? 1 : 0
    }

    /// Ctrl-C at the prompt: the half-typed line goes, and so does the tour.
    private func interrupt() {
        input.interrupt()
        if shell.isTouring {
            shell.leaveTour("tour stopped (Ctrl-C)")
            input.setPrompt(shell.prompt)
        }
    }
}
