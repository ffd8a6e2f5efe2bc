import DTLSPlex
import DTLSWire

/// A relay's events as lines for a person: one per datagram from the flights
/// level up (a datagram the relay did not simply forward always shows), the
/// records from `records` up, a hex dump at `bytes`.
public struct RelayEventText: Sendable {
    public var level: TraceLevel
    public var style: TextStyle

    public init(level: TraceLevel, style: TextStyle = TextStyle(enabled: false)) {
        self.level = level
        self.style = style
    }

    public func lines(_ e: RelayEvent) -> [String] {
        let who = e.leg ?? e.relay
        switch e.kind {
        case let .opened(listen, upstream):
            return ["\(e.relay): listening on \(listen), forwarding to \(upstream)"]
        case let .legOpened(client, via, server):
            return [style.paint("\(who): new client \(client), to \(server) from \(via)", .heading)]
        case let .datagram(direction, action, bytes, seen, reason, recovery):
            guard level >= .flights || action != .forwarded else { return [] }
            return datagramLines(who, direction, action, bytes, seen, reason, recovery)
        case let .held(direction, bytes, seen, position):
            guard level >= .flights else { return [] }
            var lines = datagramLines(who, direction, .forwarded, bytes, seen, nil, nil)
            lines[0] += style.paint(" — held, \(direction.rawValue) \(position) (flush \(who) \(direction.rawValue))", .dim)
            return lines
        case .handshakeCompleted:
            return [style.paint("\(who): handshake completed (inferred: records at epoch 1 both ways)", .good)]
        case let .upstreamUnreachable(server):
            return [style.paint("\(who): upstream unreachable: \(server) answered ICMP port unreachable", .bad)]
        case let .refused(from, size, reason):
            return [style.paint("\(who): refused \(size) B from \(from): \(reason)", .warning)]
        case let .legClosed(reason):
            return ["\(who): closed (\(reason))"]
        case let .totals(t):
            return ["\(who) totals: client \(t.client), \(t.up) datagrams up, \(t.down) down, \(t.dropped) dropped, "
                    + "\(t.duplicated) duplicated, \(t.reordered) reordered, \(t.delayed) delayed, \(t.edited) edited, handshake "
                    + (t.handshakeCompleted ? "completed (inferred)" : "not completed")]
        }
    }

    private func datagramLines(_ who: String, _ direction: RelayDirection, _ action: RelayAction, _ bytes: [UInt8],
                               _ seen: FlightObservation, _ reason: String?, _ recovery: String?) -> [String] {
        let arrow = direction == .up ? "client -> server" : "client <- server"
        var what = seen.names.isEmpty ? "no records" : seen.names.joined(separator: ", ")
        if let f = seen.flight {
            what = "flight \(f)\(seen.inferred ? " (inferred)" : "")\(seen.isResend ? " RESEND" : ""): " + what
        } else if let why = seen.unclassifiable, seen.encrypted < seen.names.count {
            what += " (\(why))"
        }
        var line = "\(who) \(arrow) \(bytes.count) B \(what)"
        if action != .forwarded {
            line += " — " + action.rawValue.uppercased() + (reason.map { " (\($0))" } ?? "")
        }
        if let recovery { line += "; \(recovery)" }
        let tone: TextStyle.Tone = action == .dropped ? .bad : action == .forwarded ? (direction == .up ? .outbound : .inbound) : .warning
        var out = [style.paint(line, tone)]
        if level >= .records {
            for r in RecordLayer.split(bytes).records {
                let h = r.header
                out.append(style.paint("    record \(ContentType.name(h.contentType)) epoch=\(h.epoch) seq=\(h.sequence) "
                                       + "len=\(h.length)\(h.epoch > 0 ? " (encrypted)" : "")", .dim))
            }
        }
        if level >= .bytes {
            out += HexDump.lines(bytes).map { style.paint("    " + $0, .dim) }
        }
        return out
    }
}
