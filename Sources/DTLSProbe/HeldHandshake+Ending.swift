import DTLSPlex
import DTLSWire

/// Leaving a held handshake so the server serves the next client.
extension HeldHandshake {
    /// Ends the association on the server, whatever state the check left it in: a close_notify once the
    /// client is done, a fatal alert under the new keys once the client's ChangeCipherSpec went (the
    /// server reads only that epoch then), else in clear.
    func end() {
        guard !ended else { return }
        ended = true
        if peer.status == .established {
            engine.close(peer)
            engine.flush(socket)
            return
        }
        // Ended already: gnutls-serv, back to reading hellos only, would never read past more.
        guard !raw.arrivals.flatMap(\.decoded.alerts).contains(where: { $0.level == AlertLevel.fatal }) else { return }
        guard sentChangeCipherSpec, let protector = try? RecordProtector(try secrets(), writer: .client) else {
            if let datagram = Alert.probeAbort.datagram() { try? raw.send(datagram) }
            return
        }
        guard !droppedSilently() else { return }
        if let datagram = try? protector.datagram(Alert.probeAbort, sequence: 100) { try? raw.send(datagram) }
    }

    /// Whether the server gave the handshake up (gnutls-serv does, without a word, at a wrong
    /// Finished): the ClientHello again tells. A server still in the handshake ignores it or resends its
    /// flight 4 (the same ServerHello); one that dropped it answers as to a new client (a new handshake,
    /// ended at once in clear, where the server reads), or refuses the hello with an alert.
    private func droppedSilently() -> Bool {
        guard let hello = sent.last, let again = try? resent([hello]), (try? send(again)) != nil,
              let answer = try? raw.collect(for: 0.3, until: { $0.contains { $0.decoded.answersHello } })
        else { return false }
        if let fresh = answer.lazy.compactMap(\.decoded.serverHello).first, fresh.random != serverRandom {
            if let datagram = Alert.probeAbort.datagram(sequence: 101) { try? raw.send(datagram) }
            ended = true
            return true
        }
        // A HelloVerifyRequest: no state kept; an alert (s_server finds the cookie stale): nothing open.
        if answer.contains(where: { $0.decoded.helloVerifyRequest != nil || !$0.decoded.alerts.isEmpty }) {
            ended = true
            return true
        }
        return false
    }
}
