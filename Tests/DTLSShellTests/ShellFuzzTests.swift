import DTLSPlex
import DTLSShell
import Foundation
import FuzzSupport
import SubprocessSupport
import Testing

/// Command lines a person, a broken script or an attacker might type: the
/// whole command table with good arguments, mutated at the level of bytes
/// and of words (bad quoting, huge arguments, bad hex, unknown names,
/// binary bytes, control characters), and plain noise.
struct HostileLines {
    var random: SeededRandom

    /// Every command, with arguments that work in a session like SPEC.md's
    /// first handshake, blocking ones included: the runner's filter decides.
    static let corpus = [
        "set psk client:00112233445566778899aabbccddeeff", "set timer-initial 50", "set handshake-timeout 5",
        "open srv accept", "open cli", "open cli2 127.0.0.1:0", "open v6 [::1]:0", "connect c1 cli srv", "connect c2 cli2 srv",
        "connect c3 cli 127.0.0.1:9", "step c1", "flush c1", "recv srv", "flush srv", "recv cli", "step c1", "flush c1",
        "recv srv", "step srv.1", "flush srv.1", "recv cli", "step c1", "flush c1", "recv srv", "step srv.1", "flush srv.1",
        "recv cli", "step c1", "send c1 hello", "send c1 hex:68656c6c6f", "send c1 --size 100", "send srv.1 \"two words\"",
        "read srv.1", "read c1", "show c1", "show srv.1", "sockets", "peers", "pending", "pending c1", "errors", "errors c1",
        "timers", "tick", "tick c1", "handshake c1", "wait until established c1 for 1s", "wait for 10ms", "sleep 10ms",
        "drop c1 out all", "drop c1 in 1", "drop srv.1 out 1", "dup c1 out 1", "dup c1 in 1", "swap c1 in 1 2",
        "swap c1 out 1 2", "export c1 EXTRACTOR-dtls_srtp 60", "close c1", "close srv.1", "forget c2", "close cli2",
        "set loss 10", "set seed 3", "set mtu 500", "set cookies off", "set cookies on", "set version 1.0", "set version any",
        "set ciphers PSK-AES128-GCM-SHA256", "set ciphers default", "set srtp SRTP_AES128_CM_SHA1_80", "set idle 5",
        "set idle off", "set max-peers 3", "set verify on", "set verify off", "set ca none", "set ca /dev/zero",
        "set cert a.pem b.key", "set cert default", "set insecure on", "set insecure off", "set duplicate 10",
        "set reorder 10", "set psk none", "set", "trace off", "trace flights", "trace records", "trace bytes", "ladder",
        "ladder c1", "explain", "explain c1", "explain srv.1", "capture x.pcap", "capture off", "keylog x.keys",
        "keylog off", "stats", "history", "help", "help step", "help set", "tour", "tour stop", "record r.dtlsh",
        "record off", "source r.dtlsh", "source script.dtlsh", "source fifo", "source dir", "source link",
        "source binary.dtlsh", "record fifo", "capture fifo", "keylog fifo", "capture dir", "keylog link",
        "echo hello world", "echo", "expect state c1 established", "expect state srv.1 handshaking",
        "expect data srv.1 \"hello\"", "expect message c1 HelloVerifyRequest", "expect error c1 WANT_READ",
        "expect alert c1 close", "expect pending c1 in 0", "expect peers srv 1", "auto on", "auto off", "auto",
        "quit", "exit", "# a comment", "", "   ", "${PEER}", "step ${PEER}", "send ${PEER} ${BIG}",
    ]

    /// Arguments chosen to hurt.
    static let hostileWords = [
        "", "-1", "0", "1", "-0", "99999999999999999999999", "1e309", "nan", "inf", "-inf", "0x10", "1.5", "1e-9",
        "hex:", "hex:zz", "hex:abc", "hex:0", "hex:" + String(repeating: "ab", count: 40_000), "--size", "--size 0",
        "${", "${}", "${PEER", "${NOPE}", "'", "\"", "\\", "#", "\"\\", "'\"'\"", "\\x00", "srv.", ".", "..", "srv..1",
        "c1.", "a.b.c", "é", "😀", "\u{202e}rtl", "\u{fffd}", "\u{0}", "\u{1b}[31m", "\t", "\r", "\u{7f}",
        "[::1]", "[::1]:", "[", "]:1", "127.0.0.1:", ":", "::", "localhost", "0.0.0.0", "255.255.255.255",
        "off", "on", "all", "in", "out", "for", "until", "established", "500ms", "1m", "-1s", "9999999m",
        String(repeating: "x", count: 65), String(repeating: "A", count: 100_000),
    ]

