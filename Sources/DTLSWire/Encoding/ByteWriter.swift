/// Big-endian writes into a growing array: the encoder's counterpart of
/// `ByteReader`. Vectors check their length against their prefix, so nothing
/// written here can claim a length it does not have.
struct ByteWriter {
    private(set) var bytes: [UInt8] = []

    init(capacity: Int = 0) {
        bytes.reserveCapacity(capacity)
    }

    mutating func u8(_ v: UInt8) { bytes.append(v) }

    mutating func u16(_ v: UInt16) {
        bytes.append(UInt8(v >> 8))
        bytes.append(UInt8(truncatingIfNeeded: v))
    }

    /// The low `width` bytes of `v`, most significant first.
    mutating func uint(_ v: UInt64, width: Int) {
        for k in (0..<width).reversed() { bytes.append(UInt8(truncatingIfNeeded: v >> (8 * UInt64(k)))) }
    }

    mutating func u24(_ v: UInt32) { uint(UInt64(v), width: 3) }
    mutating func u48(_ v: UInt64) { uint(v, width: 6) }

    mutating func append<C: Collection<UInt8>>(_ more: C) { bytes.append(contentsOf: more) }

    /// A TLS vector `<0..2^(8·prefix)-1>`: its length in `prefix` bytes, then `body`.
    mutating func vector<C: Collection<UInt8>>(_ field: String, prefix: Int, _ body: C) throws(WireEncodingError) {
        let limit = (1 << (8 * prefix)) - 1
        guard body.count <= limit else { throw .vectorTooLong(field: field, count: body.count, limit: limit) }
        uint(UInt64(body.count), width: prefix)
        bytes.append(contentsOf: body)
    }

    /// A vector of 16-bit values (cipher suites, groups, schemes).
    mutating func vector16(_ field: String, prefix: Int, _ values: [UInt16]) throws(WireEncodingError) {
        var body = ByteWriter(capacity: 2 * values.count)
        for v in values { body.u16(v) }
        try vector(field, prefix: prefix, body.bytes)
    }
}
