import DTLSPlex

/// A client's Finished the server does not accept, read from the wire. DTLS
/// drops a record it cannot decrypt without an alert, so a server that holds
/// another PSK answers the client's flight 5 only by resending its own flight 4
/// when its timer fires, for as long as the handshake lasts. A lost flight 5
/// makes a server resend flight 4 too, so a resend counts as a refusal only when
/// a flight 5 went out since the last one counted, and it takes two: the client
/// gives up at the server's second resend (about 3 s with OpenSSL's 1 s timer)
/// instead of at its deadline.
public struct FinishedRefusal: Sendable {
    /// Refusals that settle it.
    public static let conclusive = 2
    /// Why a handshake given up on this evidence ended (`Peer.endReason`);
    /// HandshakeDiagnosis reads it as a PSK key mismatch.
    public static let reason = "the server resent its flight 4 twice after this side's Finished"

    /// Flight 4 resends, each one after a flight 5 of its own.
    public private(set) var refusals = 0
    /// The server's flight 6 came: the Finished was accepted after all.
    public private(set) var accepted = false
    private var flightFiveSinceRefusal = false

    public init() {}

    /// One datagram between the client and the server, as a flight tracker
    /// names it: its flight, whether it only repeats what was sent before, and
    /// its messages ("ChangeCipherSpec", "ServerHelloDone", …).
    public mutating func note(fromClient: Bool, flight: Int?, resend: Bool, messages: [String]) {
        if fromClient {
            // Once for each flight 5, whether it is split into datagrams or not.
            if flight == 5, messages.contains("ChangeCipherSpec") { flightFiveSinceRefusal = true }
        } else if flight == 6 {
            accepted = true
        } else if flight == 4, resend, flightFiveSinceRefusal, messages.contains("ServerHelloDone") {
            refusals += 1
            flightFiveSinceRefusal = false
        }
    }

    /// Refused often enough to stop waiting.
    public var isConclusive: Bool { !accepted && refusals >= Self.conclusive }

    /// Ends `p`'s handshake when the refusals settle it and the server chose a
    /// PSK suite (with a certificate suite a refused Finished means something
    /// altered the handshake: left to the deadline); whether it did.
    public func giveUpIfConclusive(_ p: Peer, in engine: Engine) -> Bool {
        guard isConclusive, p.role == .client, p.status == .handshaking,
              p.cipher?.contains("PSK") ?? false else { return false }
        engine.giveUp(p, reason: Self.reason, event: "handshake refused")
        return true
    }
}
