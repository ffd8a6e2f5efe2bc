/// RFC 6347 §4.1.2.6: which record sequence numbers of one epoch a receiver
/// has taken, the highest and the 64 before it. A record outside or already in
/// the window is discarded by the receiver without a word; this is how dtlsh
/// says so, before the bytes reach OpenSSL.
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

    /// The verdict on `sequence`, remembering it when fresh. Inlinable: a
    /// peer of dtlsh asks it of every protected record it reads.
    @inlinable
    public mutating func check(_ sequence: UInt64) -> Verdict {
        guard let top = highest else {
            highest = sequence
            bits = 1
            return .fresh
        }
        if sequence > top {
            let shift = sequence - top
            bits = shift >= Self.size ? 1 : (bits << shift) | 1
            highest = sequence
            return .fresh
        }
        let back = top - sequence
        guard back < Self.size else { return .tooOld }
        let mask: UInt64 = 1 << back
        if bits & mask != 0 { return .replay }
        bits |= mask
        return .fresh
    }

    /// Gives `sequence` back, as a receiver does whose record failed its MAC:
    /// it was never taken, and a genuine record with that number is fresh.
    public mutating func forget(_ sequence: UInt64) {
        guard let top = highest, sequence <= top, top - sequence < Self.size else { return }
        bits &= ~(1 << (top - sequence))
    }
}
