import DTLSPlex
import DTLSWire

/// Classifies each protected record a peer receives before OpenSSL reads it:
/// OpenSSL discards replays, duplicates and records of an epoch it has not
/// reached without an error or a callback, so without this they vanish. A
/// verdict is reported as a `dropped` event whose reason says it is inferred
/// (from the sequence numbers and epochs seen, not from OpenSSL). It watches
/// `datagram_in` events, so it costs nothing when nobody asks for those.
public final class InboundRecordWatch {
    private var windows: [String: [UInt16: ReplayWindow]] = [:]
    private var order: [String] = []

    /// Subscribes to `engine`; `report` gets each verdict as an event.
    public init(engine: Engine, report: @escaping (Event) -> Void) {
        engine.subscribe(.datagrams) { [weak self] e in
            guard let self, case let .datagramIn(from, bytes) = e.kind, let peer = e.peer else { return }
            for reason in self.verdicts(peer, bytes) {
                var verdict = e
                verdict.kind = .dropped(.inbound, from: from, size: bytes.count, reason: reason)
                report(verdict)
            }
        }
    }

    /// Reasons OpenSSL will discard records of this datagram, one per record it will discard.
    func verdicts(_ peer: String, _ bytes: [UInt8]) -> [String] {
        var out: [String] = []
        if windows[peer] == nil {
            order.append(peer)
            // Bounded: the oldest peers' windows go first.
            if order.count > 10_000 { windows[order.removeFirst()] = nil }
        }
        let highestEpoch = windows[peer]?.keys.max() ?? 0
        for r in RecordLayer.split(bytes).records where r.header.epoch > 0 {
            let h = r.header
            // The next epoch is legitimate (a handshake, a renegotiation); one beyond it is not.
            if h.epoch > highestEpoch + 1 {
                out.append("epoch \(h.epoch) record before any of epoch \(highestEpoch + 1): "
                           + "OpenSSL discards it silently (inferred from the epochs seen)")
                continue
            }
            switch windows[peer, default: [:]][h.epoch, default: ReplayWindow()].check(h.sequence) {
            case .fresh: break
            case .replay:
                out.append("replay: epoch \(h.epoch) sequence \(h.sequence) was received before; OpenSSL discards it "
                           + "silently (inferred from the sequence numbers, RFC 6347 §4.1.2.6)")
            case .tooOld:
                out.append("epoch \(h.epoch) sequence \(h.sequence) is older than the replay window; OpenSSL discards it "
                           + "silently (inferred)")
            }
        }
        return out
    }
}
