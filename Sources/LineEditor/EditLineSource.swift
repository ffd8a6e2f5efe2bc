internal import CLibEdit
#if canImport(Glibc)
internal import Glibc
#elseif canImport(Darwin)
internal import Darwin
#endif

/// Line editing on a terminal with libedit, driven from the shell's own `poll()` loop.
///
/// libedit runs in readline-compat callback mode: it never blocks the loop and never owns a signal. The
/// loop polls ``fileDescriptor`` and calls ``readAvailable()`` when it is readable, calls ``interrupt()``
/// when its signalfd reports SIGINT, and prints everything (events, and command output too) with
/// ``printAbove(_:)`` while editing is on, so the half-typed line and the cursor survive it.
///
/// Only one `EditLineSource` may be started at a time: libedit's readline layer is a process-wide editor.
/// Use it only when standard input and output are both terminals; otherwise use ``PlainLineSource``.
public final class EditLineSource {
    private enum State {
        case stopped
        /// The line handler is installed: the prompt is on screen and the terminal is in raw mode.
        case editing
        /// Ctrl-D or a hangup ended input; the terminal is back in cooked mode.
        case ended
    }

    private let programName: String
    private let historyPath: String?
    private let completer: (_ lineBeforeCursor: String) -> [String]
    private var prompt = ""
    private var state = State.stopped
    private var historyLoaded = false
    /// Reads that libedit got nothing from although the descriptor polled readable: a terminal that ended
    /// without saying so would otherwise keep the loop spinning.
    private var emptyReads = 0
    /// No key has reached libedit since the handler was (re)installed. libedit's `rl_line_buffer`,
    /// `rl_point` and `rl_end` are refreshed only after a key, so until then they still describe the
    /// previous line (newline included) while libedit's real buffer is empty.
    private var lineIsFresh = true

    /// - Parameters:
    ///   - programName: names this program's section in `~/.editrc`.
    ///   - historyPath: kept across runs (1000 entries); a leading `~/` is the home directory. `nil`: history
    ///     lasts for this run only.
    ///   - completer: given the line up to the cursor, returns whole-word candidates for the word being
    ///     completed. Candidates that do not start with that word are ignored; none means no completion
    ///     (never file names).
    public init(
        programName: String, historyPath: String?,
        completer: @escaping (_ lineBeforeCursor: String) -> [String]
    ) {
        self.programName = programName
        self.historyPath = historyPath.map(Self.expandingHome)
        self.completer = completer
    }

    deinit {
        stop()
    }

    /// Standard input: poll it for `POLLIN`.
    public var fileDescriptor: Int32 { STDIN_FILENO }

    /// Every line in the history, oldest first (what Up walks back through), the file's included.
    public var historyEntries: [String] {
        prepareLibEdit()
        return HistoryStore.entries
    }

    /// Shows the prompt and starts editing (raw mode). The first start also loads the history file.
    /// Calling it again after `.endOfInput` or ``stop()`` starts a new line.
    public func start(prompt: String) {
        let me = ObjectIdentifier(self)
        precondition(LibEditBridge.owner == nil || LibEditBridge.owner == me, "another EditLineSource is running")
        guard state != .editing else {
            setPrompt(prompt)
            return
        }
        LibEditBridge.owner = me
        LibEditBridge.completer = completer
        prepareLibEdit()
        self.prompt = prompt
        LibEditBridge.finishedLines.removeAll()
        emptyReads = 0
        adoptTerminalWidth()
        installHandler()
        state = .editing
    }

    /// Hands libedit the keys waiting on standard input and returns what they completed: at most one line
    /// (so its output can be printed before the next one is echoed), or `.endOfInput` for Ctrl-D on an
    /// empty line or a terminal that went away.
    ///
    /// After a line the next prompt is already on screen: print the command's output with ``printAbove(_:)``.
    /// Never blocks, even if called when nothing is waiting. After `.endOfInput` it returns `[]` until
    /// ``start(prompt:)`` is called again, so stop polling standard input (or start a new line).
    public func readAvailable() -> [LineEvent] {
        guard state == .editing else { return [] }
        // A paste arrives as many keys; take them all in one go, but stop at the first finished line.
        for _ in 0..<4096 {
            switch Terminal.readiness(of: fileDescriptor) {
            case .idle:
                return []
            case .closed:
                return [endInput(echoNewline: false)]
            case .readableButEmpty:
                emptyReads += 1
                if emptyReads > 1 { return [endInput(echoNewline: false)] }
            case .ready:
                emptyReads = 0
            }
            adoptTerminalWidth()
            rl_callback_read_char()
            lineIsFresh = false
            if let event = takeFinishedLine() {
                return [event]
            }
        }
        return []
    }

    /// Ctrl-C (the shell's signalfd saw SIGINT): abandons the half-typed line, shows `^C` after it and a
    /// fresh prompt below. Nothing is added to the history.
    public func interrupt() {
        guard state == .editing else { return }
        Terminal.write(currentLayout().moveToEndSequence + "^C\r\n")
        // There is no "clear the line" in the compat layer; switching callback mode off and on resets
        // libedit's buffer and redraws the prompt.
        rl_callback_handler_remove()
        LibEditBridge.finishedLines.removeAll()
        installHandler()
    }

