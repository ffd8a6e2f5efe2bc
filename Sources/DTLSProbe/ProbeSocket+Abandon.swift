import DTLSWire

extension Alert {
    /// How the probe ends a handshake or an association it leaves.
    static let probeAbort = Alert(level: AlertLevel.fatal, description: AlertDescription.userCanceled)

    /// The alert in clear, in a datagram of its own; numbered by default above the probe's hellos (a
    /// server's replay check would drop a second 0).
    func datagram(sequence: UInt64 = 100) -> [UInt8]? {
        try? OutgoingDatagram(.alert(self, sequence: sequence)).encoded
    }
}

/// Ending a raw handshake the server answered, without wedging servers that only ever read hellos while
/// no session is open.
extension ProbeSocket {
    /// Whether the server only asked for a cookie so far: it may have kept no state for this address.
    var onlyCookieRequested: Bool {
        !arrivals.isEmpty && arrivals.allSatisfy { arrival in
            let types = arrival.decoded.messageTypes
            return !types.isEmpty && types.allSatisfy { $0 == HandshakeType.helloVerifyRequest.rawValue }
        }
    }

    /// Sends `abort` where the server holds state for this socket. gnutls-serv peeks each datagram while
    /// it has no session and consumes only ClientHellos, so an alert from an address it only sent a
    /// HelloVerifyRequest to is never read and it answers nobody again; OpenSSL's s_server, which runs
    /// the cookie exchange in its handshake state, needs one to serve the next client. So after a
    /// HelloVerifyRequest alone the hello is completed with its cookie first, and the alert goes only
    /// if that opened a handshake (a ServerHello) or got no answer (state kept elsewhere).
    func abandon(sending abort: [UInt8], wait: Double) {
        if onlyCookieRequested, let request = arrivals.last?.decoded.helloVerifyRequest {
            abandonCookieExchange(request, sending: abort, wait: wait)
            return
        }
        try? send(abort)
    }

    /// Ends a cookie exchange the server started with `request`: the hello completed with its cookie,
    /// then `abort` only if that opened a handshake (a ServerHello) or got no answer.
    func abandonCookieExchange(_ request: HelloVerifyRequest, sending abort: [UInt8], wait: Double) {
        // Below the alert's sequence, above those the probe's hellos use.
        guard let hello = try? OutgoingClientHello().answering(request).datagram(messageSeq: 1, sequence: 50),
              (try? send(hello)) != nil else { return }
        let answer = (try? collect(for: wait) { arrivals in arrivals.contains { $0.decoded.answersHello } }) ?? []
        let opened = answer.contains { $0.decoded.serverHello != nil }
        let ended = answer.contains { $0.decoded.helloVerifyRequest != nil || !$0.decoded.alerts.isEmpty }
        guard opened || !ended else { return }
        try? send(abort)
    }
}
