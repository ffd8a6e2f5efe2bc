/// RFC 6347 §4.1.2.6: which record sequence numbers of one epoch a receiver
/// has taken, the highest and the 64 before it. A record outside or already in
/// the window is discarded by the receiver without a word; this is how dtlsh
/// says so, before the bytes reach OpenSSL.
///
/// Asking and taking are two steps, as in OpenSSL (`dtls1_record_replay_check`,
/// then `dtls1_record_bitmap_update` once the record decrypted): a record
/// that fails its MAC moves nothing, so a forged one numbered far ahead
/// cannot push the genuine ones out of the window.
public struct ReplayWindow: Sendable, Equatable {
    public enum Verdict: Sendable, Equatable {
        case fresh
        /// Taken before: a replay or a duplicate.
        case replay
        /// Older than the window: the receiver cannot tell, and discards it.
        case tooOld
    }

    public static let size: UInt64 = 64
    @usableFromInline var highest: UInt64?
    /// Bit i: highest − i was taken.
    @usableFromInline var bits: UInt64 = 0

    public init() {}

    /// The verdict on `sequence`; the window is left as it is. Inlinable: a
    /// peer of dtlsh asks it of every protected record it reads.
    @inlinable
    public func verdict(_ sequence: UInt64) -> Verdict {
        guard let top = highest, sequence <= top else { return .fresh }
        let back = top - sequence
        guard back < Self.size else { return .tooOld }
        return bits & (1 << back) != 0 ? .replay : .fresh
    }

    /// Takes `sequence`, as a receiver does once its record checked out.
    @inlinable
    public mutating func accept(_ sequence: UInt64) {
        guard let top = highest else {
            highest = sequence
            bits = 1
            return
        }
        if sequence > top {
            let shift = sequence - top
            bits = shift >= Self.size ? 1 : (bits << shift) | 1
            highest = sequence
        } else if top - sequence < Self.size {
            bits |= 1 << (top - sequence)
        }
    }

    /// The verdict, taking `sequence` when it is fresh: a receiver whose
    /// every record checks out.
    @inlinable
    public mutating func check(_ sequence: UInt64) -> Verdict {
        let v = verdict(sequence)
        if v == .fresh { accept(sequence) }
        return v
    }
}
