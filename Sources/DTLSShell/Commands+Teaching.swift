import Glibc

/// Appends the lines a person typed, when they succeeded, to a script file:
/// what `record FILE` makes is what `dtlsh run FILE` replays.
final class ScriptRecorder {
    let path: String
    private let fd: Int32
    private(set) var lines = 0

    init(path: String) throws {
        // O_NONBLOCK: a FIFO nobody reads fails at once (ENXIO) instead of
        // blocking the shell; then writes block again as usual.
        let fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_NONBLOCK, 0o644)
        guard fd >= 0 else {
            let why = errno == ENXIO ? "a FIFO that nothing reads" : String(cString: strerror(errno))
            throw ShellError.message("cannot write '\(path)': \(why)")
        }
        _ = fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) & ~O_NONBLOCK)
        self.fd = fd
        self.path = path
        write("# recorded by dtlsh\n")
    }

    deinit { close(fd) }

    func note(_ line: String) {
        let t = line.trimmingCharacters(in: " \t")
        // `record` itself, and leaving, are not part of the session.
        guard !t.isEmpty, !t.hasPrefix("record"), t != "quit", t != "exit" else { return }
        write(t + "\n")
        lines += 1
    }

    private func write(_ s: String) {
        let bytes = Array(s.utf8)
        _ = bytes.withUnsafeBytes { Glibc.write(fd, $0.baseAddress, $0.count) }
    }
}

extension Shell {
    func recordCommand(_ a: Arguments) throws {
        if a[0] == "off" {
            guard let r = recording else { return say("not recording") }
            say("recorded \(r.lines) line\(r.lines == 1 ? "" : "s") to \(r.path)")
            recording = nil
            return
        }
        recording = try ScriptRecorder(path: a[0])
        say("recording the commands that succeed to \(a[0]); record off to stop")
    }

    func tourCommand(_ a: Arguments) throws {
        if a.count == 1 {
            guard a[0] == "stop" else { throw ShellError.usage(a.spec.usage) }
            tour = nil
            return say("tour stopped")
        }
        for name in ["srv", "cli"] where engine.socket(named: name) != nil {
            throw ShellError.message("the tour opens sockets srv and cli; close \(name) first")
        }
        guard engine.peer(named: "c1") == nil else { throw ShellError.message("the tour makes peer c1; close c1 first") }
        var settings = engine.settings
        settings.auto = false
        settings.lossPercent = 0
        settings.cookies = true
        engine.settings = settings
        tour = Tour()
        say(heading("A guided DTLS 1.2 handshake, one command at a time."))
        say("At each step press Enter to type the suggested command (or type any command; 'tour stop' leaves).")
        announce()
    }

    private func announce() {
        guard let step = tour?.current, let tour else { return }
        say(style.paint("[\(tour.progress)] ", .heading) + step.before)
        say("    type: " + style.paint(step.command, .good))
    }

    /// A line while the tour runs: Enter runs the suggested command.
    func tourStep(_ rawLine: String) -> Bool {
        let typed = rawLine.trimmingCharacters(in: " \t")
        guard var t = tour, let step = t.current else {
            tour = nil
            return run(rawLine)
        }
        if typed == "tour stop" || typed == "quit" || typed == "exit" {
            tour = nil
            return run(typed == "tour stop" ? rawLine : typed)
        }
        if !typed.isEmpty && typed != step.command {
            // Any other command runs as usual; the tour waits.
            let ok = run(rawLine)
            announce()
            return ok
        }
        if typed.isEmpty { say(prompt + step.command) }
        let ok = run(step.command)
        guard ok else {
            say("That did not work; press Enter to try again, or 'tour stop'.")
            return false
        }
        say(style.paint("    → ", .heading) + step.after)
        t.advance()
        tour = t.isFinished ? nil : t
        if t.isFinished { say(heading("End of the tour.")) } else { announce() }
        return true
    }
}
