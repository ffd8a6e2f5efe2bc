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
            guard tour != nil else { return say("no tour is running") }
            return leaveTour("tour stopped")
        }
        // Any shell will do: the tour takes names nobody uses and settings of
        // its own, and gives the user's back when it ends.
        let names = Tour.freeNames(in: engine)
        tour = Tour(names: names, savedSettings: engine.settings)
        engine.settings = Tour.settings
        say(heading("A guided DTLS 1.2 handshake, one command at a time."))
        say("At each step press Enter to type the suggested command (or type any command; 'tour stop' or Ctrl-C leaves).")
        if names.srv != "srv" || names.cli != "cli" || names.client != "c1" {
            say("This shell already uses some of the usual names: the tour's sockets are \(names.srv) and \(names.cli), its client \(names.client).")
        }
        say("Your settings are put aside until the tour ends (its own: the demo PSK, cookies on, OpenSSL's 1 s first timeout).")
        announce()
    }

    /// Ends the tour however it ends (finished, `tour stop`, Ctrl-C, a state
    /// it cannot tell), with the user's settings back.
    public func leaveTour(_ why: String) {
        guard let t = tour else { return }
        tour = nil
        engine.settings = t.savedSettings
        say(why + "; your settings are back")
    }

    public var isTouring: Bool { tour != nil }

    private func announce() {
        guard let t = tour, let step = t.current else { return }
        if let why = t.mismatch(TourView(engine: engine, names: t.names)) {
            return leaveTour("The tour cannot go on: \(why). It has stopped")
        }
        say(style.paint("[\(t.progress)] ", .heading) + step.before)
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
            leaveTour("tour stopped")
            return typed == "tour stop" ? true : run(typed)
        }
        if !typed.isEmpty && typed != step.command {
            // Any other command runs as usual; the tour waits.
            let ok = run(rawLine)
            announce()
            return ok
        }
        if typed.isEmpty { say(prompt + step.command) }
        // A datagram crosses loopback in moments: the tour waits for it, as a person would.
        if step.command.hasPrefix("recv "), let s = engine.socket(named: String(step.command.dropFirst(5))) {
            _ = engine.waitReadable(s, timeout: 1)
        }
        let ok = run(step.command)
        guard ok else {
            say("That did not work; press Enter to try again, or 'tour stop'.")
            if let why = t.mismatch(TourView(engine: engine, names: t.names)) {
                leaveTour("The tour cannot go on: \(why). It has stopped")
            }
            return false
        }
        say(style.paint("    → ", .heading) + step.after(TourView(engine: engine, names: t.names)))
        t.advance()
        tour = t
        if t.isFinished {
            say(heading("End of the tour."))
            leaveTour("The tour is over")
        } else {
            announce()
        }
        return true
    }
}
