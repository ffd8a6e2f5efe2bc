internal import CLibEdit

extension EditLineSource {
    /// Creates libedit's editor once: the locale first, then dtlsh's bindings, the user's `~/.editrc`, and
    /// dtlsh's bindings again (an editor switch there resets them). Also loads the history file.
    func prepareEditor() {
        guard editor == nil else { return }
        LibEditBridge.configureOnce()
        guard let editor = CLibEdit_el_initStdio(programName) else { return }
        self.editor = editor
        _ = CLibEdit_el_setClientData(editor, Unmanaged.passUnretained(self).toOpaque())
        _ = CLibEdit_el_setPrompt(editor, LibEditBridge.prompt, 1)
        _ = CLibEdit_el_setEditor(editor, "emacs")
        // The shell reads SIGINT and SIGWINCH itself; libedit's handlers would re-raise them.
        _ = CLibEdit_el_setSignal(editor, 0)
        _ = CLibEdit_el_setHistory(editor, history.store.handle)
        _ = CLibEdit_el_setReadChar(editor, LibEditBridge.readCharacter)
        _ = CLibEdit_el_addFunction(editor, KeyBindings.completeFunction, "Complete the word before the cursor", LibEditBridge.complete)
        _ = CLibEdit_el_addFunction(editor, KeyBindings.redisplayFunction, "Redraw the line", LibEditBridge.redisplay)
        KeyBindings.apply(to: editor)
        _ = CLibEdit_el_sourceUserSettings(editor)
        KeyBindings.apply(to: editor)
        notices += history.load()
    }
}