    static let corpusWords = corpus.flatMap { $0.split(separator: " ").map(String.init) }
    static let names = CommandTable.all.map(\.name) + ["s", "se", "st", "ex", "e", "xyzzy", "SET", "Step"]

    /// Bytes a line may hold, weighted to the ones that matter to a tokenizer.
    static let alphabet: [Character] = Array(" \t\"'\\#${}:;.-_0123456789abcdefxyz") + ["\u{0}", "\u{1}", "\u{1b}", "\r", "\n", "\u{7f}", "é", "😀", "\u{fffd}"]

    init(seed: UInt64) { random = SeededRandom(seed: seed) }

    mutating func next() -> String {
        switch random.below(10) {
        case 0, 1, 2:
            return random.pick(Self.corpus)
        case 3, 4, 5:
            return mutateCharacters(random.pick(Self.corpus))
        case 6, 7:
            return mutateWords(random.pick(Self.corpus))
        case 8:
            // Random bytes, decoded as the console would (invalid UTF-8 becomes U+FFFD).
            let bytes = (0..<random.below(120)).map { _ in UInt8(truncatingIfNeeded: random.next()) }
            return String(decoding: bytes, as: UTF8.self)
        default:
            // Command names with any words at all.
            let name = random.pick(Self.names)
            return ([name] + (0..<random.below(6)).map { _ in random.chance(30) ? random.pick(Self.hostileWords) : random.pick(Self.corpusWords) })
                .joined(separator: " ")
        }
    }

    private mutating func mutateCharacters(_ line: String) -> String {
        var c = Array(line)
        for _ in 0..<(1 + random.below(4)) {
            switch random.below(5) {
            case 0: c.insert(random.pick(Self.alphabet), at: random.below(c.count + 1))
            case 1: if !c.isEmpty { c.remove(at: random.below(c.count)) }
            case 2: if !c.isEmpty { c[random.below(c.count)] = random.pick(Self.alphabet) }
            case 3: c = Array(c.prefix(random.below(c.count + 1)))
            default:
                let from = random.below(c.count + 1)
                c.insert(contentsOf: c[from..<min(c.count, from + random.below(16))], at: random.below(c.count + 1))
            }
        }
        return String(c)
    }

    private mutating func mutateWords(_ line: String) -> String {
        var words = line.split(separator: " ", omittingEmptySubsequences: false).map(String.init)
        if words.isEmpty { words = [""] }
        switch random.below(4) {
        case 0: words[random.below(words.count)] = random.pick(Self.hostileWords)
        case 1: words.append(random.pick(Self.hostileWords))
        case 2: words.remove(at: random.below(words.count))
        default: words.insert(random.pick(Self.corpusWords), at: random.below(words.count + 1))
        }
        return words.joined(separator: random.chance(10) ? "  \t" : " ")
    }
}

/// What the test does to a line before the shell sees it, so the run stays
/// short and stays in its own corner: nothing is excluded by name, but lines
/// that would wait (`sleep`, `wait`, `handshake`, `tick PEER`; Enter in the
/// tour) are skipped, files go to the test's directory, and no socket binds
/// or talks to a port another test may be using.
enum LineGuard {
    /// The command a line runs, found as the shell finds it (an unambiguous prefix will do).
    static func command(_ words: [String]?) -> CommandSpec? {
        guard let first = words?.first, case let .found(spec) = CommandTable.lookup(first) else { return nil }
        return spec
    }

    static func wouldBlock(_ line: String, words: [String]?, spec: CommandSpec?, inTour: Bool) -> Bool {
        guard let words else { return false }
        if inTour && line.allSatisfy({ $0 == " " || $0 == "\t" }) { return true }
        switch spec?.name {
        case "sleep", "wait", "handshake": return true
        case "tick": return words.count > 1
        default: return false
        }
    }

    /// Quotes a word so the tokenizer gives it back unchanged.
    static func quote(_ w: String) -> String { "'" + w.replacingOccurrences(of: "'", with: "'\\''") + "'" }

