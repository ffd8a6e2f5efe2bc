/// Classic hex dump lines for the shell's `trace bytes` level:
/// `0000  16 fe fd 00 00 00 00 00  00 00 01 00 c4 01 00 00  |................|`.
public enum HexDump {
    /// - Parameters:
    ///   - width: bytes per line, clamped to 1...256 so a bad setting cannot
    ///     make one line (and its padding loop) enormous.
    ///   - startOffset: the offset printed for the first byte, when dumping a slice.
    public static func lines<C: Collection<UInt8>>(_ bytes: C, width: Int = 16, startOffset: Int = 0) -> [String] {
        let width = min(max(1, width), 256)
        let startOffset = min(max(0, startOffset), Int(UInt32.max))
        let all = Array(bytes)
        let offsetDigits = max(4, String(max(0, startOffset + all.count - 1), radix: 16).count)
        var out: [String] = []
        out.reserveCapacity((all.count + width - 1) / width)
        var index = 0
        while index < all.count {
            let chunk = all[index..<min(index + width, all.count)]
            var hex = ""
            var text = ""
            for column in 0..<width {
                if column > 0 { hex += column == width / 2 ? "  " : " " }
                if column < chunk.count {
                    let b = chunk[chunk.startIndex + column]
                    hex += Hex.byte(b)
                    text.unicodeScalars.append(b >= 0x20 && b < 0x7f ? Unicode.Scalar(b) : ".")
                } else {
                    hex += "  "
                }
            }
            let offset = String(startOffset + index, radix: 16)
            out.append(String(repeating: "0", count: max(0, offsetDigits - offset.count)) + offset
                       + "  " + hex + "  |" + text + "|")
            index += width
        }
        return out
    }
}
