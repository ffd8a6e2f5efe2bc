import DTLSPlex
import DTLSWire

/// Turns engine events into lines of text for a person, at a trace level.
public struct EventText {
    public var level: TraceLevel
    public var style: TextStyle
    /// Print times as offsets (`[  1.234]`); off for stable transcripts.
    public var showTime: Bool
    /// Print application messages as `< text` / `> text`.
    public var showData: Bool
    /// The diagnosis of a peer's failed handshake (HandshakeDiagnosis), by
    /// peer name, added to its failure line: the renderer sees only events,
    /// the owner of the engine sees the peer.
    public var diagnosis: ((String) -> HandshakeDiagnosis?)?

    public init(level: TraceLevel = .off, style: TextStyle = TextStyle(enabled: false), showTime: Bool = false,
                showData: Bool = true) {
        self.level = level
        self.style = style
        self.showTime = showTime
        self.showData = showData
    }

    /// The events these lines are made from, for `Engine.subscribe`.
    public var interest: EventInterest {
        var i: EventInterest = .lifecycle
        if level >= .flights { i.formUnion([.datagrams, .protocolDetail]) }
        if showData { i.insert(.data) }
        return i
    }

    public func lines(_ e: Event) -> [String] {
        var out: [String] = []
        forEachLine(e) { out.append($0) }
        return out
    }

    /// The lines of `e` one at a time, gathered nowhere: a server hands each
    /// to its output as it comes (an array per event shows in its profile).
    public func forEachLine(_ e: Event, _ body: (String) -> Void) {
        let who = e.peer ?? e.socket ?? "-"
        func say(_ text: String, _ tone: TextStyle.Tone = .plain) {
            var line = Self.joined(style.paint(who, .heading), ": ", style.paint(text, tone))
            if showTime {
                let t = String(Int((e.time * 1000).rounded()))
                line = "[" + String(repeating: " ", count: max(0, 7 - t.count)) + t + "ms] " + line
            }
            body(line)
        }
        /// `say` for the lines every peer gets (established, closed): without
        /// colour or time the parts go into the line as they are, one
        /// allocation in all where joining them first would make two.
        func say(parts a: String, _ b: String, _ c: String = "", _ d: String = "", _ e: String = "",
                 _ tone: TextStyle.Tone = .plain) {
            if style.enabled || showTime { return say(Self.joined(a, b, c, d, e), tone) }
            body(Self.joined(who, ": ", a, b, c, d, e))
        }
        switch e.kind {
        case let .socketOpened(address, accepting):
            say((accepting ? "listening on " : "bound to ") + address.description, .good)
        case .socketClosed:
            say("socket closed")
        case let .datagramIn(from, bytes):
            guard level >= .flights else { break }
            say("◀ \(bytes.count) B from \(from)  \(WireSummary.datagram(bytes))"
                + (e.mark.map { "  [\($0.rawValue), queued in by hand]" } ?? ""), .inbound)
            detail(bytes).forEach(body)
        case let .datagramOut(to, bytes):
            guard level >= .flights else { break }
            say("▶ \(bytes.count) B to \(to)  \(WireSummary.datagram(bytes))" + (e.mark.map { "  [\($0.rawValue)]" } ?? ""),
                .outbound)
            detail(bytes).forEach(body)
        case .record, .handshakeMessage:
            break
        case let .state(from, to):
            guard level >= .records else { break }
            say("state: \(from) → \(to)", .dim)
        case let .cookieSent(to, length):
            guard level >= .flights else { break }
            say("HelloVerifyRequest queued for \(to) (cookie \(length) B, no state kept)", .dim)
        case let .cookieOK(from):
            say("cookie from \(from) verified: admitting", .good)
        case let .cookieBad(from):
            say("cookie from \(from) is wrong: answering with a new HelloVerifyRequest", .warning)
        case let .peerCreated(role, address):
            say("new \(role.rawValue) peer for \(address)")
        case let .established(version, cipher, srtp):
            say(parts: "established ", version, " ", cipher, srtp.map { " SRTP " + $0 } ?? "", .good)
        case let .appData(direction, bytes):
            guard showData else { break }
            say((direction == .inbound ? "< " : "> ") + PrintableText.message(bytes), direction == .inbound ? .inbound : .outbound)
        case let .alert(direction, level, description):
            say("alert \(direction == .inbound ? "received" : "sent"): \(level) \(description)",
                level == "fatal" ? .bad : .warning)
        case let .timer(seconds):
            guard level >= .flights else { break }
            if let seconds {
                say("retransmission timer armed: \(Self.seconds(seconds))", .dim)
            } else {
                say("retransmission timer stopped", .dim)
            }
        case let .retransmit(count):
            guard level >= .flights else { break }
            say("timer expired: last flight resent (retransmission \(count))", .warning)
        case let .peerEvicted(reason):
            say("evicted: \(reason)" + (e.peer.flatMap { diagnosis?($0) }.map { " — " + $0.sentence } ?? ""), .warning)
        case let .peerClosed(reason):
            say(parts: "closed: ", reason)
        case let .error(error):
            say("error: \(error)" + (e.peer.flatMap { diagnosis?($0) }.map { " — " + $0.sentence } ?? ""), .bad)
        case let .dropped(direction, from, size, reason):
            let whence = from.map { " from \($0)" } ?? ""
            say("dropped \(direction == .inbound ? "incoming" : "outgoing") \(size) B\(whence): \(reason)", .warning)
        }
    }

