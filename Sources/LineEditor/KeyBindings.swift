internal import CLibEdit

/// The escape sequences that reach libedit, and the libedit functions dtlsh binds to keys.
///
/// The terminal's bytes are decoded before libedit sees them (``TypedInputDecoder``): an escape sequence
/// libedit has no binding for would otherwise be read as ESC-prefixed keys and leave its tail in the line
/// (`ESC [ 3 1 m` typed into a line ended as `m`). So only the sequences listed here are handed on; every
/// other one is consumed whole.
enum KeyBindings {
    /// What libedit binds by itself (terminal.c binds the ANSI and application-mode arrows, Home and End).
    static let builtIn: [String] = [
        "\u{1B}[A", "\u{1B}[B", "\u{1B}[C", "\u{1B}[D", "\u{1B}[H", "\u{1B}[F",
        "\u{1B}OA", "\u{1B}OB", "\u{1B}OC", "\u{1B}OD", "\u{1B}OH", "\u{1B}OF",
    ]

    /// What terminals commonly send for keys libedit does not bind by default: bound at start.
    static let added: [(keys: String, function: String)] = [
        ("\u{1B}[3~", "ed-delete-next-char"),  // Delete
        ("\u{1B}[1~", "ed-move-to-beg"), ("\u{1B}[7~", "ed-move-to-beg"),  // Home (VT220, rxvt)
        ("\u{1B}[4~", "ed-move-to-end"), ("\u{1B}[8~", "ed-move-to-end"),  // End
        ("\u{1B}[1;5C", "em-next-word"), ("\u{1B}[1;3C", "em-next-word"),  // Ctrl-Right, Alt-Right
        ("\u{1B}[1;5D", "ed-prev-word"), ("\u{1B}[1;3D", "ed-prev-word"),  // Ctrl-Left, Alt-Left
        // Alt-key as ESC-key: libedit's own meta keys never match once ESC leads the arrow sequences.
        ("\u{1B}b", "ed-prev-word"), ("\u{1B}f", "em-next-word"), ("\u{1B}d", "em-delete-next-word"),
        ("\u{1B}\u{7F}", "ed-delete-prev-word"), ("\u{1B}\u{8}", "ed-delete-prev-word"),
    ]

    /// Not a key any terminal sends (the decoder never hands it on from the terminal): dtlsh feeds it to
    /// libedit to draw text it inserted itself (a paste, drawn once at the end of a burst).
    static let redisplay = "\u{1B}[9999~"
    static let redisplayFunction = "dtlsh-redisplay"
    static let completeFunction = "dtlsh-complete"

    /// Bracketed paste (xterm's mode 2004): the terminal wraps pasted text in these.
    static let pasteStart: [UInt8] = Array("\u{1B}[200~".utf8)
    static let pasteEnd: [UInt8] = Array("\u{1B}[201~".utf8)
    static let enableBracketedPaste = "\u{1B}[?2004h"
    static let disableBracketedPaste = "\u{1B}[?2004l"

    private static let handedOn: Set<[UInt8]> = Set((builtIn + added.map(\.keys)).map { Array($0.utf8) })

    /// Whether libedit has a binding for this complete escape sequence.
    static func isBound(_ sequence: ArraySlice<UInt8>) -> Bool {
        handedOn.contains(Array(sequence))
    }

    /// Binds Tab to completion, the private insert sequence and the added keys. Run after `~/.editrc` too:
    /// an editor switch there (`bind -v`) resets every binding.
    static func apply(to editor: OpaquePointer) {
        _ = CLibEdit_el_bind(editor, "^I", completeFunction)
        _ = CLibEdit_el_bind(editor, redisplay, redisplayFunction)
        for binding in added {
            _ = CLibEdit_el_bind(editor, binding.keys, binding.function)
        }
    }
}
