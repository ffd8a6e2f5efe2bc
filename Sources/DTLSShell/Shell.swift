import DTLSPlex
import DTLSWire

/// The console's session: names to sockets and peers (the engine keeps them),
/// settings, trace level, sinks, and the dispatcher that turns a line into a
/// command. Everything it says goes through `output`, so the same shell runs
/// behind libedit, a pipe, a script or a test.
public final class Shell {
    public let engine: Engine
    /// Where every line the shell prints goes.
    public var output: (String) -> Void
    public var trace: TraceLevel = .records {
        didSet { renderer.level = trace }
    }
    public var style: TextStyle {
        didSet { renderer.style = style }
    }
    var renderer: EventText
    /// Box drawing and arrows for `ladder`; ASCII unless the locale is UTF-8
    /// (the executable sets it from LocaleCharset; tests get ASCII unless they ask).
    public var unicode = false
    /// What crossed the wire, for `ladder` and `explain`.
    let wire: WireRecorder
    /// Lines typed, for `history` and `record`.
    public internal(set) var history: [String] = []
    /// Set by `quit`; the loop that owns the shell stops.
    public internal(set) var quitRequested = false
    /// Where the line being run came from, for `FILE:LINE:` in messages.
    public var location: String?
    /// Values for `${NAME}` in lines (from `dtlsh run --var`).
    public var variables: [String: String] = [:]
    /// `dtlsh run --show-commands`: each script line that is a command is
    /// printed, after a prompt, before its output, so a transcript reads like
    /// the session that was typed.
    public var showsCommands = false
    /// How many commands failed (and expectations missed) so far.
    public internal(set) var failures = 0
    /// The last message `read` printed per peer, for `expect data`.
    var lastRead: [String: [UInt8]] = [:]
    var pcap: PcapWriter?
    var keyLog: KeyLogWriter?
    var sourceDepth = 0
    /// The guided lesson, while it runs.
    var tour: Tour?
    /// Where `record` writes the lines typed that succeeded.
    var recording: ScriptRecorder?
    /// Polled during long commands (`wait`, `handshake`, `tick PEER`): true stops them.
    public var interrupted: () -> Bool = { false }
    /// Peers that were closed or forgotten, for `expect state`.
    var endedPeers: [String: Peer.Status] = [:]
    /// How each of those ended, in words, for `explain`.
    var endNotes: [String: String] = [:]
    /// The relays (`relay NAME LISTEN UPSTREAM`), in the engine's loop.
    let relays: RelayBoard
    /// What each peer sent and received lately, for `replay`.
    let recentDatagrams: SentHistory

    public init(output: @escaping (String) -> Void, style: TextStyle = TextStyle(enabled: false)) {
        var settings = Engine.Settings(tls: TLSConfiguration(psk: .demo))
        settings.auto = false
        settings.keepFinishedPeers = true
        self.engine = Engine(settings: settings)
        self.output = output
        self.style = style
        self.renderer = EventText(level: .records, style: style)
        self.wire = WireRecorder(engine: engine)
        renderer.diagnosis = HandshakeDiagnosis.lookup(in: engine)
        self.relays = RelayBoard(engine: engine)
        self.recentDatagrams = SentHistory(engine: engine)
        engine.companion = relays
        engine.subscribe { [unowned self] in self.show($0) }
    }

    /// With `--json`: every event as one JSON line here instead of text.
    public var eventLine: ((String) -> Void)?

    private func show(_ e: Event) {
        switch e.kind {
        case .peerEvicted, .peerClosed:
            if let name = e.peer { endedPeers[name] = .closed }
        default: break
        }
        if let eventLine {
            eventLine(EventJSON.line(e, diagnosis: renderer.diagnosis))
            return
        }
        // In manual mode `read` shows data; in auto mode it arrives on its own.
        renderer.showData = engine.settings.auto
        // …and `step` reports OpenSSL's state before and after itself.
        if case .state = e.kind, !engine.settings.auto { return }
        renderer.lines(e).forEach(output)
    }

    public func say(_ s: String) { output(s) }

    func heading(_ s: String) -> String { style.paint(s, .heading) }

    // MARK: - Dispatch

