import DTLSPlex
import DTLSShell
import Testing

/// A shell whose output is collected, driven line by line as a pipe would.
final class Transcript {
    let shell: Shell
    private(set) var lines: [String] = []

    init() {
        var captured: [String] = []
        shell = Shell(output: { captured.append($0) })
        shell.output = { [unowned self] in self.lines.append($0) }
        _ = captured
    }

    /// Runs one line; returns what it printed.
    @discardableResult
    func run(_ line: String) -> [String] {
        let start = lines.count
        shell.execute(line)
        return Array(lines[start...])
    }

    /// Runs a line that must succeed.
    @discardableResult
    func ok(_ line: String, sourceLocation: SourceLocation = #_sourceLocation) -> [String] {
        let before = shell.failures
        let out = run(line)
        #expect(shell.failures == before, "'\(line)' failed: \(out)", sourceLocation: sourceLocation)
        return out
    }

    /// Runs a line that must fail with exactly one line containing `message`.
    func fails(_ line: String, _ message: String, sourceLocation: SourceLocation = #_sourceLocation) {
        let before = shell.failures
        let out = run(line)
        #expect(shell.failures == before + 1, "'\(line)' did not fail: \(out)", sourceLocation: sourceLocation)
        #expect(out.count == 1, "'\(line)' printed \(out)", sourceLocation: sourceLocation)
        #expect(out.first?.contains(message) == true, "'\(line)' said \(out)", sourceLocation: sourceLocation)
    }

    /// Polls a socket until a datagram waits (bounded), for manual `recv`.
    func waitReadable(_ socket: String) {
        guard let s = shell.engine.socket(named: socket) else { return }
        _ = shell.engine.waitReadable(s, timeout: 2)
    }
}
