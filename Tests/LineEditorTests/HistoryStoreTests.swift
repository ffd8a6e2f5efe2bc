import Testing
@testable import LineEditor

@Suite struct HistoryStoreTests {
    @Test func remembersTypedLinesButNotBlankOnesOrImmediateRepeats() {
        let history = HistoryStore(capacity: 10)
        for line in ["open srv", "", "   ", "open srv", "peers", "open srv"] {
            history.remember(line)
        }
        #expect(history.entries == ["open srv", "peers", "open srv"])
        #expect(history.last == "open srv")
    }

    @Test func keepsTheNewestEntriesUpToItsCapacity() {
        let history = HistoryStore(capacity: 1000)
        for number in 0..<1005 {
            history.remember("step c\(number)")
        }
        let entries = history.entries
        #expect(entries.count == 1000)
        #expect(entries.first == "step c5")
        #expect(entries.last == "step c1004")
    }

    @Test func replacingKeepsTheNewest() {
        let history = HistoryStore(capacity: 3)
        history.replace(with: ["a", "b", "c", "d", "e"])
        #expect(history.entries == ["c", "d", "e"])
    }

    @Test func sizeZeroKeepsNothing() {
        let history = HistoryStore(capacity: 0)
        history.remember("peers")
        #expect(history.entries.isEmpty)
    }

    @Test func veryLongAndMultiByteLinesAreKeptWhole() {
        let history = HistoryStore(capacity: 5)
        let long = "echo " + String(repeating: "é", count: 100_000)
        history.remember(long)
        #expect(history.entries == [long])
    }
}
