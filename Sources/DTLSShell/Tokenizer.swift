/// Splits a command line into words, the way a shell user expects: spaces
/// separate, "double" and 'single' quotes group, backslash escapes inside
/// double quotes and outside quotes, and `#` at the start of a word begins a
/// comment.
public enum Tokenizer {
    public struct Failure: Error, Equatable, CustomStringConvertible {
        public var message: String
        public var description: String { message }
    }

    public static func words(_ line: String) throws -> [String] {
        var words: [String] = []
        var current = ""
        var inWord = false
        var quote: Character? = nil
        var iterator = line.makeIterator()
        while let c = iterator.next() {
            if let q = quote {
                if c == q {
                    quote = nil
                } else if c == "\\" && q == "\"" {
                    guard let n = iterator.next() else { throw Failure(message: "unfinished escape at end of line") }
                    current.append(escaped(n))
                } else {
                    current.append(c)
                }
                continue
            }
            switch c {
            case " ", "\t", "\r", "\n":
                if inWord {
                    words.append(current)
                    current = ""
                    inWord = false
                }
            case "\"", "'":
                quote = c
                inWord = true
            case "\\":
                guard let n = iterator.next() else { throw Failure(message: "unfinished escape at end of line") }
                current.append(escaped(n))
                inWord = true
            case "#" where !inWord:
                return words
            default:
                current.append(c)
                inWord = true
            }
        }
        if let q = quote { throw Failure(message: "unterminated \(q == "\"" ? "double" : "single") quote") }
        if inWord { words.append(current) }
        return words
    }

    private static func escaped(_ c: Character) -> Character {
        switch c {
        case "n": "\n"
        case "t": "\t"
        case "r": "\r"
        case "0": "\0"
        default: c
        }
    }

    /// Splits `-c 'A; B; C'` into commands at semicolons outside quotes.
    public static func commands(_ text: String) -> [String] {
        var out: [String] = []
        var current = ""
        var quote: Character? = nil
        var escape = false
        for c in text {
            if escape {
                current.append(c)
                escape = false
                continue
            }
            if c == "\\" && quote != "'" {
                current.append(c)
                escape = true
                continue
            }
            if let q = quote {
                if c == q { quote = nil }
                current.append(c)
                continue
            }
            if c == "\"" || c == "'" { quote = c }
            if c == ";" {
                out.append(current)
                current = ""
                continue
            }
            current.append(c)
        }
        out.append(current)
        return out.map { $0.trimmingCharacters(in: " \t") }.filter { !$0.isEmpty }
    }

    /// Decodes a message argument: `hex:0a0b…` gives the bytes, anything else its UTF-8.
    public static func payload(_ word: String) throws -> [UInt8] {
        guard word.hasPrefix("hex:") else { return Array(word.utf8) }
        let digits = word.dropFirst(4).filter { $0 != " " && $0 != ":" }
        guard !digits.isEmpty, digits.count % 2 == 0, let bytes = decodeHex(String(digits)) else {
            throw Failure(message: "bad hex in '\(word)': expected an even number of hex digits after hex:")
        }
        return bytes
    }

    static func decodeHex(_ s: String) -> [UInt8]? {
        var out: [UInt8] = []
        var high: UInt8? = nil
        for c in s.utf8 {
            let v: UInt8
            switch c {
            case 48...57: v = c - 48
            case 97...102: v = c - 87
            case 65...70: v = c - 55
            default: return nil
            }
            if let h = high { out.append(h << 4 | v); high = nil } else { high = v }
        }
        return high == nil ? out : nil
    }
}

extension String {
    func trimmingCharacters(in set: String) -> String {
        var s = Substring(self)
        while let f = s.first, set.contains(f) { s = s.dropFirst() }
        while let l = s.last, set.contains(l) { s = s.dropLast() }
        return String(s)
    }
}
