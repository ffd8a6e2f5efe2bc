import Testing
@testable import LineEditor

@Suite struct TypedInputDecoderTests {
    private func decode(_ text: String) -> [TypedInput] {
        var decoder = TypedInputDecoder()
        return decoder.decode(Array(text.utf8)) + decoder.flush()
    }

    @Test func textRunsAreOneItem() {
        #expect(decode("echo héllo 😀") == [.text("echo héllo 😀")])
    }

    @Test func enterIsCRorLForCRLF() {
        #expect(decode("a\rb\nc\r\nd") == [.text("a"), .enter, .text("b"), .enter, .text("c"), .enter, .text("d")])
    }

    @Test func controlKeysAndBoundSequencesGoToLibEdit() {
        #expect(decode("\t") == [.key(["\t"])])
        #expect(decode("x\u{1B}[A") == [.text("x"), .key(["\u{1B}", "[", "A"])])
        #expect(decode("\u{1B}[3~\u{1B}OH") == [.key(["\u{1B}", "[", "3", "~"]), .key(["\u{1B}", "O", "H"])])
        #expect(decode("\u{1B}b") == [.key(["\u{1B}", "b"])])
    }

    @Test func unboundSequencesAreConsumedWhole() {
        // What a user saw as `mredm`: colour codes typed into a line.
        #expect(decode("echo \u{1B}[31mred\u{1B}[0m") == [
            .text("echo "), .ignoredSequence(Array("\u{1B}[31m".utf8)), .text("red"),
            .ignoredSequence(Array("\u{1B}[0m".utf8)),
        ])
        #expect(decode("\u{1B}[6~\u{1B}x") == [.ignoredSequence(Array("\u{1B}[6~".utf8)), .ignoredSequence(Array("\u{1B}x".utf8))])
        // Our own insert sequence is never accepted from the terminal.
        #expect(decode(KeyBindings.redisplay) == [.ignoredSequence(Array(KeyBindings.redisplay.utf8))])
    }

    @Test func bracketedPasteIsTextWithLineBreaks() {
        let pasted = "\u{1B}[200~echo pasted1\tx\u{1}\u{1B}[A\r\nsecond\u{1B}[201~"
        #expect(decode(pasted) == [
            .text("echo pasted1\tx"), .ignoredSequence(Array("\u{1B}[A".utf8)), .enter, .text("second"),
        ])
    }

    @Test func piecesSplitAnywhereGiveTheSameResult() {
        let input = Array("ab\u{1B}[200~é😀\r\n\u{1B}[201~\u{1B}[1;5C日本\u{1B}[31mx".utf8)
        var whole = TypedInputDecoder()
        let expected = Self.merged(whole.decode(input) + whole.flush())
        for split in 1..<input.count {
            var decoder = TypedInputDecoder()
            let got = decoder.decode(input[..<split]) + decoder.decode(input[split...]) + decoder.flush()
            #expect(Self.merged(got) == expected, "split at \(split)")
        }
    }

    @Test func incompleteTailsWaitThenFlush() {
        var decoder = TypedInputDecoder()
        #expect(decoder.decode([0x1B]).isEmpty)
        #expect(decoder.isWaitingForMore)
        #expect(decoder.flush() == [.ignoredSequence([0x1B])])
        #expect(decoder.decode([0xC3]).isEmpty)
        #expect(decoder.flush() == [.invalidUTF8(count: 1)])
        #expect(!decoder.isWaitingForMore)
    }

    @Test func invalidUTF8IsCountedNotInserted() {
        #expect(decode("a") == [.text("a")])
        var decoder = TypedInputDecoder()
        let items = decoder.decode([0x61, 0xFF, 0xFE, 0x62, 0xC3, 0x28, 0xED, 0xA0, 0x80])
            + decoder.flush()
        #expect(items == [.text("a"), .invalidUTF8(count: 2), .text("b"), .invalidUTF8(count: 1), .text("("), .invalidUTF8(count: 3)])
    }

    @Test func aStrayEscapeNeverHoldsBackALongPaste() {
        var decoder = TypedInputDecoder()
        let items = decoder.decode(Array(("\u{1B}[" + String(repeating: "1", count: 100) + "x").utf8))
        #expect(!decoder.isWaitingForMore)
        #expect(items.last == .text(String(repeating: "1", count: 100 - TypedInputDecoder.longestSequence + 2) + "x"))
    }

    @Test func aMegabyteDecodesInOnePass() {
        var decoder = TypedInputDecoder()
        let items = decoder.decode(Array(String(repeating: "é", count: 500_000).utf8))
        #expect(items == [.text(String(repeating: "é", count: 500_000))])
    }

    /// Adjacent text and invalid counts joined, as the decoder would have had the bytes come together.
    private static func merged(_ items: [TypedInput]) -> [TypedInput] {
        var result: [TypedInput] = []
        for item in items {
            switch (result.last, item) {
            case let (.text(a)?, .text(b)):
                result[result.count - 1] = .text(a + b)
            case let (.invalidUTF8(a)?, .invalidUTF8(b)):
                result[result.count - 1] = .invalidUTF8(count: a + b)
            default:
                result.append(item)
            }
        }
        return result
    }
}
