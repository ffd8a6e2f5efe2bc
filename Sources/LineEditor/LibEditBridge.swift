internal import CLibEdit
#if canImport(Glibc)
internal import Glibc
#elseif canImport(Darwin)
internal import Darwin
#endif

/// What libedit's C callbacks need. The readline layer is one editor per process and its callbacks are
/// plain C function pointers that cannot capture, so this state is global; only the shell's one thread
/// ever touches it.
enum LibEditBridge {
    /// Lines the line handler received during one `rl_callback_read_char`; `nil` is Ctrl-D on an empty line.
    nonisolated(unsafe) static var finishedLines: [String?] = []
    nonisolated(unsafe) static var completer: ((String) -> [String])?
    /// The `EditLineSource` that owns the terminal: two would fight over one libedit.
    nonisolated(unsafe) static var owner: ObjectIdentifier?
    nonisolated(unsafe) private static var configured = false

    /// Settings libedit reads when it creates its editor, so they must precede the first libedit call.
    static func configureOnce(programName: String) {
        guard !configured else { return }
        configured = true
        useUTF8Locale()
        // libedit keeps these pointers; each is allocated once per process.
        CLibEdit_rl_setReadlineName(strdup(programName))
        CLibEdit_rl_setBasicWordBreakCharacters(strdup(" \t\n"))
        // The shell reads SIGINT from a signalfd; libedit's handlers would re-raise it to the process group.
        CLibEdit_rl_setCatchSignals(0)
        CLibEdit_rl_setAttemptedCompletion(attemptedCompletion)
        // Above this many matches libedit asks "Display all?" and reads the answer with a blocking getc(stdin).
        CLibEdit_rl_setCompletionQueryItems(Int32.max)
        HistoryStore.prepare()
        // A shell that exits without stop() would leave the terminal in raw mode, without echo.
        atexit {
            if LibEditBridge.owner != nil { rl_callback_handler_remove() }
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
}

/// libedit's line handler: it `strdup`s the finished line (or passes NULL for Ctrl-D on an empty line).
/// Only queue it here; the shell runs commands after `rl_callback_read_char` has returned.
func libEditLineHandler(_ raw: UnsafeMutablePointer<CChar>?) {
    guard let raw else {
        LibEditBridge.finishedLines.append(nil)
        return
    }
    LibEditBridge.finishedLines.append(String(cString: raw))
    free(raw)
}

/// libedit's `rl_attempted_completion_function`: asks the shell's completer about the line before the
/// cursor and hands libedit the match list it expects (`[common prefix, match…, NULL]`, all malloc'ed;
/// libedit frees them).
///
/// Building the list here rather than with `rl_completion_matches` keeps the common prefix on a character
/// boundary (libedit compares bytes).
private func attemptedCompletion(
    _ text: UnsafePointer<CChar>?, _ start: Int32, _ end: Int32
) -> UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>? {
    // libedit resets this after every completion; left at 0, no match falls back to completing file names.
    CLibEdit_rl_setAttemptedCompletionOver(1)
    guard let completer = LibEditBridge.completer else { return nil }
    let word = text.map { String(cString: $0) } ?? ""
    let line = EditBuffer.current().text
    let cursor = EditBuffer.scalarOffset(Int(end), lineEnd: Int(CLibEdit_rl_end()), in: line)
    let beforeCursor = String(String.UnicodeScalarView(line.unicodeScalars.prefix(cursor)))
    let matches = Completion.matches(for: word, among: completer(beforeCursor))
    guard !matches.isEmpty else { return nil }
    var common = Completion.commonPrefix(matches)
    if !common.utf8.starts(with: word.utf8) { common = word }
    // A single match repeated is how libedit recognises "unique": it then appends the space.
    let entries = [common] + matches
    guard let raw = malloc((entries.count + 1) * MemoryLayout<UnsafeMutablePointer<CChar>?>.stride) else {
        return nil
    }
    let array = raw.bindMemory(to: UnsafeMutablePointer<CChar>?.self, capacity: entries.count + 1)
    for (index, entry) in entries.enumerated() {
        array[index] = strdup(entry)
    }
    array[entries.count] = nil
    return array
}
