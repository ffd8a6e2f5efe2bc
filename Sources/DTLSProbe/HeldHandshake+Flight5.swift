import DTLSWire

/// The held flight 5 sent again, as the client's resend carries it (new record numbers): what the
/// server's state makes of it.
extension HeldHandshake {
    /// Sends the held flight 5 and hands the server's answer to OpenSSL until the client is done or `wait`
    /// passes: whether the handshake completed, and what the server sent from then on.
    func sendFlight5(wait: Double) throws -> (completed: Bool, answers: ArraySlice<ProbeSocket.Arrival>) {
        let start = raw.arrivals.count
        try send(try resent(flight))
        let completed = try completes(from: start, wait: wait)
        return (completed, raw.arrivals[start...])
    }

    /// What flight 5 did, and then the same flight again, sent the moment the handshake completed: the
    /// delay of the server's ChangeCipherSpec+Finished again (ms), or nil.
    func repeatFlight5(_ target: ProbeTarget) throws -> (completed: Bool, resend: Double?) {
        guard try sendFlight5(wait: answerWindow(atLeast: target.answerWait)).completed else { return (false, nil) }
        let sent = Clock.now()
        try send(try resent(flight))
        let answer = try raw.collect(for: answerWindow(atLeast: target.silence)) { arrivals in arrivals.contains(where: \.switchedEpoch) }
        return (true, answer.first(where: \.switchedEpoch).map { ($0.at - sent) * 1000 })
    }
}
