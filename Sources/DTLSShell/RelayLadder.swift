import DTLSPlex
import DTLSWire

/// `ladder LEG`: three lifelines, client | dtlsh | server, one row per
/// datagram that crossed the leg: its flight (numbered from the headers),
/// resends marked, and what dtlsh did with it (x where it was lost).
enum RelayLadder {
    static let width = 30

    static func lines(_ leg: RelayLeg, server: SocketAddress, unicode: Bool) -> [String] {
        let bar = unicode ? "│" : "|", dash = unicode ? "─" : "-"
        let right = unicode ? "▶" : ">", left = unicode ? "◀" : "<"
        func fit(_ s: String, _ n: Int) -> String {
            s.count >= n ? String(s.prefix(n)) : s + String(repeating: " ", count: n - s.count)
        }
        func center(_ s: String) -> String {
            let n = max(0, width + 1 - s.count)
            return String(repeating: " ", count: n / 2) + s + String(repeating: " ", count: n - n / 2)
        }
        /// A labelled arrow of `width` characters.
        func arrow(_ label: String, up: Bool) -> String {
            let text = label.isEmpty ? "" : " \(label) "
            let room = width - 3
            let shown = text.count > room ? String(text.prefix(room - 1)) + "…" : text
            let fill = String(repeating: dash, count: max(0, room - shown.count))
            return up ? dash + dash + shown + fill + right : left + dash + dash + shown + fill
        }
        var out = [center("client") + center("dtlsh " + leg.name) + center("server"),
                   center(leg.client.description) + center("") + center(server.description)]
        guard !leg.history.isEmpty else { return out + ["(nothing has crossed \(leg.name) yet)"] }
        for e in leg.history {
            let o = e.observation
            var label = o.flight.map { "\($0)\(o.inferred ? "?" : "")\(o.isResend ? " re" : "") " } ?? ""
            label += o.names.isEmpty ? "\(e.size)B" : o.names.joined(separator: ",")
            let passed = e.action != nil && e.action != .dropped
            let stop = e.action == nil ? "held" : "x lost"
            let note = e.action.map { $0 == .forwarded || $0 == .dropped ? "" : "  " + $0.rawValue } ?? ""
            if e.direction == .up {
                let onward = passed ? arrow("", up: true) : fit(" " + stop, width)
                out.append(bar + arrow(label, up: true) + bar + onward + bar + note)
            } else {
                let onward = passed ? arrow("", up: false)
                    : String(repeating: " ", count: max(0, width - stop.count - 1)) + stop + " "
                out.append(bar + onward + bar + arrow(label, up: false) + bar + note)
            }
        }
        out.append("flights from the handshake headers (RFC 6347 §4.2.4); ? inferred from an encrypted record; re: a resend")
        return out
    }
}
