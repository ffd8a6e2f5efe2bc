/// What a run of bytes from the terminal means to the line editor.
enum TypedInput: Equatable {
    /// Printable text, typed or pasted, to insert as it is (tabs included when pasted).
    case text(String)
    /// Enter: CR, LF, or CR LF as one.
    case enter
    /// A key for libedit: a control character, an ESC-prefixed (Alt) key, or an escape sequence it binds.
    case key([Unicode.Scalar])
    /// A whole escape sequence libedit has no binding for, consumed so none of it lands in the line.
    case ignoredSequence([UInt8])
    /// Bytes that are not UTF-8, dropped.
    case invalidUTF8(count: Int)
}

/// Turns terminal bytes into ``TypedInput``: UTF-8 decoding, escape-sequence framing and bracketed paste.
///
/// Bytes arrive in arbitrary pieces (a paste is split across reads, a multi-byte character or an escape
/// sequence can straddle two), so an incomplete tail is kept until more arrives or ``flush()`` says no more
/// will. Everything is linear in the input: a megabyte costs one pass.
struct TypedInputDecoder {
    private var pending: [UInt8] = []
    /// Inside `ESC [200~ … ESC [201~`: control keys are text's line breaks and tabs, nothing is a command.
    private(set) var inPaste = false
    /// A CR was the last thing seen: an LF right after it (CR LF) is the same Enter.
    private var afterCarriageReturn = false

    /// An escape sequence longer than this is not one a terminal sends for a key: it is dropped as far as
    /// read, so a stray ESC cannot make the decoder hold back a paste.
    static let longestSequence = 32

    /// Whether bytes are held back waiting for the rest of a character or an escape sequence.
    var isWaitingForMore: Bool { !pending.isEmpty }

    mutating func decode(_ bytes: some Collection<UInt8>) -> [TypedInput] {
        pending.append(contentsOf: bytes)
        return drain(final: false)
    }

    /// No more bytes are coming soon: what was held back is decided now (a lone ESC is dropped, half a
    /// character is invalid).
    mutating func flush() -> [TypedInput] {
        drain(final: true)
    }

    /// Forgets held-back bytes and any paste in progress (Ctrl-C abandons the line).
    mutating func reset() {
        pending.removeAll()
        inPaste = false
        afterCarriageReturn = false
    }

    private mutating func drain(final: Bool) -> [TypedInput] {
        var output = Output()
        var index = 0
        let bytes = pending
        scanning: while index < bytes.count {
            let byte = bytes[index]
            let wasAfterCarriageReturn = afterCarriageReturn
            afterCarriageReturn = false
            switch byte {
            case 0x0D:
                output.append(.enter)
                afterCarriageReturn = true
                index += 1
            case 0x0A:
                if !wasAfterCarriageReturn { output.append(.enter) }
                index += 1
            case 0x1B:
                guard let consumed = escape(in: bytes[index...], final: final, into: &output) else {
                    afterCarriageReturn = wasAfterCarriageReturn
                    break scanning
                }
                index += consumed
            case 0x09 where inPaste:
                output.appendText("\t")
                index += 1
            case 0x00..<0x20, 0x7F:
                // In a paste a control character is never a command; outside one it is a key.
                if !inPaste { output.append(.key([Unicode.Scalar(byte)])) }
                index += 1
            case 0x20..<0x7F:
                var end = index + 1
                while end < bytes.count, bytes[end] >= 0x20, bytes[end] < 0x7F { end += 1 }
                output.appendText(String(decoding: bytes[index..<end], as: UTF8.self))
                index = end
            default:
                guard let consumed = multiByte(in: bytes[index...], final: final, into: &output) else {
                    break scanning
                }
                index += consumed
            }
        }
        pending.removeFirst(index)
        return output.itemsWithTail
    }

