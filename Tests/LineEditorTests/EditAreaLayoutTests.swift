#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import Testing
@testable import LineEditor

/// The arithmetic that finds the prompt's first row again, checked against what libedit was seen to draw
/// in tmux (see the tmux-drive.sh runs in the LineEditor report).
@Suite struct EditAreaLayoutTests {
    typealias Position = EditAreaLayout.Position

    init() {
        // wcwidth answers for CJK only in a UTF-8 locale, as in the editor (which sets it in start()).
        _ = setlocale(LC_CTYPE, "C.UTF-8")
    }

    @Test func shortLineStaysOnOneRow() {
        let layout = EditAreaLayout(prompt: "dtls> ", line: "connect c1 cl", cursorOffset: 13, columns: 80)
        #expect(layout.cursor == Position(row: 0, column: 19))
        #expect(layout.end == Position(row: 0, column: 19))
        #expect(layout.eraseSequence == "\r\u{1B}[K\u{1B}7\u{1B}[B\u{1B}[J\u{1B}8")
    }

    @Test func cursorMovedLeft() {
        let layout = EditAreaLayout(prompt: "dtls> ", line: "abcdef", cursorOffset: 4, columns: 80)
        #expect(layout.cursor == Position(row: 0, column: 10))
        #expect(layout.moveToEndSequence == "\r\u{1B}[12C")
    }

    @Test func wrappedLineWithTheCursorOnEachRow() {
        let line = "send c1 " + String(repeating: "a", count: 70)  // 6 + 78 = 84 cells: rows of 40, 40, 4
        let atEnd = EditAreaLayout(prompt: "dtls> ", line: line, cursorOffset: 78, columns: 40)
        #expect(atEnd.cursor == Position(row: 2, column: 4))
        #expect(atEnd.eraseSequence.hasPrefix("\r\u{1B}[2A\u{1B}[K"))
        let onFirstRow = EditAreaLayout(prompt: "dtls> ", line: line, cursorOffset: 4, columns: 40)
        #expect(onFirstRow.cursor == Position(row: 0, column: 10))
        #expect(onFirstRow.moveToEndSequence == "\r\u{1B}[2B\u{1B}[4C")
    }

    @Test func exactlyFullRowPutsTheCursorOnTheNextRow() {
        let line = "send c1 " + String(repeating: "x", count: 26)  // 6 + 34 = 40
        let layout = EditAreaLayout(prompt: "dtls> ", line: line, cursorOffset: 34, columns: 40)
        #expect(layout.cursor == Position(row: 1, column: 0))
        #expect(layout.end == Position(row: 1, column: 0))
        let oneLeft = EditAreaLayout(prompt: "dtls> ", line: line, cursorOffset: 33, columns: 40)
        #expect(oneLeft.cursor == Position(row: 0, column: 39))
    }

    @Test func wideCharactersTakeTwoColumns() {
        let layout = EditAreaLayout(prompt: "dtls> ", line: "send c1 日本語", cursorOffset: 11, columns: 80)
        #expect(layout.cursor == Position(row: 0, column: 20))
    }

    @Test func wideCharacterThatDoesNotFitMovesToTheNextRow() {
        // 6 + 9 = 15, then 12 wide characters fill to column 39; the 13th cannot take 39-40.
        let line = "send c1 x" + String(repeating: "日", count: 18)
        let layout = EditAreaLayout(prompt: "dtls> ", line: line, cursorOffset: 9 + 12, columns: 40)
        #expect(layout.cursor == Position(row: 1, column: 0))
        #expect(layout.end == Position(row: 1, column: 12))
        let before = EditAreaLayout(prompt: "dtls> ", line: line, cursorOffset: 9 + 11, columns: 40)
        #expect(before.cursor == Position(row: 0, column: 37))
    }

    @Test func accentedLettersTakeOneColumn() {
        let layout = EditAreaLayout(prompt: "dtls> ", line: "send héllo wörld", cursorOffset: 16, columns: 80)
        #expect(layout.cursor == Position(row: 0, column: 22))
    }

    @Test func invisiblePromptSegmentsTakeNoRoom() {
        let coloured = "\u{1}\u{1B}[1;32m\u{2}dtls>\u{1}\u{1B}[0m\u{2} "
        let layout = EditAreaLayout(prompt: coloured, line: "ab", cursorOffset: 2, columns: 80)
        #expect(layout.cursor == Position(row: 0, column: 8))
    }

    @Test func controlCharactersShowAsCaretPairs() {
        let layout = EditAreaLayout(prompt: "dtls> ", line: "a\u{4}b", cursorOffset: 3, columns: 80)
        #expect(layout.cursor == Position(row: 0, column: 10))
    }

    @Test func tabsExpandToTheNextMultipleOfEight() {
        let layout = EditAreaLayout(prompt: "dtls> ", line: "a\tb", cursorOffset: 3, columns: 80)
        #expect(layout.cursor == Position(row: 0, column: 9))
    }

    @Test func emptyPromptAndLine() {
        let layout = EditAreaLayout(prompt: "", line: "", cursorOffset: 0, columns: 80)
        #expect(layout.cursor == Position(row: 0, column: 0))
        #expect(layout.moveToEndSequence == "\r")
    }
}

@Suite struct EditBufferTests {
    @Test func wideCharactersRoundTrip() {
        let line = "send wö héllo 😀 日本"
        #expect(EditBuffer.string(from: EditBuffer.wide(line)) == line)
        #expect(EditBuffer.wide(line).count == line.unicodeScalars.count)
    }

    @Test func aCharacterThatIsNoScalarBecomesTheReplacementCharacter() {
        #expect(EditBuffer.string(from: [0x61, 0xD800, 0x62]) == "a\u{FFFD}b")
    }

    @Test func textBeforeTheCursor() {
        #expect(EditBuffer(text: "send wörld", cursorOffset: 7).beforeCursor == "send wö")
    }
}