    private func detail(_ bytes: [UInt8]) -> [String] {
        var out: [String] = []
        if level >= .records {
            out += WireSummary.records(bytes).map { "    " + $0 }
        }
        if level >= .bytes {
            out += WireSummary.fields(bytes).map { "      " + $0 }
            out += HexDump.lines(bytes).map { "      " + style.paint($0, .dim) }
        }
        return out
    }

    static func seconds(_ s: Double) -> String {
        let ms = Int((s * 1000).rounded())
        return ms < 1000 ? "\(ms) ms" : "\(Double(ms) / 1000) s"
    }

    /// The parts end to end in one allocation: interpolation and `+=` grow
    /// and copy piece by piece (hundreds of instructions each), and a server
    /// writes a line for every peer established and ended. (Parameters, not
    /// a variadic array: that would be one more allocation.)
    static func joined(_ a: String, _ b: String, _ c: String = "", _ d: String = "", _ e: String = "",
                       _ f: String = "", _ g: String = "") -> String {
        let count = a.utf8.count + b.utf8.count + c.utf8.count + d.utf8.count + e.utf8.count + f.utf8.count + g.utf8.count
        return String(unsafeUninitializedCapacity: count) { buffer in
            // Not a nested function over a captured `var`: that one would be
            // checked for exclusive access at run time on every call.
            var end = copy(a, into: buffer, at: 0)
            end = copy(b, into: buffer, at: end)
            end = copy(c, into: buffer, at: end)
            end = copy(d, into: buffer, at: end)
            end = copy(e, into: buffer, at: end)
            end = copy(f, into: buffer, at: end)
            return copy(g, into: buffer, at: end)
        }
    }

    /// Copies `part`'s UTF-8 into `buffer` from `start`; returns where it ends.
    private static func copy(_ part: String, into buffer: UnsafeMutableBufferPointer<UInt8>, at start: Int) -> Int {
        // Native and small strings are contiguous: one copy each.
        let copied: Void? = part.utf8.withContiguousStorageIfAvailable { bytes in
            if let from = bytes.baseAddress, !bytes.isEmpty {
                (buffer.baseAddress! + start).initialize(from: from, count: bytes.count)
            }
        }
        if copied != nil { return start + part.utf8.count }
        var end = start
        for byte in part.utf8 {
            buffer[end] = byte
            end += 1
        }
        return end
    }
}

/// Descriptions of datagrams from their bytes (DTLSWire's decoder), for traces.
public enum WireSummary {
    /// "ClientHello (cookie 32 B)" / "ServerHello, Certificate, … " / "encrypted ApplicationData".
    public static func datagram(_ bytes: [UInt8]) -> String {
        DatagramDecoder.decode(bytes).summaryLine
    }

    public static func records(_ bytes: [UInt8]) -> [String] {
        DatagramDecoder.decode(bytes).recordLines
    }

    /// Every decoded field, then the bytes.
    public static func fields(_ bytes: [UInt8]) -> [String] {
        FieldTree.lines(DatagramDecoder.decode(bytes).fields)
    }
}
