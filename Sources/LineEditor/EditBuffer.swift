internal import CLibEdit

/// The line libedit is editing and where its cursor is, read from the readline-compat globals.
struct EditBuffer: Equatable {
    var text: String
    /// In Unicode scalars from the start of `text`.
    var cursorOffset: Int

    var beforeCursor: String {
        String(String.UnicodeScalarView(text.unicodeScalars.prefix(cursorOffset)))
    }

    /// The current line. `rl_line_buffer` is refreshed by libedit after every key it reads and before it
    /// calls the completion function.
    static func current() -> EditBuffer {
        guard let raw = CLibEdit_rl_lineBuffer() else { return EditBuffer(text: "", cursorOffset: 0) }
        let text = String(cString: raw)
        let offset = scalarOffset(Int(CLibEdit_rl_point()), lineEnd: Int(CLibEdit_rl_end()), in: text)
        return EditBuffer(text: text, cursorOffset: offset)
    }

    /// Converts a libedit offset into Unicode scalars.
    ///
    /// libedit counts in bytes of the multibyte line after a keystroke (`_rl_update_pos`), but in wide
    /// characters while completing (`fn_complete` writes `rl_point`/`rl_end` from its wide buffer). The two
    /// differ only once the line holds non-ASCII text, and `lineEnd` (set together with the offset) says
    /// which one is in use: it equals the byte count or the scalar count of the whole line.
    static func scalarOffset(_ offset: Int, lineEnd: Int, in text: String) -> Int {
        let scalarCount = text.unicodeScalars.count
        let clamped = min(max(offset, 0), max(lineEnd, 0))
        if lineEnd == text.utf8.count && lineEnd != scalarCount {
            return String(decoding: text.utf8.prefix(clamped), as: UTF8.self).unicodeScalars.count
        }
        return min(clamped, scalarCount)
    }
}
