import DTLSPlex

/// Why a handshake failed, or is stuck, in one sentence: what was said (the
/// alert), what OpenSSL reported (its reason), and the mistake that usually
/// lies behind the two. Some failures say nothing at all — DTLS drops a record
/// it cannot decrypt without an alert — so the wire's story is read too.
struct FailureCause {
    let peer: Peer
    let wire: WireRecorder
    let progress: FlightProgress

    private enum Mistake {
        case pskIdentity, pskKey, clientCertificate, certificate, version, cipher, gaveUp
    }

    /// Checked in this order: a generic alert such as handshake failure comes
    /// with many causes, so the specific words win.
    private static let signs: [(Mistake, [String])] = [
        (.pskIdentity, ["unknown psk identity", "psk identity not found"]),
        (.pskKey, ["decrypt error", "bad record mac", "decryption failed"]),
        (.clientCertificate, ["peer did not return a certificate", "certificate required"]),
        (.certificate, ["certificate verify failed", "unknown ca", "bad certificate", "certificate unknown",
                        "unsupported certificate", "self-signed", "self signed"]),
        (.version, ["unsupported protocol", "wrong version number", "protocol version", "version too low",
                    "version too high", "wrong ssl version"]),
        (.cipher, ["no shared cipher", "no ciphers available", "no suitable signature", "handshake failure"]),
        (.gaveUp, ["read timeout expired"]),
    ]

    private var local: SocketAddress { peer.socket.localAddress }
    private var history: PairHistory? { wire.history(local, peer.address) }
    private var arrows: [WireArrow] { wire.arrows(for: peer) }

    var sentence: String? {
        let words = (peer.alerts.map(\.1) + (peer.lastError?.queue.map(\.reason) ?? []) + [peer.endReason ?? ""])
            .map { $0.lowercased() }
        let mistake = Self.signs.first { _, phrases in words.contains { w in phrases.contains { w.contains($0) } } }?.0
        if let mistake, let what = said {
            // The diagnosis names what each side offered and the fix; the wire's
            // story below is for what it cannot see (a peer that never answered).
            if mistake != .gaveUp, let d = HandshakeDiagnosis(peer, clientIdentity: history?.pskIdentity), d.mismatch != .noAnswer {
                return "Cause: \(what) — likely \(d.what). Fix: \(d.fix)."
            }
            return "Cause: \(what) — likely \(explain(mistake))."
        }
        if let silent = silentFailure {
            let start = peer.status == .failed ? "\(peer.name) gave up (\(peer.endReason ?? "failed")) — " : ""
            return "Cause: \(start)\(silent)."
        }
        if peer.status == .failed {
            return "Cause: \(said ?? "\(peer.name) failed") — see errors \(peer.name) for OpenSSL's whole error queue."
        }
        return nil
    }

    /// "srv.1 sent the alert "fatal handshake failure" (OpenSSL: no shared cipher)".
    private var said: String? {
        let alert = peer.alerts.last { $0.1.hasPrefix("fatal") } ?? peer.alerts.last
        let reason = peer.lastError?.reason
        guard alert != nil || reason != nil || peer.status == .failed else { return nil }
        var s = alert.map { "\(peer.name) \($0.0 == .outbound ? "sent" : "received") the alert \"\($0.1)\"" }
            ?? "\(peer.name) failed" + (reason == nil ? " (\(peer.endReason ?? "no reason given"))" : "")
        if let reason { s += " (OpenSSL: \(reason))" }
        return s
    }

    private var identity: String { history?.pskIdentity.map { "\"\($0)\"" } ?? "the client sent" }

    private func explain(_ m: Mistake) -> String {
        switch m {
        case .pskIdentity:
            "a PSK identity mismatch: the server has no key for the identity \(identity); give both sides the same identity (set psk IDENTITY:HEXKEY)"
        case .pskKey: pskKeyMismatch
        case .clientCertificate:
            "the server wants a client certificate and got none (set cert FILE KEY on the client, or set verify off on the server)"
        case .certificate:
            "the peer's certificate is not trusted: set ca FILE to the CA that signed it (or set verify off to test without verification)"
        case .version:
            "a version mismatch: the two sides allow no common DTLS version (set version 1.2, 1.0 or any, alike on both sides)"
        case .cipher:
            "no shared cipher: the two cipher lists have no suite in common (compare set ciphers on both sides; a PSK suite needs a PSK on both, a certificate suite a certificate on the server)"
        case .gaveUp:
            neverAnswered ? peerNeverAnswered : "OpenSSL resent its last flight until it gave up: the other side stopped answering"
        }
    }

    private var pskKeyMismatch: String {
        guard history?.cipherSuite?.contains("PSK") ?? true else {
            return "the two sides derived different keys (something altered the handshake on the way)"
        }
        return "a PSK mismatch: both sides use the identity \(identity) but not the same key (set psk IDENTITY:HEXKEY alike on both)"
    }

    // MARK: - Failures that make no noise

    private var silentFailure: String? {
        if peer.role == .client, progress.sent == nil, peer.status == .failed {
            return "it never sent its ClientHello: a client speaks first only when stepped (step \(peer.name), or auto on)"
        }
        if neverAnswered { return peerNeverAnswered }
        if serverCouldNotReadFinished {
            return "\(peer.name) read the client's ChangeCipherSpec but could not decrypt the Finished that came with it "
                + "(DTLS drops such a record without an alert, so OpenSSL reports no error) — likely \(pskKeyMismatch)"
        }
        if clientFinishedRefused {
            return "the server sent flight 4 again after \(peer.name)'s flight 5 reached it, so it did not accept "
                + "\(peer.name)'s Finished — likely \(pskKeyMismatch)"
        }
        return nil
    }

    /// Resent, timed out or gave up, and not one datagram came back.
    private var neverAnswered: Bool {
        let tried = peer.counters.retransmits > 0 || peer.status == .failed
        return tried && peer.counters.datagramsIn == 0 && progress.sent != nil
    }

    private var peerNeverAnswered: String {
        let n = peer.counters.retransmits
        var s = "the peer never answered: \(peer.name) sent flight \(progress.sent ?? 1)"
            + (n > 0 ? " and resent it \(n) time\(n == 1 ? "" : "s")" : "")
            + ", and nothing came back from \(peer.address)"
        let refused = arrows.compactMap { a -> String? in
            if a.from == local, case let .discarded(why) = a.fate { return why }
            return nil
        }
        if let why = refused.last, let name = wire.name(of: peer.address) {
            s += " (\(name) threw it away: \(why))"
        } else {
            s += " — is a DTLS server listening there?"
        }
        return s
    }

    /// Read ChangeCipherSpec, not Finished, nothing left to read, yet an
    /// encrypted handshake record was delivered: it failed to decrypt.
    private var serverCouldNotReadFinished: Bool {
        guard peer.role == .server, peer.inboundQueue.isEmpty,
              let last = peer.flights.last(where: { $0.direction == .inbound }),
              last.messages.contains("ChangeCipherSpec"), !last.messages.contains("Finished")
        else { return false }
        return arrows.contains { $0.from == peer.address && $0.fate == .delivered && $0.facts.hasEncryptedHandshake }
    }

    /// Flight 5 arrived, and the server answered with flight 4 again, not flight 6.
    private var clientFinishedRefused: Bool {
        guard peer.role == .client, progress.sent == 5, progress.read != 6 else { return false }
        let refusal = wire.finishedRefusal(of: peer)
        return refusal.refusals > 0 && !refusal.accepted
    }
}