    /// Prints `text` (one or more lines; one trailing newline is optional) on the lines where the prompt
    /// was, then redraws the prompt, the half-typed line and the cursor below it.
    ///
    /// When not editing it is a plain write of `text` and a newline.
    public func printAbove(_ text: String) {
        var body = text.hasSuffix("\n") ? String(text.dropLast()) : text
        guard state == .editing else {
            Terminal.write(body + "\n")
            return
        }
        // Raw mode may have output post-processing off: spell out the carriage returns.
        body = body.replacingNewlines(with: "\r\n")
        adoptTerminalWidth()
        Terminal.write(currentLayout().eraseSequence + body + "\r\n")
        // Redraws from where the cursor now is, assuming it is the start of the edit area (EL_REFRESH).
        // Not rl_redisplay: in libedit it queues a ^R keystroke that swallows the user's next key.
        rl_forced_update_display()
    }

    /// Changes the prompt; while editing it is redrawn at once and the half-typed line kept.
    public func setPrompt(_ prompt: String) {
        guard state == .editing else {
            self.prompt = prompt
            return
        }
        Terminal.write(currentLayout().eraseSequence)
        self.prompt = prompt
        _ = rl_set_prompt(prompt)
        rl_forced_update_display()
    }

    /// Call on SIGWINCH to redraw at the new width at once. Without it the new width is picked up at the
    /// next key or ``printAbove(_:)``.
    public func terminalResized() {
        guard state == .editing, let columns = Terminal.columns() else { return }
        rl_resize_terminal()
        // Terminals rewrap the soft-wrapped line, so find the prompt's start at the new width.
        Terminal.write(currentLayout(columns: columns).eraseSequence)
        rl_forced_update_display()
    }

    /// Ends editing: leaves the cursor at the start of a fresh line (an empty prompt is erased, a half-typed
    /// line kept), puts the terminal back in cooked mode and saves the history file.
    public func stop() {
        if state == .editing {
            let layout = currentLayout()
            if editBuffer.text.isEmpty {
                Terminal.write(layout.eraseSequence)
            } else {
                let atFreshRow = layout.end.column == 0 && layout.end.row > 0
                Terminal.write(layout.moveToEndSequence + (atFreshRow ? "" : "\r\n"))
            }
            rl_callback_handler_remove()
        }
        if state != .stopped, let historyPath {
            HistoryStore.save(to: historyPath)
        }
        if state != .stopped {
            LibEditBridge.completer = nil
            LibEditBridge.owner = nil
        }
        state = .stopped
    }

    // MARK: - Internals

    /// libedit picks its character set when it creates its editor, which any history call does; so the
    /// locale and settings come first, whichever public entry point is used first.
    private func prepareLibEdit() {
        LibEditBridge.configureOnce(programName: programName)
        if !historyLoaded, let historyPath {
            HistoryStore.load(from: historyPath)
            historyLoaded = true
        }
    }

    private func takeFinishedLine() -> LineEvent? {
        guard !LibEditBridge.finishedLines.isEmpty else { return nil }
        let finished = LibEditBridge.finishedLines.removeFirst()
        LibEditBridge.finishedLines.removeAll()
        guard let line = finished else {
            return endInput(echoNewline: true)
        }
        HistoryStore.remember(line)
        // libedit turns callback mode off before calling the handler and does not turn it back on: without
        // this the next key would start a blocking, buffered read of a whole line.
        installHandler()
        return .line(line)
    }

    private func endInput(echoNewline: Bool) -> LineEvent {
        if echoNewline {
            // libedit has drawn the Ctrl-D it read as "^D" after the prompt; leave just the prompt, and a
            // newline for the shell's next output.
            let promptEnd = EditAreaLayout(prompt: prompt, line: "", cursorOffset: 0, columns: columns).end
            Terminal.write(currentLayout().moveSequence(to: promptEnd) + "\u{1B}[J\r\n")
        }
        rl_callback_handler_remove()
        state = .ended
        return .endOfInput
    }

    /// Shows the prompt for an empty line (switching callback mode on runs libedit's `read_prepare`).
    private func installHandler() {
        rl_callback_handler_install(prompt, libEditLineHandler)
        lineIsFresh = true
    }

    private var editBuffer: EditBuffer {
        lineIsFresh ? EditBuffer(text: "", cursorOffset: 0) : EditBuffer.current()
    }

    private func currentLayout(columns: Int? = nil) -> EditAreaLayout {
        let buffer = editBuffer
        return EditAreaLayout(
            prompt: prompt, line: buffer.text, cursorOffset: buffer.cursorOffset, columns: columns ?? self.columns)
    }

    private var columns: Int { Terminal.editorColumns() }

    /// The shell owns SIGWINCH, so libedit never hears of a resize by itself; compare before each redraw.
    private func adoptTerminalWidth() {
        guard let columns = Terminal.columns(), columns != Terminal.editorColumns() else { return }
        if state == .editing {
            terminalResized()
        } else {
            rl_resize_terminal()
        }
    }

    private static func expandingHome(_ path: String) -> String {
        guard path.hasPrefix("~/"), let home = getenv("HOME") else { return path }
        return String(cString: home) + path.dropFirst()
    }
}

extension String {
    fileprivate func replacingNewlines(with terminator: String) -> String {
        split(separator: "\n", omittingEmptySubsequences: false)
            .map { $0.hasSuffix("\r") ? $0.dropLast() : $0 }
            .joined(separator: terminator)
    }
}