    static func confine(_ line: String, words: [String]?, spec: CommandSpec?, directory: String) -> String {
        guard let words, let spec else { return line }
        switch spec.name {
        case "capture", "keylog", "record", "source":
            guard words.count > 1, words[1] != "off" else { return line }
            var w = words
            w[1] = directory + "/" + w[1].replacingOccurrences(of: "/", with: "_")
            return w.map(quote).joined(separator: " ")
        case "open", "connect":
            // Ports: 0 to bind, 9 (discard, nothing listens) to talk to.
            let port = spec.name == "open" ? "0" : "9"
            var out = ""
            var afterColon = false, inDigits = false
            for ch in line {
                if afterColon && ch.isASCII && ch.isNumber {
                    if !inDigits { out += port; inDigits = true }
                    continue
                }
                inDigits = false
                afterColon = ch == ":"
                out.append(ch)
            }
            if spec.name == "open" {
                out = out.split(separator: " ", omittingEmptySubsequences: false)
                    .map { $0.allSatisfy { $0.isASCII && $0.isNumber } && !$0.isEmpty ? "0" : String($0) }.joined(separator: " ")
            }
            return out
        default:
            return line
        }
    }
}

/// The state `sockets`, `peers` and `set` show, read from the engine.
struct ShellSnapshot: Equatable {
    var sockets: [String]
    var peers: [String]
    var settings: String
    var trace: String

    init(_ shell: Shell) {
        let e = shell.engine
        sockets = e.sockets.map { "\($0.name) \($0.localAddress) \($0.accepting) \($0.peerCount) \($0.outbound.count)" }
        peers = e.peers.map { p in
            "\(p.name) \(p.role) \(p.socket.name) \(p.address) \(p.status) \(p.inboundQueue.count)/\(p.outboundQueue.count) "
                + "\(p.stateDescription) \(p.counters.messagesOut) \(p.counters.datagramsOut) \(p.received.count)"
        }
        settings = String(describing: e.settings)
        trace = shell.trace.rawValue
    }
}

/// The shell and the script runner under hostile input: random and mutated
/// command lines through `Shell.execute`. No crash, no hang; a failed command
/// prints exactly one line and changes nothing; the shell and its engine go
/// away when dropped (no leaked sockets).
///
/// The number of lines comes from `DTLSH_SHELL_FUZZ_LINES` or a tenth of
/// `DTLSH_FUZZ_ITERATIONS` (default 5000; `make fuzz`: 100000), the seed from
/// `DTLSH_FUZZ_SEED`.
@Suite struct ShellFuzzTests {
    static let environment = ProcessInfo.processInfo.environment
    /// Lines per run: DTLSH_SHELL_FUZZ_LINES, else a tenth of DTLSH_FUZZ_ITERATIONS
    /// (`make fuzz`: 100000 lines beside a million datagrams), else 5000.
    static let iterations = environment["DTLSH_SHELL_FUZZ_LINES"].flatMap { Int($0) }
        ?? environment["DTLSH_FUZZ_ITERATIONS"].flatMap { Int($0) }.map { max(1, $0 / 10) } ?? 5_000
    static let seed = environment["DTLSH_FUZZ_SEED"].flatMap { UInt64($0) } ?? 0x5e11_f022

    /// A directory with the awkward files the corpus names.
    static func workDirectory() throws -> String {
        let dir = NSTemporaryDirectory() + "dtlsh-shellfuzz-\(UUID().uuidString.prefix(8))"
        let fm = FileManager.default
        try fm.createDirectory(atPath: dir + "/dir", withIntermediateDirectories: true)
        try #require(mkfifo(dir + "/fifo", 0o600) == 0)
        try fm.createSymbolicLink(atPath: dir + "/link", withDestinationPath: "/dev/null")
        try Data([0x73, 0x74, 0x61, 0x74, 0x73, 0x00, 0x0a]).write(to: URL(fileURLWithPath: dir + "/binary.dtlsh"))
        try "echo from a script\nsockets\nset seed 5\nstats\n".write(toFile: dir + "/script.dtlsh", atomically: true, encoding: .utf8)
        return dir
    }

    /// SPEC.md's first handshake by hand, so that later lines meet established peers.
    static let firstHandshake = [
        "open srv accept", "open cli", "connect c1 cli srv", "step c1", "flush c1", "recv srv", "flush srv", "recv cli",
        "step c1", "flush c1", "recv srv", "step srv.1", "flush srv.1", "recv cli", "step c1", "flush c1", "recv srv",
        "step srv.1", "flush srv.1", "recv cli", "step c1", "send c1 hello", "flush c1", "recv srv", "read srv.1",
    ]

    static func newShell(_ sink: @escaping (String) -> Void, established: Bool = false) -> Shell {
        let shell = Shell(output: sink)
        shell.variables = ["PEER": "c1", "BIG": String(repeating: "z", count: 2000), "EMPTY": ""]
        if established {
            for line in firstHandshake { shell.execute(line) }
        }
        return shell
    }

