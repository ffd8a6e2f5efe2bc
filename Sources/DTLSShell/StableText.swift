/// Rewrites values that are random by nature (ports, times, random hex such
/// as cookies, fingerprints and keying material) as placeholders, so the
/// transcript of a replayed script can be compared with a file.
public enum StableText {
    public static func line(_ s: String) -> String {
        var out = ""
        let chars = Array(s)
        var i = 0
        while i < chars.count {
            // HOST:PORT → HOST:PORT with the port replaced.
            if chars[i] == ":", i > 0, chars[i - 1].isNumber || chars[i - 1] == "]",
               i + 1 < chars.count, chars[i + 1].isNumber, precededByAddress(chars, i) {
                var j = i + 1
                while j < chars.count, chars[j].isNumber { j += 1 }
                out += ":PORT"
                i = j
                continue
            }
            // A run of 16+ hex digits (or colon-separated hex pairs) is random material.
            if chars[i].isHexDigit, i == 0 || !chars[i - 1].isLetter && !chars[i - 1].isNumber {
                var j = i
                var digits = 0
                while j < chars.count, chars[j].isHexDigit || (chars[j] == ":" && j + 1 < chars.count && chars[j + 1].isHexDigit && digits > 0) {
                    if chars[j] != ":" { digits += 1 }
                    j += 1
                }
                if digits >= 16 && (j == chars.count || !chars[j].isLetter) {
                    out += "<hex>"
                    i = j
                    continue
                }
            }
            // A number followed by a time unit.
            if chars[i].isNumber, i == 0 || !(chars[i - 1].isLetter || chars[i - 1].isNumber || chars[i - 1] == ".") {
                var j = i
                while j < chars.count, chars[j].isNumber || chars[j] == "." { j += 1 }
                let rest = String(chars[j..<min(chars.count, j + 3)])
                if rest.hasPrefix(" ms") || rest.hasPrefix(" s") && (j + 2 == chars.count || !chars[j + 2].isLetter) || rest.hasPrefix("ms]") {
                    out += "<time>"
                    i = j
                    continue
                }
            }
            out.append(chars[i])
            i += 1
        }
        return out
    }

    private static func precededByAddress(_ chars: [Character], _ colon: Int) -> Bool {
        // 127.0.0.1:P, [::1]:P — a dotted quad or a bracket right before the colon.
        if chars[colon - 1] == "]" { return true }
        var j = colon - 1
        var dots = 0
        while j >= 0, chars[j].isNumber || chars[j] == "." {
            if chars[j] == "." { dots += 1 }
            j -= 1
        }
        return dots == 3
    }
}
