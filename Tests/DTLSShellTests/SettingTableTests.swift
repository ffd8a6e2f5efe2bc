import DTLSShell
import Testing

/// `set`, `help set` and Tab after `set ` come from one settings table: they
/// name the same settings in the same order, and every setting refuses bad
/// words the same way.
@Suite struct SettingTableTests {
    /// The first word of each line `set` lists.
    private func listedNames(_ t: Transcript) -> [String] {
        t.ok("set").map { String($0.split(separator: " ")[0]) }
    }

    @Test func setAndHelpSetNameTheSameSettingsInOneOrder() {
        let t = Transcript()
        let listed = listedNames(t)
        #expect(listed.count >= 20)
        let help = t.ok("help set")
        // The usage line, the summary, one line per setting, the example.
        let explained = help.dropFirst(2).dropLast().map { String($0.split(separator: " ")[0]) }
        #expect(explained == listed)
        let completed = Completer(shell: t.shell).candidates("set ")
        #expect(completed == listed.sorted())
    }

    @Test func everySettingRefusesBadWordsInOneLineAndChangesNothing() {
        let t = Transcript()
        let before = t.ok("set")
        for name in listedNames(t) {
            t.fails("set \(name)", "set \(name) needs a value")
            // Three words: too many for most, a cipher string OpenSSL refuses, not a FILE KEY pair.
            t.fails("set \(name) %bad% x y", "error: ")
        }
        #expect(t.ok("set") == before)
    }

    @Test func aSettingIsNamedByAnyUnambiguousPrefix() {
        let t = Transcript()
        #expect(t.ok("set handsh 5") == ["handshake-timeout  5"])
        t.fails("set ti 100", "'ti' is ambiguous: timer-initial, timer-max")
        t.fails("set frobnicate 1", "unknown setting 'frobnicate'; settings: psk, cert, ca,")
    }

    @Test func numbersInErrorsAreWrittenAsTyped() {
        let t = Transcript()
        t.fails("set mtu 10", "mtu must be a number from 256 to 65507, not '10'")
        t.fails("set idle 0", "idle must be a number from 0.05 to 86400, not '0'")
    }

    @Test func tabOffersEachSettingsOwnWords() {
        let t = Transcript()
        let c = Completer(shell: t.shell)
        #expect(c.candidates("set version ") == ["1.0", "1.2", "any"])
        #expect(c.candidates("set insecure ") == ["off", "on"])
        #expect(c.candidates("set psk ") == ["none"])
        #expect(c.candidates("set idle ") == ["off"])
        #expect(c.candidates("set timer-max ") == ["default"])
        #expect(c.candidates("set seed ") == [])
        #expect(c.candidates("set cert d").contains("default"))
        // FILE values complete paths, as cert's always did; ca is a FILE too.
        #expect(c.candidates("set ca /").contains("/tmp/"))
        #expect(c.candidates("set cert /etc/ /").contains("/tmp/"))
    }
}
