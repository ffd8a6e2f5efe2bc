/// Hex formatting without Foundation: the wire decoder must build on any platform
/// and these run in the fuzz loop, so they avoid `String(format:)`.
public enum Hex {
    private static let lower = Array("0123456789abcdef".utf8)
    private static let upper = Array("0123456789ABCDEF".utf8)

    /// Two lowercase digits.
    public static func byte(_ b: UInt8) -> String {
        String(decoding: [lower[Int(b >> 4)], lower[Int(b & 0xf)]], as: UTF8.self)
    }

    /// `0x%04X`, the fallback spelling of every unnamed 16-bit code point.
    public static func u16(_ v: UInt16) -> String {
        let digits = [12, 8, 4, 0].map { upper[Int(v >> UInt16($0) & 0xf)] }
        return "0x" + String(decoding: digits, as: UTF8.self)
    }

    /// `0x%02X`.
    public static func u8(_ v: UInt8) -> String {
        "0x" + String(decoding: [upper[Int(v >> 4)], upper[Int(v & 0xf)]], as: UTF8.self)
    }

    /// Lowercase hex of at most `limit` bytes; longer input ends in `…(+N)` so one
    /// field can never flood a trace line.
    public static func string<C: Collection<UInt8>>(_ bytes: C, limit: Int = 32) -> String {
        var out: [UInt8] = []
        out.reserveCapacity(min(bytes.count, max(limit, 0)) * 2)
        for b in bytes.prefix(max(limit, 0)) {
            out.append(lower[Int(b >> 4)])
            out.append(lower[Int(b & 0xf)])
        }
        let text = String(decoding: out, as: UTF8.self)
        return bytes.count > limit ? text + "…(+\(bytes.count - limit))" : text
    }

    /// The default rendering of an opaque value: its length, then a hex preview.
    public static func describe(_ bytes: ArraySlice<UInt8>) -> String {
        bytes.isEmpty ? "(empty)" : "\(bytes.count)B \(string(bytes, limit: 16))"
    }
}
