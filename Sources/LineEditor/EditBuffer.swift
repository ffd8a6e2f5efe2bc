internal import CLibEdit

/// The line libedit is editing and where its cursor is.
struct EditBuffer: Equatable {
    var text: String
    /// In Unicode scalars from the start of `text`.
    var cursorOffset: Int

    var beforeCursor: String {
        String(String.UnicodeScalarView(text.unicodeScalars.prefix(cursorOffset)))
    }

    /// The line as libedit holds it now: its wide-character buffer, one `wchar_t` per Unicode scalar, which
    /// the native API hands out afresh on every call (nothing cached can go stale).
    static func current(of editor: OpaquePointer) -> EditBuffer {
        guard let info = el_wline(editor)?.pointee, let start = info.buffer else {
            return EditBuffer(text: "", cursorOffset: 0)
        }
        let count = info.lastchar.map { start.distance(to: $0) } ?? 0
        let cursor = info.cursor.map { start.distance(to: $0) } ?? count
        let characters = UnsafeBufferPointer(start: start, count: max(count, 0))
        return EditBuffer(text: string(from: characters), cursorOffset: min(max(cursor, 0), max(count, 0)))
    }

    /// The line's length and last character, without copying it (checked after every key).
    static func ending(of editor: OpaquePointer) -> (count: Int, last: wchar_t?) {
        guard let info = el_wline(editor)?.pointee, let start = info.buffer, let end = info.lastchar else {
            return (0, nil)
        }
        let count = start.distance(to: end)
        return (count, count > 0 ? end[-1] : nil)
    }

    static func string(from characters: some Sequence<wchar_t>) -> String {
        var scalars = String.UnicodeScalarView()
        for character in characters {
            scalars.append(Unicode.Scalar(UInt32(bitPattern: character)) ?? "\u{FFFD}")
        }
        return String(scalars)
    }

    static func wide(_ text: String) -> [wchar_t] {
        text.unicodeScalars.map { wchar_t(bitPattern: $0.value) }
    }
}
