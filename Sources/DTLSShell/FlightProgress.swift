import DTLSPlex

/// Where one peer's handshake stands, counted in RFC 6347 flights: the last
/// one it wrote, the last one OpenSSL read from the other side, and what it
/// waits for. Read from `Peer.flights` (what OpenSSL itself processed), not
/// from the wire, so a datagram still queued does not count as read.
struct FlightProgress {
    var sent: Int?
    var read: Int?
    /// The messages of those two flights, each named once (a resent flight
    /// repeats them in `Peer.flights`).
    var sentMessages: [String] = []
    var readMessages: [String] = []

    /// `cookieRound`: the server's ClientHello came after a HelloVerifyRequest
    /// (its listener's round is not in the peer's own story).
    init(_ p: Peer, cookieRound: Bool) {
        var afterCookie = p.role == .server && cookieRound
        for f in p.flights {
            if f.messages.contains("HelloVerifyRequest") { afterCookie = true }
            let byClient = (f.direction == .outbound) == (p.role == .client)
            guard let n = HandshakeFlight.number(of: f.messages, sentByClient: byClient, afterCookie: afterCookie)
            else { continue }
            let messages = f.messages.filter { !$0.hasPrefix("Alert") }
            if f.direction == .outbound {
                Self.advance(&sent, &sentMessages, to: n, with: messages)
            } else {
                Self.advance(&read, &readMessages, to: n, with: messages)
            }
        }
    }

    private static func advance(_ flight: inout Int?, _ messages: inout [String], to n: Int, with new: [String]) {
        guard n >= flight ?? 0 else { return }
        if n != flight { messages = [] }
        flight = n
        for m in new where !messages.contains(m) { messages.append(m) }
    }

    /// "flight 5 (ClientKeyExchange, ChangeCipherSpec)": what really went, not the textbook list.
    static func describe(_ n: Int, _ messages: [String]) -> String {
        // A ClientHello is a ClientHello; the textbook name says which of the two it was.
        messages.isEmpty || messages == ["ClientHello"] ? HandshakeFlight.describe(n)
            : "flight \(n) (\(messages.joined(separator: ", ")))"
    }

    /// The flights this peer waits for next, in order of likelihood.
    func expecting(_ role: Role) -> [Int] {
        switch (role, sent) {
        case (.client, 1?): [2, 4]  // no cookie exchange: the server answers at once
        case (.client, 3?): [4]
        case (.client, 5?): [6]
        case (.server, 4?): [5]
        default: []
        }
    }
}
