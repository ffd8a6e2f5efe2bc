internal import CLibEdit
#if canImport(Glibc)
internal import Glibc
#elseif canImport(Darwin)
internal import Darwin
#endif

/// libedit's callbacks are plain C function pointers that cannot capture; each finds its
/// ``EditLineSource`` through the editor's client data (`EL_CLIENTDATA`), so no state is global but the
/// locale and the one editor that must be put back in cooked mode at exit.
enum LibEditBridge {
    /// The editor whose terminal is in raw mode, for the exit handler.
    nonisolated(unsafe) static var rawEditor: OpaquePointer?
    nonisolated(unsafe) private static var configured = false

    /// Settings that must precede the first editor: libedit picks its character set when it creates one.
    static func configureOnce() {
        guard !configured else { return }
        configured = true
        useUTF8Locale()
        // A shell that exits without stop() would leave the terminal in raw mode, without echo.
        atexit {
            if let editor = LibEditBridge.rawEditor {
                Terminal.write(KeyBindings.disableBracketedPaste)
                _ = CLibEdit_el_prepareTerminal(editor, 0)
            }
        }
    }

    /// Without a UTF-8 LC_CTYPE libedit silently drops every non-ASCII key. Containers often run with no
    /// LANG or one naming a locale that is not installed; a terminal there is UTF-8 in practice.
    private static func useUTF8Locale() {
        let chosen = setlocale(LC_CTYPE, "").map { String(cString: $0) }
        if chosen == nil || chosen == "C" || chosen == "POSIX" {
            _ = setlocale(LC_CTYPE, "C.UTF-8")
        }
    }

    static func source(of editor: OpaquePointer?) -> EditLineSource? {
        guard let editor, let data = CLibEdit_el_clientData(editor) else { return nil }
        return Unmanaged<EditLineSource>.fromOpaque(data).takeUnretainedValue()
    }

    /// `EL_PROMPT_ESC`: text between two `\u{1}` takes no room (colour codes).
    static let prompt: CLibEdit_PromptFunction = { editor in
        LibEditBridge.source(of: editor)?.promptText ?? UnsafeMutablePointer(mutating: emptyPrompt)
    }

    /// `EL_GETCFN`: libedit reads its keys from the source, never from the terminal itself.
    static let readCharacter: CLibEdit_ReadCharFunction = { editor, character in
        guard let source = LibEditBridge.source(of: editor), let character else { return -1 }
        return source.nextKey(into: character)
    }

    /// Bound to Tab.
    static let complete: CLibEdit_BoundFunction = { editor, _ in
        LibEditBridge.source(of: editor)?.complete() ?? UInt8(CC_ERROR)
    }

    /// Bound to ``KeyBindings/redisplay``: libedit redraws by difference from what it drew last.
    static let redisplay: CLibEdit_BoundFunction = { _, _ in
        UInt8(CC_REFRESH)
    }

    nonisolated(unsafe) private static let emptyPrompt: UnsafePointer<CChar> = {
        let storage = UnsafeMutablePointer<CChar>.allocate(capacity: 1)
        storage.initialize(to: 0)
        return UnsafePointer(storage)
    }()
}
