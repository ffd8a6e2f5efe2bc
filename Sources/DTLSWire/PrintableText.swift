/// Turns peer-chosen bytes (PSK identities, hints, certificate names, ALPN) into
/// text that is safe to put on a terminal: a hostile peer must not be able to
/// send escape sequences to the user's screen through our trace output.
public enum PrintableText {
    /// The bytes as text, printable ASCII kept, everything else as `\xNN`, cut
    /// after `limit` bytes.
    public static func escaped<C: Collection<UInt8>>(_ bytes: C, limit: Int = 64) -> String {
        var out = ""
        for b in bytes.prefix(max(limit, 0)) {
            if b >= 0x20 && b < 0x7f && b != UInt8(ascii: "\\") && b != UInt8(ascii: "\"") {
                out.unicodeScalars.append(Unicode.Scalar(b))
            } else {
                out += "\\x" + Hex.byte(b)
            }
        }
        return bytes.count > limit ? out + "…" : out
    }

    /// `"text"` with escapes, for values that are strings on the wire.
    public static func quoted<C: Collection<UInt8>>(_ bytes: C, limit: Int = 64) -> String {
        "\"" + escaped(bytes, limit: limit) + "\""
    }

    /// True when every byte is printable ASCII: how the heuristics tell a PSK
    /// identity (a string by RFC 4279) from key material.
    public static func isPrintable<C: Collection<UInt8>>(_ bytes: C) -> Bool {
        bytes.allSatisfy { $0 >= 0x20 && $0 < 0x7f }
    }
}
