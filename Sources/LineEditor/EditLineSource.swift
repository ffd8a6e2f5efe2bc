internal import CLibEdit
#if canImport(Glibc)
internal import Glibc
#elseif canImport(Darwin)
internal import Darwin
#endif

/// Line editing on a terminal with libedit's native API, driven from the shell's own `poll()` loop.
///
/// The source reads the terminal itself and decodes what it reads (``TypedInputDecoder``): text is
/// inserted in runs (a paste costs time in proportion to its length, drawn once per read), Enter and
/// control keys go to libedit one command at a time (`EL_UNBUFFERED`), escape sequences libedit has no
/// binding for are consumed whole, and bracketed paste is on while editing. libedit never blocks the
/// loop and never owns a signal. The loop polls ``fileDescriptor`` and calls ``readAvailable()`` while it
/// is readable or ``hasBufferedInput`` is true, calls ``interrupt()`` when its signalfd reports SIGINT,
/// and prints everything with ``printAbove(_:)`` while editing is on, so the half-typed line and the
/// cursor survive it.
///
/// Use it only when standard input and output are both terminals; otherwise use ``PlainLineSource``.
public final class EditLineSource {
    private enum State {
        case stopped
        /// The prompt is on screen and the terminal is in raw mode.
        case editing
        /// Ctrl-D or a hangup ended input; the terminal is back in cooked mode.
        case ended
    }

    let programName: String
    let history: HistoryKeeper
    let completer: (String) -> [String]
    var editor: OpaquePointer?
    private var state = State.stopped
    private var prompt = ""
    /// What libedit's prompt callback hands out; it must outlive every redraw.
    private(set) var promptText: UnsafeMutablePointer<CChar>?
    /// Said once, above the first prompt (an unreadable history file, …).
    var notices: [String] = []
    /// Decoded input libedit has not been given yet: what follows a finished line waits for the next call.
    private var reader = TerminalReader(descriptor: STDIN_FILENO)
    /// Keys libedit reads next, through ``nextKey(into:)``.
    private var keys: [wchar_t] = []
    private var keyIndex = 0
    /// Text was put in libedit's buffer without being drawn (a paste in progress).
    private var textIsUndrawn = false
    /// Inside `el_wgets`: libedit must not be entered again from a callback.
    private var insideLibEdit = false
    /// The key libedit read before the current one: Tab after Tab lists the candidates.
    var previousKey: wchar_t = 0
    private var currentKey: wchar_t = 0
    private var fedEnter = false
    /// SIGINT arrived while libedit waited for the rest of a command (Ctrl-R's search reads key by key).
    private var interruptedWhileReading = false

    /// - Parameters:
    ///   - programName: names this program's section in `~/.editrc`.
    ///   - historyPath: kept across runs; a leading `~/` is the home directory. `nil`: history lasts for
    ///     this run only.
    ///   - historySize: the most entries kept; older ones are dropped, from the file too when it is saved.
    ///   - completer: given the line up to the cursor, returns whole-word candidates for the word being
    ///     completed. Candidates that do not start with that word are ignored; none means no completion.
    public init(
        programName: String, historyPath: String?, historySize: Int = 1000,
        completer: @escaping (_ lineBeforeCursor: String) -> [String]
    ) {
        self.programName = programName
        self.history = HistoryKeeper(path: historyPath.map(Home.expanding), size: historySize)
        self.completer = completer
    }

    deinit {
        stop()
        if let editor { el_end(editor) }
        free(promptText)
    }

    /// Standard input: poll it for `POLLIN`.
    public var fileDescriptor: Int32 { STDIN_FILENO }

    /// Input already read from the terminal that waits for the next ``readAvailable()`` (the lines after
    /// the first of a paste): the loop must not wait for the descriptor to become readable again.
    public var hasBufferedInput: Bool {
        state == .editing && (reader.hasItems || keyIndex < keys.count)
    }

    /// Every line in the history, oldest first (what Up walks back through), the file's included.
    public var historyEntries: [String] {
        prepareEditor()
        return history.store.entries
    }

    /// Shows the prompt and starts editing (raw mode). The first start also loads the history file and
    /// says once what was wrong with it, if anything. Calling it again after `.endOfInput` or ``stop()``
    /// starts a new line.
    public func start(prompt: String) {
        guard state != .editing else {
            setPrompt(prompt)
            return
        }
        prepareEditor()
        setPromptText(prompt)
        for notice in notices { Terminal.write(notice + "\r\n") }
        notices.removeAll()
        Terminal.write(KeyBindings.enableBracketedPaste)
        state = .editing
        startLine()
    }

