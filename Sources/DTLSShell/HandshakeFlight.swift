/// The six flights of a full DTLS 1.2 handshake (RFC 6347 §4.2.4, Figure 1).
/// A flight is what one side sends before it waits: the unit DTLS retransmits,
/// so it is the unit a person has to think in when datagrams go missing.
enum HandshakeFlight {
    /// The flight a handshake message belongs to, from its name as `step` and
    /// `Peer.flights` spell it, who sent it, and whether a cookie came first.
    /// Nil for what is not part of a flight (alerts, application data).
    static func number(of message: String, sentByClient: Bool, afterCookie: Bool) -> Int? {
        switch message {
        case "ClientHello": afterCookie ? 3 : 1
        case "HelloVerifyRequest": 2
        case "ServerHello", "ServerKeyExchange", "CertificateRequest", "ServerHelloDone": 4
        case "Certificate": sentByClient ? 5 : 4
        case "ClientKeyExchange", "CertificateVerify": 5
        // The server's ChangeCipherSpec and Finished close a full handshake.
        case "ChangeCipherSpec", "Finished": sentByClient ? 5 : 6
        case "NewSessionTicket": 6
        default: nil
        }
    }

    /// The flight of a run of messages: the first that belongs to one decides,
    /// so an abbreviated handshake's ServerHello, ChangeCipherSpec, Finished is 4.
    static func number(of messages: [String], sentByClient: Bool, afterCookie: Bool) -> Int? {
        for m in messages {
            if let n = number(of: m, sentByClient: sentByClient, afterCookie: afterCookie) { return n }
        }
        return nil
    }

    /// What a flight holds, for sentences like "flight 4 (ServerHello … ServerHelloDone)".
    static func contents(_ n: Int) -> String {
        switch n {
        case 1: "ClientHello"
        case 2: "HelloVerifyRequest"
        case 3: "ClientHello with the cookie"
        case 4: "ServerHello … ServerHelloDone"
        case 5: "[Certificate] ClientKeyExchange [CertificateVerify] ChangeCipherSpec Finished"
        case 6: "ChangeCipherSpec, Finished"
        default: "?"
        }
    }

    static func describe(_ n: Int) -> String { "flight \(n) (\(contents(n)))" }

    /// Whether the client or the server sends flight `n`.
    static func isClients(_ n: Int) -> Bool { n % 2 == 1 }
}
