extension PrintableText {
    /// Application data as text: valid UTF-8 kept whole (a person typed it);
    /// control characters, backslashes and invalid bytes escaped byte for
    /// byte, so nothing reaches the terminal raw and nothing is lost.
    public static func message(_ bytes: [UInt8]) -> String {
        // Most messages are plain printable ASCII: nothing to escape.
        if bytes.allSatisfy({ $0 >= 0x20 && $0 < 0x7f && $0 != UInt8(ascii: "\\") }) {
            return String(decoding: bytes, as: UTF8.self)
        }
        var out = ""
        var i = 0
        while i < bytes.count {
            let b = bytes[i]
            switch b {
            case UInt8(ascii: "\n"): out += "\\n"
            case UInt8(ascii: "\r"): out += "\\r"
            case UInt8(ascii: "\t"): out += "\\t"
            case UInt8(ascii: "\\"): out += "\\\\"
            case 0x20..<0x7f: out.unicodeScalars.append(Unicode.Scalar(b))
            case 0xc2...0xf4:
                let n = b < 0xe0 ? 2 : b < 0xf0 ? 3 : 4
                if i + n <= bytes.count, let s = String(validating: bytes[i..<i + n], as: UTF8.self),
                   let scalar = s.unicodeScalars.first, scalar.value >= 0xa0 {
                    out += s
                    i += n
                    continue
                }
                out += "\\x" + Hex.byte(b)
            default: out += "\\x" + Hex.byte(b)
            }
            i += 1
        }
        return out
    }
}