    /// Reads what the terminal has and hands it to libedit; returns what it completed: at most one line
    /// (so its output can be printed before the next one is echoed), or `.endOfInput` for Ctrl-D on an
    /// empty line or a terminal that went away.
    ///
    /// After a line the next prompt is already on screen: print the command's output with ``printAbove(_:)``.
    /// Never blocks for long (an escape sequence split across reads is waited for up to 30 ms).
    public func readAvailable() -> [LineEvent] {
        guard state == .editing, let editor else { return [] }
        if !hasBufferedInput {
            switch reader.readAvailable() {
            case .closed: return [endInput(echoNewline: false)]
            case .nothing, .read: break
            }
        }
        adoptTerminalWidth()
        var invalidBytes = 0
        defer {
            if invalidBytes > 0 {
                printAbove("note: ignored \(invalidBytes) byte\(invalidBytes == 1 ? "" : "s") of input that \(invalidBytes == 1 ? "is" : "are") not UTF-8")
            }
        }
        if let event = runLibEdit(editor) { return [event] }
        while let item = reader.popItem() {
            switch item {
            case let .text(text):
                let wide = EditBuffer.wide(text)
                if wide.count == 1 && !textIsUndrawn {
                    // A typed key: libedit inserts and draws it as it would any key.
                    keys += wide
                } else {
                    insert(wide)
                    textIsUndrawn = true
                    continue
                }
            case .enter:
                scheduleRedraw()
                keys.append(0x0D)
            case let .key(scalars):
                scheduleRedraw()
                keys += scalars.map { wchar_t(bitPattern: $0.value) }
            case .ignoredSequence:
                continue
            case let .invalidUTF8(count):
                invalidBytes += count
                continue
            }
            if let event = runLibEdit(editor) { return [event] }
        }
        // While a paste is still arriving, drawing can wait for its end: one redraw per burst keeps a
        // long paste linear in its length (each redraw walks the whole line).
        if textIsUndrawn && Terminal.readiness(of: fileDescriptor) != .ready {
            drawUndrawnText()
        }
        return []
    }

    /// Ctrl-C (the shell's signalfd saw SIGINT): abandons the half-typed line and whatever was typed ahead,
    /// shows `^C` after it and a fresh prompt below. Nothing is added to the history.
    public func interrupt() {
        guard state == .editing else { return }
        Terminal.write(currentLayout().moveToEndSequence + "^C\r\n")
        discardTypedAhead()
        startLine()
    }

    /// Prints `text` (one or more lines; one trailing newline is optional) on the lines where the prompt
    /// was, then redraws the prompt, the half-typed line and the cursor below it.
    ///
    /// When not editing it is a plain write of `text` and a newline.
    public func printAbove(_ text: String) {
        var body = text.hasSuffix("\n") ? String(text.dropLast()) : text
        guard state == .editing, let editor else {
            Terminal.write(body + "\n")
            return
        }
        // Raw mode may have output post-processing off: spell out the carriage returns.
        body = body.replacingNewlines(with: "\r\n")
        adoptTerminalWidth()
        Terminal.write(currentLayout().eraseSequence + body + "\r\n")
        // Redraws from where the cursor now is, taken as the start of the edit area.
        _ = CLibEdit_el_redraw(editor)
    }

    /// Changes the prompt; while editing it is redrawn at once and the half-typed line kept.
    public func setPrompt(_ prompt: String) {
        guard state == .editing, let editor else {
            setPromptText(prompt)
            return
        }
        Terminal.write(currentLayout().eraseSequence)
        setPromptText(prompt)
        _ = CLibEdit_el_redraw(editor)
    }

    /// Call on SIGWINCH to redraw at the new width at once. Without it the new width is picked up at the
    /// next key or ``printAbove(_:)``.
    public func terminalResized() {
        guard state == .editing, let editor, let columns = Terminal.columns() else { return }
        el_resize(editor)
        // Terminals rewrap the soft-wrapped line, so find the prompt's start at the new width.
        Terminal.write(currentLayout(columns: columns).eraseSequence)
        _ = CLibEdit_el_redraw(editor)
    }

    /// Ends editing: leaves the cursor at the start of a fresh line (an empty prompt is erased, a half-typed
    /// line kept), puts the terminal back in cooked mode and saves the history file.
    public func stop() {
        if state == .editing, let editor {
            let layout = currentLayout()
            if EditBuffer.current(of: editor).text.isEmpty {
                Terminal.write(layout.eraseSequence)
            } else {
                let atFreshRow = layout.end.column == 0 && layout.end.row > 0
                Terminal.write(layout.moveToEndSequence + (atFreshRow ? "" : "\r\n"))
            }
            leaveRawMode(editor)
        }
        if state != .stopped, let failure = history.save() {
            Terminal.write(failure + "\n")
        }
        state = .stopped
    }

    // MARK: - libedit's callbacks

    /// The next key for libedit. When a command wants more keys than have come (Ctrl-R's search, Ctrl-V),
    /// it waits for the terminal, as libedit itself would, but gives up on Ctrl-C.
    func nextKey(into character: UnsafeMutablePointer<wchar_t>) -> Int32 {
        while keyIndex >= keys.count {
            keys.removeAll(keepingCapacity: true)
            keyIndex = 0
            guard waitForKeys() else { return -1 }
        }
        let key = keys[keyIndex]
        keyIndex += 1
        character.pointee = key
        previousKey = currentKey
        currentKey = key
        if key == 0x0D || key == 0x0A { fedEnter = true }
        return 1
    }

    // MARK: - Internals

