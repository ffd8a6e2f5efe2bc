import Testing
@testable import LineEditor

@Suite struct CompletionTests {
    @Test func commonPrefixOfNothingIsEmpty() {
        #expect(Completion.commonPrefix([]) == "")
    }

    @Test func commonPrefixOfOneIsItself() {
        #expect(Completion.commonPrefix(["connect"]) == "connect")
    }

    @Test func commonPrefixOfSeveral() {
        #expect(Completion.commonPrefix(["send", "set", "setting"]) == "se")
        #expect(Completion.commonPrefix(["set", "settings"]) == "set")
        #expect(Completion.commonPrefix(["srv.1", "srv.2", "srv.10"]) == "srv.")
    }

    @Test func noSharedPrefix() {
        #expect(Completion.commonPrefix(["open", "close"]) == "")
        #expect(Completion.commonPrefix(["", "x"]) == "")
    }

    @Test func neverSplitsAUTF8Sequence() {
        // "é" (U+00E9) and "ê" (U+00EA) share their first UTF-8 byte, 0xC3; a byte-wise prefix would end in half a character.
        #expect(Completion.commonPrefix(["héllo", "hêllo"]) == "h")
        #expect(Completion.commonPrefix(["wörld", "wörd"]) == "wör")
    }

    @Test func comparesScalarsNotCharacters() {
        // Precomposed and decomposed "é" are the same Character but not the same keystrokes.
        #expect(Completion.commonPrefix(["caf\u{E9}", "cafe\u{301}"]) == "caf")
        #expect(Completion.commonPrefix(["e\u{301}a", "e\u{301}b"]) == "e\u{301}")
    }

    @Test func matchesKeepOnlyExtensionsOfTheWordOnce() {
        let found = Completion.matches(for: "se", among: ["set", "send", "show", "set", "s"])
        #expect(found == ["set", "send"])
        #expect(Completion.matches(for: "", among: ["b", "a", "b"]) == ["b", "a"])
        #expect(Completion.matches(for: "x", among: ["a"]).isEmpty)
    }
}

@Suite struct CompletionListingTests {
    @Test func columnsFilledDownFirst() {
        #expect(Completion.listing(["srv", "c1", "cli"], columns: 120) == "c1   cli  srv")
        #expect(Completion.listing(["a", "b", "c", "d", "e"], columns: 6) == "a  d\nb  e\nc")
    }

    @Test func theWordBeingCompleted() {
        #expect(Completion.lastWord(of: "step c") == "c")
        #expect(Completion.lastWord(of: "flush ") == "")
        #expect(Completion.lastWord(of: "con") == "con")
        #expect(Completion.lastWord(of: "send c1 wö") == "wö")
    }
}