    @Test func hostileCommandLines() throws {
        let dir = try Self.workDirectory()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        var printed: [String] = []
        var shell = Self.newShell { printed.append($0) }
        var lines = HostileLines(seed: Self.seed)
        var executed = 0, failed = 0, skipped = 0, shells = 1, established = 0
        var problems: [String] = []
        var slowest = 0.0, slowestLine = ""
        var leaked = 0
        var timeByCommand: [String: Double] = [:]
        var snapshot: ShellSnapshot?
        let clock = ContinuousClock()
        let started = clock.now
        func seconds(_ d: Swift.Duration) -> Double { Double(d.components.seconds) + Double(d.components.attoseconds) * 1e-18 }

        for i in 0..<Self.iterations {
            // A fresh shell now and then: state stays small, and the old one must go away.
            if i > 0 && i % 250 == 0 {
                weak let old = shell
                weak let oldEngine = shell.engine
                // Every other shell starts with an established pair.
                shell = Self.newShell({ printed.append($0) }, established: shells % 2 == 1)
                if shells % 2 == 1 {
                    established += shell.engine.peers.filter { $0.status == .established }.count == 2 ? 1 : 0
                }
                snapshot = nil
                shells += 1
                if old != nil || oldEngine != nil { leaked += 1 }
            }
            let raw = lines.next()
            let words = try? Tokenizer.words(raw)
            let spec = LineGuard.command(words)
            let inTour = shell.prompt.hasPrefix("tour")
            if LineGuard.wouldBlock(raw, words: words, spec: spec, inTour: inTour) {
                skipped += 1
                continue
            }
            let line = LineGuard.confine(raw, words: words, spec: spec, directory: dir)
            // The state after the last line is the state before this one: nothing moves between lines.
            let before = snapshot ?? ShellSnapshot(shell)
            snapshot = nil
            let failuresBefore = shell.failures
            printed.removeAll(keepingCapacity: true)
            let t0 = clock.now
            let ok = shell.execute(line)
            let took = seconds(clock.now - t0)
            if took > slowest { slowest = took; slowestLine = line }
            executed += 1
            let name = spec?.name
            timeByCommand[name ?? "(none)", default: 0] += took
            func problem(_ what: String) {
                if problems.count < 10 {
                    let shown = line.count > 200 ? String(line.prefix(200)) + "…" : line
                    problems.append("line \(i) \(shown.debugDescription): \(what); printed \(printed.prefix(5).map { String($0.prefix(200)) })")
                }
            }
            if ok {
                if shell.failures != failuresBefore { problem("succeeded but counted a failure") }
                continue
            }
            let after = ShellSnapshot(shell)
            snapshot = after
            failed += 1
            if shell.failures != failuresBefore + 1 { problem("failures went from \(failuresBefore) to \(shell.failures)") }
            if name == "source" || inTour {
                // The script's own lines print what they print; the failure is the last line
                // (in the tour, the first, before the tour repeats its step).
                if printed.isEmpty { problem("failed silently") }
            } else {
                if printed.count != 1 { problem("failed with \(printed.count) lines") }
                if printed.first?.isEmpty != false { problem("failed with an empty line") }
                if after != before { problem("failed but changed state:\n  before \(before)\n  after  \(after)") }
            }
        }
        weak let last = shell
        shell = Self.newShell { _ in }
        if last != nil { leaked += 1 }
        let elapsed = seconds(clock.now - started)
        print("shell fuzz: \(Self.iterations) lines in \(String(format: "%.1f", elapsed)) s (\(Int(Double(Self.iterations) / max(elapsed, 1e-9))) /s), "
              + "seed \(Self.seed): \(executed) run, \(failed) failed, \(skipped) skipped as blocking; \(shells) shells, "
              + "\(established) begun with an established pair, \(leaked) not freed; slowest line \(String(format: "%.3f", slowest)) s: \(String(slowestLine.prefix(80)).debugDescription)")
        print("shell fuzz: time by command: " + timeByCommand.sorted { $0.value > $1.value }.prefix(8).map { "\($0.key) \(String(format: "%.2f", $0.value)) s" }.joined(separator: ", "))
        #expect(problems.isEmpty, "\(problems.joined(separator: "\n"))")
        #expect(established == shells / 2, "the first handshake by hand worked in \(established) of \(shells / 2) shells")
        #expect(leaked == 0, "\(leaked) shells or engines outlived their use")
        #expect(slowest < 2, "a line took \(slowest) s")
        #expect(failed > executed / 10, "the fuzzer mostly hit lines that work: \(failed) of \(executed) failed")
    }
}