    /// Runs one line. Returns false when it failed (the error was printed).
    @discardableResult
    public func execute(_ rawLine: String) -> Bool {
        if tour != nil, sourceDepth == 0 {
            return tourStep(rawLine)
        }
        let ok = run(rawLine)
        if ok, sourceDepth == 0, let r = recording { r.note(rawLine) }
        return ok
    }

    /// One line through the command table, without tour or recording.
    @discardableResult
    func run(_ rawLine: String) -> Bool {
        let line = substitute(rawLine)
        if location != nil, let missing = Self.unsetVariable(in: line) {
            // Left as it was, ${PSK} would reach the command and fail as "bad psk '${PSK}'".
            return fail("${\(missing)} is not set: give it with --var \(missing)=VALUE")
        }
        let words: [String]
        do { words = try Tokenizer.words(line) } catch {
            return fail("\(error)")
        }
        guard let first = words.first else { return true }
        let spec: CommandSpec
        switch CommandTable.lookup(first) {
        case let .found(s): spec = s
        case let .ambiguous(names):
            return fail("'\(first)' is ambiguous: \(names.joined(separator: ", "))")
        case let .unknown(near):
            return fail("unknown command '\(first)'" + (near.isEmpty ? "; type help for the list" : "; did you mean \(near.joined(separator: " or "))?"))
        }
        let rest = Array(words.dropFirst())
        if rest.count < spec.minArguments || (spec.maxArguments.map { rest.count > $0 } ?? false) {
            return fail("usage: \(spec.usage)")
        }
        do {
            try spec.run(self, Arguments(spec: spec, words: rest, shell: self))
            return true
        } catch let e as ShellError {
            if case .reported = e { return false }
            if case .expectation = e { return fail(e.description, expectation: true) }
            return fail(e.description)
        } catch {
            return fail("\(error)")
        }
    }

    @discardableResult
    func fail(_ message: String, expectation: Bool = false) -> Bool {
        failures += 1
        let prefix = location.map { "\($0): " } ?? (expectation ? "" : "error: ")
        output(style.paint(prefix + message, .bad))
        return false
    }

    /// `${NAME}` from `variables`; an unknown name is left as it is, so the
    /// command's own error names it.
    func substitute(_ line: String) -> String {
        guard line.contains("${"), !variables.isEmpty else { return line }
        var out = line
        for (k, v) in variables { out = out.replacingOccurrences(of: "${\(k)}", with: v) }
        return out
    }

    /// The first `${NAME}` left in a script's line after substitution, outside comments.
    static func unsetVariable(in line: String) -> String? {
        let code = line.split(separator: "#", maxSplits: 1, omittingEmptySubsequences: false).first ?? ""
        guard let start = code.range(of: "${"), let end = code[start.upperBound...].firstIndex(of: "}") else { return nil }
        let name = code[start.upperBound..<end]
        guard !name.isEmpty, name.allSatisfy({ $0.isLetter || $0.isNumber || $0 == "_" }) else { return nil }
        return String(name)
    }

    /// Records a typed line in the history (the loop calls this, not scripts).
    public func remember(_ line: String) {
        let t = line.trimmingCharacters(in: " \t")
        guard !t.isEmpty else { return }
        history.append(t)
        if history.count > 1000 { history.removeFirst(history.count - 1000) }
    }

    /// What the prompt shows: `dtlsh>` or `dtlsh(auto)>`.
    public var prompt: String {
        if let tour { return "tour \(tour.progress)> " }
        return engine.settings.auto ? "dtlsh(auto)> " : "dtlsh> "
    }
}

extension String {
    func replacingOccurrences(of target: String, with replacement: String) -> String {
        guard !target.isEmpty else { return self }
        var result = ""
        var rest = Substring(self)
        while let r = rest.range(of: target) {
            result += rest[..<r.lowerBound]
            result += replacement
            rest = rest[r.upperBound...]
        }
        return result + rest
    }
}

extension Substring {
    func range(of target: String) -> Range<Substring.Index>? {
        guard !target.isEmpty, count >= target.count else { return nil }
        var i = startIndex
        while i < endIndex {
            if self[i...].hasPrefix(target) { return i..<index(i, offsetBy: target.count) }
            i = index(after: i)
        }
        return nil
    }
}
