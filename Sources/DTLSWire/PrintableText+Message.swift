extension PrintableText {
    /// Application data as text: UTF-8 kept whole (a person typed it), control
    /// characters and invalid bytes escaped so nothing reaches the terminal raw.
    public static func message(_ bytes: [UInt8]) -> String {
        // Most messages are plain printable ASCII: no escaping to do.
        if bytes.allSatisfy({ $0 >= 0x20 && $0 < 0x7f }) { return String(decoding: bytes, as: UTF8.self) }
        var out = ""
        for scalar in String(decoding: bytes, as: UTF8.self).unicodeScalars {
            switch scalar {
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out += "\\t"
            case _ where scalar.value < 0x20 || (0x7f...0x9f).contains(scalar.value) || scalar == "\u{FFFD}":
                out += scalar.value <= 0xff ? "\\x" + Hex.byte(UInt8(scalar.value)) : "\\u{fffd}"
            default: out.unicodeScalars.append(scalar)
            }
        }
        return out
    }
}
