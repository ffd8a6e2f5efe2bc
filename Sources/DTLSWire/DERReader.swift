/// Just enough DER to walk an X.509 certificate to its names: one TLV at a time,
/// lengths checked against the bytes present. Anything unusual (high tag numbers,
/// indefinite or over-long lengths) ends the walk instead of being guessed at.
struct DERReader {
    static let sequence: UInt8 = 0x30
    static let set: UInt8 = 0x31
    static let integer: UInt8 = 0x02
    static let bitString: UInt8 = 0x03
    static let oid: UInt8 = 0x06
    static let utcTime: UInt8 = 0x17
    static let generalizedTime: UInt8 = 0x18
    static let context0: UInt8 = 0xa0

    var reader: ByteReader

    init(_ reader: ByteReader) {
        self.reader = reader
    }

    var isAtEnd: Bool { reader.isAtEnd }
    var offset: Int { reader.offset }

    /// The next element's tag and a reader over its contents.
    mutating func next() -> (tag: UInt8, content: ByteReader)? {
        guard let tag = reader.u8(), tag & 0x1f != 0x1f, let first = reader.u8() else { return nil }
        var length = Int(first)
        if first & 0x80 != 0 {
            let count = Int(first & 0x7f)
            guard count >= 1, count <= 4 else { return nil }
            length = 0
            for _ in 0..<count {
                guard let b = reader.u8() else { return nil }
                length = length << 8 | Int(b)
            }
        }
        guard let content = reader.sub(length) else { return nil }
        return (tag, content)
    }

    /// The next element if it has `tag`; nothing is consumed otherwise.
    mutating func next(tag: UInt8) -> ByteReader? {
        var probe = self
        guard let element = probe.next(), element.tag == tag else { return nil }
        self = probe
        return element.content
    }

    /// Dotted-decimal form of an OBJECT IDENTIFIER's contents; arcs are capped so
    /// a hostile OID cannot overflow or run long.
    static func oidString(_ content: ByteReader) -> String? {
        var r = content
        var arcs: [UInt64] = []
        var value: UInt64 = 0
        while let b = r.u8() {
            guard value < 1 << 56, arcs.count < 32 else { return nil }
            value = value << 7 | UInt64(b & 0x7f)
            if b & 0x80 == 0 {
                arcs.append(value)
                value = 0
            }
        }
        guard let first = arcs.first, value == 0 else { return nil }
        let head = first < 40 ? [0, first] : first < 80 ? [1, first - 40] : [2, first - 80]
        return (head + arcs.dropFirst()).map(String.init).joined(separator: ".")
    }

    /// A directory string or time as printable text (BMP/Universal strings are
    /// escaped rather than decoded: names here are for recognising, not rendering).
    static func text(_ content: ByteReader, limit: Int = 128) -> String {
        var r = content
        return PrintableText.escaped(r.rest(), limit: limit)
    }
}
