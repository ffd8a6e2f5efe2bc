/// Big-endian reads in place from a borrowed buffer: what the facts in this
/// folder are made of. The engine asks them of every datagram it receives, from
/// a socket's receive slot, so they neither copy nor allocate, and are inlinable
/// so that asking costs no more than reading the bytes by hand.
///
/// They do not check bounds (a raw buffer's subscript checks only in debug
/// builds): every caller checks the count first.
extension UnsafeRawBufferPointer {
    @inlinable
    func wireU16(at i: Int) -> UInt16 {
        UInt16(self[i]) << 8 | UInt16(self[i + 1])
    }

    @inlinable
    func wireU24(at i: Int) -> UInt32 {
        UInt32(self[i]) << 16 | UInt32(self[i + 1]) << 8 | UInt32(self[i + 2])
    }

    @inlinable
    func wireU48(at i: Int) -> UInt64 {
        var value: UInt64 = 0
        for k in 0..<6 { value = value << 8 | UInt64(self[i + k]) }
        return value
    }

    @inlinable
    func wireU64(at i: Int) -> UInt64 {
        var value: UInt64 = 0
        for k in 0..<8 { value = value << 8 | UInt64(self[i + k]) }
        return value
    }
}
