/// The 32-byte random of a ClientHello or ServerHello, kept inline: the engine
/// remembers each peer's ClientHello random to tell a late copy of that hello
/// from a client starting over, and a value with no heap storage costs nothing
/// to keep or compare.
public struct HelloRandom: Sendable, Hashable, CustomStringConvertible {
    public static let length = 32
    @usableFromInline var words: (UInt64, UInt64, UInt64, UInt64)

    /// Reads 32 bytes at `offset` in place; nil when fewer are there.
    @inlinable
    public init?(in bytes: UnsafeRawBufferPointer, at offset: Int = 0) {
        guard offset >= 0, offset <= bytes.count, bytes.count - offset >= Self.length else { return nil }
        words = (bytes.wireU64(at: offset), bytes.wireU64(at: offset + 8), bytes.wireU64(at: offset + 16),
                 bytes.wireU64(at: offset + 24))
    }

    /// Nil unless `bytes` holds exactly 32 bytes.
    public init?(_ bytes: [UInt8]) {
        guard bytes.count == Self.length else { return nil }
        guard let random = bytes.withUnsafeBytes({ HelloRandom(in: $0) }) else { return nil }
        self = random
    }

    public var bytes: [UInt8] {
        [words.0, words.1, words.2, words.3].flatMap { word in
            (0..<8).reversed().map { UInt8(truncatingIfNeeded: word >> (8 * $0)) }
        }
    }

    public var description: String { Hex.string(bytes, limit: Self.length) }

    @inlinable
    public static func == (a: HelloRandom, b: HelloRandom) -> Bool {
        a.words.0 == b.words.0 && a.words.1 == b.words.1 && a.words.2 == b.words.2 && a.words.3 == b.words.3
    }

    public func hash(into hasher: inout Hasher) {
        hasher.combine(words.0)
        hasher.combine(words.1)
        hasher.combine(words.2)
        hasher.combine(words.3)
    }
}
