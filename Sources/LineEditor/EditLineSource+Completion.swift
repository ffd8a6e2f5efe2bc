internal import CLibEdit

/// Tab, as dtlsh's own libedit function (bound to `^I`): libedit's file-name completer compared bytes and
/// could cut a character in half, and its readline layer is what corrupted the heap.
extension EditLineSource {
    /// Tab: the common part of the candidates, and the list of them on a second Tab.
    func complete() -> UInt8 {
        guard let editor else { return UInt8(CC_ERROR) }
        let before = EditBuffer.current(of: editor).beforeCursor
        let word = Completion.lastWord(of: before)
        let matches = Completion.matches(for: word, among: completer(before))
        guard !matches.isEmpty else { return UInt8(CC_ERROR) }
        let typed = word.unicodeScalars.count
        if matches.count == 1 {
            let match = matches[0]
            let suffix = match.hasSuffix("/") ? "" : " "
            insert(String(String.UnicodeScalarView(match.unicodeScalars.dropFirst(typed))) + suffix)
            return UInt8(CC_REFRESH)
        }
        let common = Completion.commonPrefix(matches)
        if common.unicodeScalars.count > typed {
            insert(String(String.UnicodeScalarView(common.unicodeScalars.dropFirst(typed))))
            return UInt8(CC_REFRESH)
        }
        guard previousKey == 0x09 else { return UInt8(CC_ERROR) }
        printAbove(Completion.listing(matches, columns: Terminal.columns() ?? 80))
        return UInt8(CC_NORM)
    }

    func insert(_ text: String) {
        insert(EditBuffer.wide(text))
    }

    func insert(_ wide: [wchar_t]) {
        guard !wide.isEmpty else { return }
        _ = (wide + [0]).withUnsafeBufferPointer { el_winsertstr(editor, $0.baseAddress) }
    }
}
