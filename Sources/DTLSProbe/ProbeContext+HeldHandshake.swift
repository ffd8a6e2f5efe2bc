import DTLSPlex

extension ProbeContext {
    /// A handshake driven by hand to the client's flight 5, held; ended by `finish`. `nil` when the
    /// handshake did not get that far.
    func heldHandshake() throws -> HeldHandshake? {
        let held = try HeldHandshake(target: target)
        atFinish { held.end() }
        return try held.runToFlight5(wait: target.answerWait) ? held : nil
    }

    /// `heldHandshake`, where a handshake that did not get that far ends the check (an error): `which`
    /// names it among the check's handshakes ("second ").
    func requireHeldHandshake(_ which: String = "") throws -> HeldHandshake {
        guard let held = try heldHandshake() else { throw ProbeError("no \(which)handshake reached the client's flight 5") }
        return held
    }
}
