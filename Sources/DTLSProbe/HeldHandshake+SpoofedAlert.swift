import DTLSPlex
import DTLSWire

// A fatal alert spoofed in clear from the client's address, and how the probe tells whether it ended
// the handshake in progress: a fresh ClientHello's answer (plaintext-alert-in-handshake).

/// What a server answered a fresh ClientHello (message_seq 0, no cookie) from the port of a handshake
/// in progress.
enum FreshHelloAnswer: Equatable, CustomStringConvertible {
    /// Flight 4 again, the same ServerHello random (its timer, most likely).
    case sameHandshake
    /// A ServerHello with another random: a new handshake.
    case newHandshake
    /// A HelloVerifyRequest or an alert, as to a client it does not know.
    case newClient(String)
    case silence

    var description: String {
        switch self {
        case .sameHandshake: "flight 4 again"
        case .newHandshake: "a new ServerHello"
        case let .newClient(answer): answer
        case .silence: "no answer"
        }
    }
}

extension HeldHandshake {
    /// A fatal handshake_failure in clear, numbered above the hellos and flight 5 (which may follow it).
    func sendSpoofedAlert() throws {
        try raw.send(try OutgoingDatagram(.alert(Alert(level: AlertLevel.fatal, description: AlertDescription.handshakeFailure),
                                                 sequence: 10)).encoded)
    }

    /// A fresh ClientHello, as a client that lost its state sends it, and the server's answer within `wait`.
    func freshHello(wait: Double) throws -> FreshHelloAnswer {
        try raw.drain()
        try raw.send(try OutgoingClientHello().datagram())
        let answer = try raw.collect(for: wait) { arrivals in arrivals.contains { $0.decoded.answersHello } }
        if let alert = answer.lazy.flatMap(\.decoded.alerts).first { return .newClient("a \(alert.levelName) \(alert.descriptionName) alert") }
        if let request = answer.lazy.compactMap(\.decoded.helloVerifyRequest).first {
            // A cookie exchange left open would keep openssl s_server from the next client.
            if let abort = Alert.probeAbort.datagram() {
                raw.abandonCookieExchange(request, sending: abort, wait: answerWindow(atLeast: 0.5))
            }
            return .newClient("a HelloVerifyRequest")
        }
        guard let serverHello = answer.lazy.compactMap(\.decoded.serverHello).first else { return .silence }
        return serverHello.random == serverRandom ? .sameHandshake : .newHandshake
    }
}