    /// Decodes one escape sequence at the start of `bytes`; `nil` when it is not complete yet.
    private mutating func escape(in bytes: ArraySlice<UInt8>, final: Bool, into output: inout Output) -> Int? {
        let start = bytes.startIndex
        guard bytes.count >= 2 else {
            if final { output.append(.ignoredSequence([0x1B])); return 1 }
            return nil
        }
        let second = bytes[start + 1]
        switch second {
        case UInt8(ascii: "["):
            // CSI: parameter bytes 0x30–0x3F, intermediate bytes 0x20–0x2F, one final byte 0x40–0x7E.
            var end = start + 2
            while end < bytes.endIndex, end - start < Self.longestSequence, (0x20...0x3F).contains(bytes[end]) {
                end += 1
            }
            guard end < bytes.endIndex, end - start < Self.longestSequence else {
                if final || end - start >= Self.longestSequence {
                    output.append(.ignoredSequence(Array(bytes[start..<end])))
                    return end - start
                }
                return nil
            }
            guard (0x40...0x7E).contains(bytes[end]) else {
                // Not a well-formed sequence: drop what looked like one; the odd byte is read on its own.
                output.append(.ignoredSequence(Array(bytes[start..<end])))
                return end - start
            }
            let sequence = bytes[start...end]
            classify(sequence, into: &output)
            return sequence.count
        case UInt8(ascii: "O"):
            guard bytes.count >= 3 else {
                if final { output.append(.ignoredSequence(Array(bytes))); return bytes.count }
                return nil
            }
            classify(bytes[start..<start + 3], into: &output)
            return 3
        case 0x20..<0x7F, 0x7F, 0x08:
            // ESC then a key in one read is Alt-key (ESC b: back a word), when libedit binds it.
            classify(bytes[start..<start + 2], into: &output)
            return 2
        default:
            // ESC before another ESC, a control or a non-ASCII character: the ESC alone means nothing here.
            output.append(.ignoredSequence([0x1B]))
            return 1
        }
    }

    private mutating func classify(_ sequence: ArraySlice<UInt8>, into output: inout Output) {
        if sequence.elementsEqual(KeyBindings.pasteStart) {
            inPaste = true
        } else if sequence.elementsEqual(KeyBindings.pasteEnd) {
            inPaste = false
        } else if !inPaste && KeyBindings.isBound(sequence) {
            output.append(.key(sequence.map { Unicode.Scalar($0) }))
        } else {
            output.append(.ignoredSequence(Array(sequence)))
        }
    }

    /// Decodes one UTF-8 character (or counts an invalid byte); `nil` when its last bytes have not come.
    private func multiByte(in bytes: ArraySlice<UInt8>, final: Bool, into output: inout Output) -> Int? {
        let lead = bytes[bytes.startIndex]
        let length: Int
        switch lead {
        case 0xC2...0xDF: length = 2
        case 0xE0...0xEF: length = 3
        case 0xF0...0xF4: length = 4
        default:
            output.countInvalid(1)
            return 1
        }
        let available = min(length, bytes.count)
        for offset in 1..<available where bytes[bytes.startIndex + offset] & 0xC0 != 0x80 {
            output.countInvalid(offset)
            return offset
        }
        guard available == length else {
            if final {
                output.countInvalid(available)
                return available
            }
            return nil
        }
        var decoder = UTF8()
        var iterator = bytes[bytes.startIndex..<bytes.startIndex + length].makeIterator()
        guard case let .scalarValue(scalar) = decoder.decode(&iterator) else {
            // Overlong forms and surrogates pass the length check but are not UTF-8.
            output.countInvalid(length)
            return length
        }
        // C1 controls would be read by the terminal as commands when the line is drawn.
        if scalar.value >= 0x80 && scalar.value < 0xA0 {
            output.append(.ignoredSequence(Array(bytes.prefix(length))))
        } else {
            output.appendText(String(scalar))
        }
        return length
    }

    /// Collects items, joining adjacent text and adjacent invalid bytes.
    private struct Output {
        var items: [TypedInput] = []
        private var text = ""
        private var invalid = 0

        mutating func appendText(_ piece: String) {
            flushInvalid()
            text += piece
        }

        mutating func countInvalid(_ count: Int) {
            flushText()
            invalid += count
        }

        mutating func append(_ item: TypedInput) {
            flushText()
            flushInvalid()
            items.append(item)
        }

        var itemsWithTail: [TypedInput] {
            mutating get {
                flushText()
                flushInvalid()
                return items
            }
        }

        private mutating func flushText() {
            if !text.isEmpty { items.append(.text(text)); text = "" }
        }

        private mutating func flushInvalid() {
            if invalid > 0 { items.append(.invalidUTF8(count: invalid)); invalid = 0 }
        }
    }
}
