import DTLSWire

/// A protected record a peer of dtlsh received that OpenSSL discards, or
/// most likely discarded, without an error or a callback: judged from its
/// header before OpenSSL read it (a replay, an epoch OpenSSL does not read),
/// or from what came of it afterwards (nothing: a bad MAC). Always inferred:
/// OpenSSL says nothing either way. Rides on the `dropped` event that
/// reports it, so the ladder can find the record's datagram.
public struct DiscardedRecord: Sendable, Equatable {
    public enum Verdict: String, Sendable {
        /// Its sequence number was read before (RFC 6347 §4.1.2.6).
        case replay
        /// Older than the 64 sequence numbers behind the highest read.
        case tooOld = "too_old"
        /// An epoch OpenSSL does not read now (RFC 6347 §4.1: discarded).
        case wrongEpoch = "wrong_epoch"
        /// Read at the current epoch, fresh, and nothing came of it: no data,
        /// no alert, no handshake message, no answer.
        case nothingCameOfIt = "nothing_came_of_it"
    }

    public var verdict: Verdict
    public var contentType: UInt8
    public var epoch: UInt16
    public var sequence: UInt64
    /// The record's length with its header.
    public var size: Int
    /// The epoch OpenSSL reads at when the record came.
    public var readEpoch: UInt16
    /// The peer was handshaking when OpenSSL read it: a handshake record
    /// of the read epoch is then its Finished, not a resend.
    public var duringHandshake = false

    /// One sentence for the event's reason, saying it is inferred and from what.
    public var reason: String {
        let what = "epoch \(epoch) sequence \(sequence)"
        switch verdict {
        case .replay:
            return "replay: \(what) was received before; OpenSSL discards it silently "
                + "(inferred from the sequence numbers, RFC 6347 §4.1.2.6)"
        case .tooOld:
            return "\(what) is older than the replay window; OpenSSL discards it silently (inferred)"
        case .wrongEpoch:
            // &+: an epoch number wraps rather than trap, whatever a peer sends.
            let next = readEpoch &+ 1
            return epoch > next
                ? "epoch \(epoch) record before any of epoch \(next): OpenSSL discards it silently (inferred from the epochs seen)"
                : "epoch \(epoch) \(contentName) before the ChangeCipherSpec that starts the epoch: OpenSSL discards it silently (inferred)"
        case .nothingCameOfIt:
            return isResendableFinished
                ? "\(what) (\(contentName)) read and nothing came of it: a resent Finished OpenSSL ignores, or a bad MAC (inferred)"
                : "\(what) (\(contentName)) read and nothing came of it: discarded, likely a bad MAC (inferred)"
        }
    }

    /// A few words for a ladder's row: which record, and why.
    public var brief: String {
        let which = "record \(epoch):\(sequence)"
        switch verdict {
        case .replay: return "\(which) discarded: replay (inferred)"
        case .tooOld: return "\(which) discarded: older than the replay window (inferred)"
        case .wrongEpoch: return "\(which) discarded: epoch not read now (inferred)"
        case .nothingCameOfIt:
            return isResendableFinished ? "\(which): nothing came of it (inferred)"
                : "\(which) discarded: likely bad MAC (inferred)"
        }
    }

    /// A handshake record of the read epoch after the handshake: a resent
    /// Finished OpenSSL reads and ignores, as likely as a bad MAC.
    private var isResendableFinished: Bool {
        contentType == ContentType.handshake.rawValue && !duringHandshake
    }

    private var contentName: String { ContentType.name(contentType) }
}