    /// For a command that reads more keys: what was read already comes first; then it waits for the
    /// terminal (in 100 ms steps, so Ctrl-C is seen).
    private func waitForKeys() -> Bool {
        while true {
            while let item = reader.popItem() {
                appendKeys(for: item)
                if !keys.isEmpty { return true }
            }
            guard reader.waitForItems() else {
                interruptedWhileReading = Terminal.interruptIsPending()
                return false
            }
        }
    }

    /// Input as keys, one by one, for a command that reads them itself.
    private func appendKeys(for item: TypedInput) {
        switch item {
        case let .text(text): keys += EditBuffer.wide(text)
        case .enter: keys.append(0x0D)
        case let .key(scalars): keys += scalars.map { wchar_t(bitPattern: $0.value) }
        case .ignoredSequence, .invalidUTF8: break
        }
    }

    /// Lets libedit run one command per waiting key; returns the line or end of input they completed.
    private func runLibEdit(_ editor: OpaquePointer) -> LineEvent? {
        while keyIndex < keys.count {
            fedEnter = false
            var count: Int32 = 0
            insideLibEdit = true
            _ = el_wgets(editor, &count)
            insideLibEdit = false
            if interruptedWhileReading {
                // The signalfd has the SIGINT too: the loop's interrupt() abandons the line.
                interruptedWhileReading = false
                keys.removeAll()
                keyIndex = 0
                return nil
            }
            let ending = EditBuffer.ending(of: editor)
            if fedEnter && ending.last == 0x0A {
                let line = EditBuffer.current(of: editor).text
                let finished = String(line.unicodeScalars.dropLast())
                history.store.remember(finished)
                startLine()
                return .line(finished)
            }
            if currentKey == 0x04 && ending.count == 1 && ending.last == 0x04 {
                return endInput(echoNewline: true)
            }
        }
        keys.removeAll(keepingCapacity: true)
        keyIndex = 0
        return nil
    }

    /// Before libedit runs a key: it draws by difference from what it last drew, so undrawn text must be
    /// drawn first (its redisplay key, bound to a refresh).
    private func scheduleRedraw() {
        guard textIsUndrawn else { return }
        textIsUndrawn = false
        keys += EditBuffer.wide(KeyBindings.redisplay)
    }

    private func drawUndrawnText() {
        guard textIsUndrawn, !insideLibEdit, let editor else { return }
        scheduleRedraw()
        _ = runLibEdit(editor)
    }

    /// A fresh, empty line: libedit resets its buffer and draws the prompt (`read_prepare`), raw mode on.
    private func startLine() {
        guard let editor else { return }
        _ = CLibEdit_el_setUnbuffered(editor, 0)
        _ = CLibEdit_el_setUnbuffered(editor, 1)
        _ = CLibEdit_el_prepareTerminal(editor, 1)
        LibEditBridge.rawEditor = editor
        previousKey = 0
        currentKey = 0
    }

    private func leaveRawMode(_ editor: OpaquePointer) {
        Terminal.write(KeyBindings.disableBracketedPaste)
        _ = CLibEdit_el_setUnbuffered(editor, 0)
        _ = CLibEdit_el_prepareTerminal(editor, 0)
        LibEditBridge.rawEditor = nil
    }

    private func discardTypedAhead() {
        keys.removeAll()
        keyIndex = 0
        textIsUndrawn = false
        reader.discard()
    }

    private func endInput(echoNewline: Bool) -> LineEvent {
        if echoNewline {
            // Leave just the prompt (libedit keeps the ^D it read in the line), and a newline for the
            // shell's next output.
            let promptEnd = EditAreaLayout(prompt: prompt, line: "", cursorOffset: 0, columns: columns).end
            Terminal.write(currentLayout().moveSequence(to: promptEnd) + "\u{1B}[J\r\n")
        }
        if let editor { leaveRawMode(editor) }
        discardTypedAhead()
        state = .ended
        return .endOfInput
    }

    private func setPromptText(_ text: String) {
        prompt = text
        free(promptText)
        promptText = strdup(text)
    }

    /// Where libedit has drawn the line: undrawn text is drawn first, so the two agree.
    private func currentLayout(columns: Int? = nil) -> EditAreaLayout {
        drawUndrawnText()
        let buffer = editor.map(EditBuffer.current(of:)) ?? EditBuffer(text: "", cursorOffset: 0)
        return EditAreaLayout(
            prompt: prompt, line: buffer.text, cursorOffset: buffer.cursorOffset, columns: columns ?? self.columns)
    }

    private var columns: Int {
        let columns = editor.map { Int(CLibEdit_el_columns($0)) } ?? 0
        return columns > 0 ? columns : 80
    }

    /// The shell owns SIGWINCH, so libedit never hears of a resize by itself; compare before each redraw.
    private func adoptTerminalWidth() {
        guard let editor, let columns = Terminal.columns(), columns != self.columns else { return }
        if state == .editing {
            terminalResized()
        } else {
            el_resize(editor)
        }
    }
}

extension String {
    fileprivate func replacingNewlines(with terminator: String) -> String {
        split(separator: "\n", omittingEmptySubsequences: false)
            .map { $0.hasSuffix("\r") ? $0.dropLast() : $0 }
            .joined(separator: terminator)
    }
}
