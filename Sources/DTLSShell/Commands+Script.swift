import DTLSPlex
import DTLSWire
import Glibc

extension Shell {
    /// Runs a script's lines; stops at the first failure unless `keepGoing`.
    /// Returns whether every line succeeded.
    @discardableResult
    public func runScript(path: String, keepGoing: Bool = false) -> Bool {
        let text: String
        do { text = try TextFile.read(path) } catch {
            return fail("\(error)")
        }
        guard sourceDepth < 16 else { return fail("source nested more than 16 deep") }
        sourceDepth += 1
        defer { sourceDepth -= 1 }
        let saved = location
        defer { location = saved }
        var ok = true
        for (i, line) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            location = "\(path):\(i + 1)"
            if showsCommands {
                let command = line.trimmingTrailingBlanks
                if let first = command.first(where: { $0 != " " && $0 != "\t" }), first != "#" { say("dtlsh> " + command) }
            }
            if !execute(String(line)) {
                ok = false
                if !keepGoing { break }
            }
            if quitRequested { break }
        }
        return ok
    }

    func sourceCommand(_ a: Arguments) throws {
        guard runScript(path: a[0]) else { throw ShellError.reported }
    }

    func sleepCommand(_ a: Arguments) throws {
        let d = try a.duration(0)
        guard d <= 60 else { throw ShellError.message("sleep is at most 60s") }
        usleep(UInt32(d * 1_000_000))
    }

    func statsCommand() {
        let s = engine.statistics
        say("datagrams   \(s.datagramsIn) in (\(s.bytesIn) B), \(s.datagramsOut) out (\(s.bytesOut) B)")
        say("cookies     \(s.cookiesSent) sent, \(s.cookiesOK) verified, \(s.cookiesBad) wrong")
        say("peers       \(s.peersCreated) created, \(engine.peers.count) now, \(s.peersClosed) closed, \(s.peersEvicted) evicted")
        say("handshakes  \(s.handshakesCompleted) completed, \(s.handshakesFailed) failed, \(s.retransmits) retransmissions")
        say("messages    \(s.messagesIn) in, \(s.messagesOut) out")
        say("dropped     \(s.droppedTotal)")
        for (reason, n) in s.dropped.sorted(by: { $0.key < $1.key }) { say("  \(n)  \(reason)") }
    }

    func historyCommand() {
        for (i, line) in history.enumerated() { say(String(i + 1).leftPad(4) + "  " + line) }
    }

    func helpCommand(_ a: Arguments) throws {
        if a.count == 1 {
            let spec: CommandSpec
            switch CommandTable.lookup(a[0]) {
            case let .found(s): spec = s
            case let .ambiguous(names): throw ShellError.message("'\(a[0])' is ambiguous: \(names.joined(separator: ", "))")
            case let .unknown(near):
                throw ShellError.message("no command '\(a[0])'" + (near.isEmpty ? "" : "; did you mean \(near.joined(separator: " or "))?"))
            }
            say(heading("usage: \(spec.usage)"))
            say("  " + spec.summary)
            if !spec.detail.isEmpty { spec.detail.split(separator: "\n").forEach { say("  " + $0) } }
            say("  example: \(spec.example)")
            return
        }
        let width = CommandTable.all.map(\.usage.count).filter { $0 <= 40 }.max() ?? 30
        for group in CommandTable.groups {
            say(heading(group))
            for spec in CommandTable.all where spec.group == group && spec.name != "exit" {
                let usage = spec.usage.count > 40 ? spec.name + " …" : spec.usage
                say("  " + usage + String(repeating: " ", count: max(2, width + 2 - usage.count)) + spec.summary)
            }
        }
        say("Commands may be shortened to any unambiguous prefix. help COMMAND for details and an example.")
    }

    func expectCommand(_ a: Arguments) throws {
        if ["state", "message"].contains(a[0]), a.count == 3, let (_, leg) = relays.leg(named: a[1]) {
            return try expectLeg(leg, a)
        }
        let what = a[0]
        func check(_ ok: Bool, _ expected: String, _ saw: String) throws {
            if !ok { throw ShellError.expectation("expected \(expected), saw \(saw)") }
        }
        switch what {
        case "state":
            guard a.count == 3 else { throw ShellError.message("expect state PEER established|handshaking|closed|failed") }
            let want = a[2]
            guard Peer.Status(rawValue: want) != nil else {
                throw ShellError.message("state must be established, handshaking, closed or failed, not '\(want)'")
            }
            let saw = engine.peer(named: a[1])?.status.rawValue ?? endedPeers[a[1]]?.rawValue ?? "no peer named \(a[1])"
            try check(saw == want, "\(a[1]) \(want)", saw)
        case "data":
            guard a.count == 3 else { throw ShellError.message("expect data PEER \"TEXT\"") }
            let p = try a.peer(1)
            let want = Array(a[2].utf8)
            let seen = p.received + (lastRead[p.name].map { [$0] } ?? [])
            try check(seen.contains(want), "\(p.name) to have received \"\(a[2])\"",
                      seen.isEmpty ? "no message" : seen.map { "\"\(PrintableText.message($0))\"" }.joined(separator: ", "))
        case "message":
            guard a.count == 3 else { throw ShellError.message("expect message PEER NAME") }
            let p = try a.peer(1)
            let lastIn = p.flights.last { $0.direction == .inbound }?.messages ?? []
            let lastOut = p.flights.last { $0.direction == .outbound }?.messages ?? []
            let seen = lastIn + lastOut
            try check(seen.contains { $0 == a[2] || $0.hasPrefix(a[2] + "(") }, "\(a[2]) in \(p.name)'s last flights",
                      seen.isEmpty ? "no messages" : "in: \(lastIn.joined(separator: ", ")); out: \(lastOut.joined(separator: ", "))")
        case "error":
            guard a.count == 3 else { throw ShellError.message("expect error PEER NAME") }
            let p = try a.peer(1)
            let want = a[2].lowercased()
            var seen: [String] = []
            if let e = p.lastSSLError { seen.append(e.name) }
            if let e = p.lastError { seen += e.queue.map(\.reason) }
            if let r = p.endReason { seen.append(r) }
            try check(seen.contains { $0.lowercased().contains(want) }, "error \(a[2]) on \(p.name)",
                      seen.isEmpty ? "no error" : seen.joined(separator: "; "))
        case "alert":
            guard a.count == 3 else { throw ShellError.message("expect alert PEER NAME") }
            let p = try a.peer(1)
            let seen = p.alerts.map(\.1)
            try check(seen.contains { $0.lowercased().contains(a[2].lowercased()) }, "alert \(a[2]) on \(p.name)",
                      seen.isEmpty ? "no alert" : seen.joined(separator: "; "))
        case "pending":
            guard a.count == 4 else { throw ShellError.message("expect pending PEER in|out N") }
            let p = try a.peer(1)
            let d = try a.direction(2)
            let n = try a.int(3, "N", in: 0...1_000_000)
            let saw = d == .inbound ? p.inboundQueue.count : p.outboundQueue.count
            try check(saw == n, "\(n) \(d.rawValue)bound datagrams pending on \(p.name)", String(saw))
        case "peers":
            guard a.count == 3 else { throw ShellError.message("expect peers SOCKET N") }
            let s = try a.socket(1)
            let n = try a.int(2, "N", in: 0...1_000_000)
            try check(s.peerCount == n, "\(n) peers on \(s.name)", String(s.peerCount))
        default:
            throw ShellError.message("expect state|data|message|error|alert|pending|peers, not '\(what)'")
        }
    }
}

extension String {
    func leftPad(_ n: Int) -> String { String(repeating: " ", count: max(0, n - count)) + self }
}

extension Substring {
    /// The line without the blanks (and carriage return) at its end.
    var trimmingTrailingBlanks: String {
        var s = self
        while let last = s.last, last == " " || last == "\t" || last == "\r" { s = s.dropLast() }
        return String(s)
    }
}