/// `dtlsh run` (a real subprocess) over a few hundred scripts, each a few
/// good lines, one hostile line that fails, and a marker that must never
/// print: the failure is named `FILE:LINE:`, the script stops there, the exit
/// status is 1 — and with `--keep-going` every marker prints, still exit 1.
@Suite struct HostileScriptTests {
    static let scripts = ProcessInfo.processInfo.environment["DTLSH_HOSTILE_SCRIPTS"].flatMap { Int($0) } ?? 300

    /// Lines that succeed in any shell, in any order.
    static let goodLines = ["echo a good line", "set seed 7", "trace flights", "trace records", "stats", "sockets", "peers",
                            "timers", "tick", "history", "help step", "set mtu 1200", "explain", "ladder", "pending", "errors",
                            "# a comment", "", "set", "auto off"]

    /// Runs `dtlsh ARGS` in `directory`; kills it after `timeout` seconds.
    static func run(_ args: [String], in directory: String, timeout: Double = 60) throws -> (status: Int32?, stdout: String, stderr: String) {
        let p = try Subprocess(BuiltProduct.dtlsh, args, directory: directory)
        p.closeInput()
        let status = p.waitExitOrKill(timeout: timeout)
        return (status, p.stdout, p.stderr)
    }

    @Test func scriptsWithABadLineStopThereNameItAndExitOne() throws {
        let dir = try ShellFuzzTests.workDirectory()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        var lines = HostileLines(seed: ShellFuzzTests.seed ^ 0x5c71)
        var scripts: [(path: String, bad: Int, marker: String)] = []
        var attempts = 0
        while scripts.count < Self.scripts && attempts < Self.scripts * 50 {
            attempts += 1
            let raw = lines.next()
            // A script line has no newline, and a NUL would make the file binary.
            guard !raw.contains("\n"), !raw.contains("\0") else { continue }
            let words = try? Tokenizer.words(raw)
            let spec = LineGuard.command(words)
            // recv reads what the network delivered by then: not the same in two processes.
            guard !LineGuard.wouldBlock(raw, words: words, spec: spec, inTour: false), spec?.name != "recv" else { continue }
            let bad = LineGuard.confine(raw, words: words, spec: spec, directory: dir)
            let n = scripts.count
            let good = (0..<lines.random.below(6)).map { _ in lines.random.pick(Self.goodLines) } + ["open s\(n)"]
            let marker = "AFTER-THE-BAD-LINE-\(n)"
            let path = dir + "/script-\(n).dtlsh"
            try (good + [bad, "echo \(marker)"]).joined(separator: "\n").write(toFile: path, atomically: true, encoding: .utf8)
            // The oracle: the same script in this process must fail on that line.
            var out: [String] = []
            let shell = Shell(output: { out.append($0) })
            guard !shell.runScript(path: path), out.contains(where: { $0.hasPrefix("\(path):\(good.count + 1): ") }) else {
                try? FileManager.default.removeItem(atPath: path)
                continue
            }
            scripts.append((path, good.count + 1, marker))
        }
        try #require(scripts.count == Self.scripts, "only \(scripts.count) scripts in \(attempts) attempts")

        var started = Date()
        var problems: [String] = []
        for chunk in stride(from: 0, to: scripts.count, by: 30).map({ Array(scripts[$0..<min(scripts.count, $0 + 30)]) }) {
            let r = try Self.run(["run"] + chunk.map(\.path), in: dir)
            if r.status != 1 { problems.append("exit \(r.status.map(String.init) ?? "none (killed)") for \(chunk.count) scripts: \(r.stderr)") }
            let printed = r.stdout.split(separator: "\n", omittingEmptySubsequences: false)
            for s in chunk {
                if !printed.contains(where: { $0.hasPrefix("\(s.path):\(s.bad): ") }) {
                    problems.append("\(s.path): no '\(s.path):\(s.bad): ' line")
                }
                if printed.contains(where: { $0 == s.marker }) { problems.append("\(s.path): ran past its failure") }
            }
        }
        let seconds = Date().timeIntervalSince(started)
        started = Date()
        let keepGoing = try Self.run(["run", "--keep-going"] + scripts.prefix(30).map(\.path), in: dir)
        #expect(keepGoing.status == 1)
        for s in scripts.prefix(30) {
            #expect(keepGoing.stdout.split(separator: "\n").contains { $0 == s.marker }, "--keep-going stopped in \(s.path)")
        }
        print("hostile scripts: \(scripts.count) scripts (from \(attempts) candidates) through dtlsh run in "
              + String(format: "%.1f s", seconds) + "; --keep-going over 30 in " + String(format: "%.1f s", Date().timeIntervalSince(started)))
        #expect(problems.isEmpty, "\(problems.prefix(10).joined(separator: "\n"))")
    }
}
