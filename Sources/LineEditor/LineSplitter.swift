/// Turns a byte stream into lines, however the bytes are cut into reads.
///
/// Splitting happens on bytes, before decoding, so a multi-byte UTF-8 character that straddles two reads
/// arrives intact.
struct LineSplitter {
    private var pending: [UInt8] = []
    private var atStartOfInput = true

    /// Appends `bytes` and returns every line they complete, without `\n` or a `\r` before it.
    mutating func append(_ bytes: some Collection<UInt8>) -> [String] {
        pending.append(contentsOf: bytes)
        if atStartOfInput { dropByteOrderMark() }
        var lines: [String] = []
        var lineStart = pending.startIndex
        while let newline = pending[lineStart...].firstIndex(of: UInt8(ascii: "\n")) {
            lines.append(Self.decode(pending[lineStart..<newline]))
            lineStart = newline + 1
        }
        pending.removeSubrange(..<lineStart)
        return lines
    }

    /// The unterminated last line, if any: a file need not end with a newline.
    mutating func finish() -> String? {
        defer { pending = [] }
        return pending.isEmpty ? nil : Self.decode(pending[...])
    }

    /// Scripts saved by Windows editors may start with a UTF-8 byte order mark; it is not part of the first command.
    private mutating func dropByteOrderMark() {
        let mark: [UInt8] = [0xEF, 0xBB, 0xBF]
        if pending.count >= mark.count {
            if pending.starts(with: mark) { pending.removeFirst(mark.count) }
            atStartOfInput = false
        } else if !mark.starts(with: pending) {
            atStartOfInput = false
        }
    }

    private static func decode(_ bytes: ArraySlice<UInt8>) -> String {
        let content = bytes.last == UInt8(ascii: "\r") ? bytes.dropLast() : bytes
        return String(decoding: content, as: UTF8.self)
    }
}
